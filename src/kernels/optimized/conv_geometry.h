// A convolution seen as a GEMM: M = batches * out_h * out_w output pixels, N = output channels,
// K = k_h * k_w * in_c taps (OHWI filter order, so row n of the filter is column n of B).
// FULLY_CONNECTED is the 1x1 case with one pixel per batch row.
#pragma once

#include <cstdint>

namespace edgeforge::kernels::optimized {

struct ConvGeometry {
  int32_t batches = 1;
  int32_t in_h = 1, in_w = 1, in_c = 1;
  int32_t out_h = 1, out_w = 1, out_c = 1;
  int32_t k_h = 1, k_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;

  int64_t m() const { return static_cast<int64_t>(batches) * out_h * out_w; }
  int32_t n() const { return out_c; }
  int32_t k() const { return k_h * k_w * in_c; }
  int64_t macs() const { return m() * n() * k(); }
  // Row m of A is row m of the input: no gather needed.
  bool is_pointwise() const {
    return k_h == 1 && k_w == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 &&
           pad_left == 0 && in_h == out_h && in_w == out_w;
  }
};

// The output pixel of GEMM row m, walked forward a row at a time without divisions.
struct OutputPixelCursor {
  int32_t batch = 0, oy = 0, ox = 0;

  OutputPixelCursor(const ConvGeometry& g, int64_t m) {
    const int64_t pixels = static_cast<int64_t>(g.out_h) * g.out_w;
    batch = static_cast<int32_t>(m / pixels);
    oy = static_cast<int32_t>((m % pixels) / g.out_w);
    ox = static_cast<int32_t>(m % g.out_w);
  }
  void Advance(const ConvGeometry& g) {
    if (++ox < g.out_w) return;
    ox = 0;
    if (++oy < g.out_h) return;
    oy = 0;
    ++batch;
  }
  // Top-left input position of the receptive field (may lie in the padding).
  int32_t iy0(const ConvGeometry& g) const { return oy * g.stride_h - g.pad_top; }
  int32_t ix0(const ConvGeometry& g) const { return ox * g.stride_w - g.pad_left; }
};

// FULLY_CONNECTED [batches, in] x [out, in]^T.
inline ConvGeometry FullyConnectedGeometry(int32_t batches, int32_t input_depth,
                                           int32_t output_depth) {
  ConvGeometry g;
  g.batches = batches;
  g.in_c = input_depth;
  g.out_c = output_depth;
  return g;
}

}  // namespace edgeforge::kernels::optimized
