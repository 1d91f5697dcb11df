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
