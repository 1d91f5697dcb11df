#include "kernels/reference/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace edgeforge::kernels::reference {

namespace {

int64_t Offset(const ResizeParams& p, int32_t b, int32_t y, int32_t x, int32_t height,
               int32_t width) {
  return ((static_cast<int64_t>(b) * height + y) * width + x) * p.channels;
}

// Nearest neighbour's ratio of input to output coordinates along one axis, in float32 as
// TFLite computes it.
float AxisScale(int32_t input_size, int32_t output_size, bool align_corners) {
  if (align_corners && output_size > 1) {
    return static_cast<float>(input_size - 1) / static_cast<float>(output_size - 1);
  }
  return static_cast<float>(input_size) / static_cast<float>(output_size);
}

}  // namespace

std::vector<BilinearTap> BilinearTaps(int32_t input_size, int32_t output_size, bool align_corners,
                                      bool half_pixel_centers) {
  // XNNPACK's indirection setup, all in float32: scale = (in − a) / (out − a) with a = 1 for
  // align_corners (and out > 1); TensorFlow's legacy mapping and align_corners use out · scale,
  // half_pixel_centers uses out · scale + (0.5 · scale − 0.5) clamped to [0, in − 1].
  const int32_t adjustment = align_corners && output_size != 1 ? 1 : 0;
  const float scale = static_cast<float>(input_size - adjustment) /
                      static_cast<float>(output_size - adjustment);
  const float offset = half_pixel_centers ? 0.5f * scale - 0.5f : 0.0f;
  const float max_position = static_cast<float>(input_size - 1);
  std::vector<BilinearTap> taps(static_cast<size_t>(output_size));
  for (int32_t out = 0; out < output_size; ++out) {
    float position = static_cast<float>(out) * scale;
    if (half_pixel_centers) position = std::min(std::max(position + offset, 0.0f), max_position);
    BilinearTap& tap = taps[static_cast<size_t>(out)];
    tap.lower = static_cast<int32_t>(position);
    tap.upper = std::min(tap.lower + 1, input_size - 1);
    tap.alpha = position - static_cast<float>(tap.lower);
    tap.alpha_q11 = static_cast<int32_t>(std::lrintf(tap.alpha * 2048.0f));
  }
  return taps;
}

namespace {

// Calls emit(output offset, top-left, top-right, bottom-left, bottom-right offsets, horizontal
// tap, vertical tap) for every output pixel; offsets in elements, channel 0.
template <typename Emit>
void ForEachBilinearPixel(const ResizeParams& p, Emit emit) {
  const std::vector<BilinearTap> rows =
      BilinearTaps(p.input_height, p.output_height, p.align_corners, p.half_pixel_centers);
  const std::vector<BilinearTap> cols =
      BilinearTaps(p.input_width, p.output_width, p.align_corners, p.half_pixel_centers);
  const int32_t ih = p.input_height, iw = p.input_width;
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t y = 0; y < p.output_height; ++y) {
      const BilinearTap& ty = rows[static_cast<size_t>(y)];
      for (int32_t x = 0; x < p.output_width; ++x) {
        const BilinearTap& tx = cols[static_cast<size_t>(x)];
        emit(Offset(p, b, y, x, p.output_height, p.output_width),
             Offset(p, b, ty.lower, tx.lower, ih, iw), Offset(p, b, ty.lower, tx.upper, ih, iw),
             Offset(p, b, ty.upper, tx.lower, ih, iw), Offset(p, b, ty.upper, tx.upper, ih, iw), tx,
             ty);
      }
    }
  }
}

// XNNPACK's 8-bit ibilinear micro-kernel: two horizontal lerps with Q11 weights, then a
// vertical one, result in Q22 rounded half up by an arithmetic shift.
template <typename T>
void ResizeBilinearQ11(const ResizeParams& p, const T* input, T* output) {
  ForEachBilinearPixel(p, [&](int64_t out, int64_t tl, int64_t tr, int64_t bl, int64_t br,
                              const BilinearTap& tx, const BilinearTap& ty) {
    for (int32_t c = 0; c < p.channels; ++c) {
      const int32_t top_left = input[tl + c], top_right = input[tr + c];
      const int32_t bottom_left = input[bl + c], bottom_right = input[br + c];
      const int32_t top = top_left * 2048 + (top_right - top_left) * tx.alpha_q11;
      const int32_t bottom = bottom_left * 2048 + (bottom_right - bottom_left) * tx.alpha_q11;
      const int32_t value = top * 2048 + (bottom - top) * ty.alpha_q11;
      output[out + c] = static_cast<T>((value + (1 << 21)) >> 22);
    }
  });
}

}  // namespace

// Measured: byte-identical to the TFLite runtime (XNNPACK delegate, LiteRT.js 2.5.3) for
// float32, int8 and uint8 with every align_corners / half_pixel_centers combination, up- and
// downscaling. TFLite's own reference kernels (float interpolation for uint8, 1/1024 fixed
// point for int8) differ from it in thousands of elements on larger resizes.
void ResizeBilinear(const ResizeParams& p, const float* input, float* output) {
  ForEachBilinearPixel(p, [&](int64_t out, int64_t tl, int64_t tr, int64_t bl, int64_t br,
                              const BilinearTap& tx, const BilinearTap& ty) {
    for (int32_t c = 0; c < p.channels; ++c) {
      // Separate float32 steps, in XNNPACK's order (no fused multiply-add).
      const float top = input[tl + c] + (input[tr + c] - input[tl + c]) * tx.alpha;
      const float bottom = input[bl + c] + (input[br + c] - input[bl + c]) * tx.alpha;
      output[out + c] = top + (bottom - top) * ty.alpha;
    }
  });
}

void ResizeBilinear(const ResizeParams& params, const uint8_t* input, uint8_t* output) {
  ResizeBilinearQ11(params, input, output);
}

void ResizeBilinear(const ResizeParams& params, const int8_t* input, int8_t* output) {
  ResizeBilinearQ11(params, input, output);
}

// TFLite's own kernel (XNNPACK has no nearest-neighbour resize). Measured: byte-identical to
// the runtime for float32/int8/uint8 and all four align_corners / half_pixel_centers pairs.
int32_t NearestNeighborSource(int32_t out, int32_t input_size, int32_t output_size,
                              bool align_corners, bool half_pixel_centers) {
  const float scale = AxisScale(input_size, output_size, align_corners);
  const float offset = half_pixel_centers ? 0.5f : 0.0f;
  const float position = (static_cast<float>(out) + offset) * scale;
  // TFLite rounds (half away from zero) with align_corners, else floors.
  const int32_t source =
      align_corners ? static_cast<int32_t>(std::round(position)) : static_cast<int32_t>(std::floor(position));
  int32_t clamped = std::min(source, input_size - 1);
  if (half_pixel_centers) clamped = std::max(clamped, int32_t{0});
  return clamped;
}

void ResizeNearestNeighbor(const ResizeParams& p, size_t element_size, const uint8_t* input,
                           uint8_t* output) {
  std::vector<int32_t> source_x(static_cast<size_t>(p.output_width));
  for (int32_t x = 0; x < p.output_width; ++x) {
    source_x[static_cast<size_t>(x)] =
        NearestNeighborSource(x, p.input_width, p.output_width, p.align_corners, p.half_pixel_centers);
  }
  const size_t pixel_bytes = static_cast<size_t>(p.channels) * element_size;
  if (pixel_bytes == 0) return;
  for (int32_t b = 0; b < p.batch; ++b) {
    for (int32_t y = 0; y < p.output_height; ++y) {
      const int32_t sy = NearestNeighborSource(y, p.input_height, p.output_height, p.align_corners,
                                               p.half_pixel_centers);
      for (int32_t x = 0; x < p.output_width; ++x) {
        const int64_t from = Offset(p, b, sy, source_x[static_cast<size_t>(x)], p.input_height,
                                    p.input_width);
        const int64_t to = Offset(p, b, y, x, p.output_height, p.output_width);
        std::memcpy(output + static_cast<size_t>(to) * element_size,
                    input + static_cast<size_t>(from) * element_size, pixel_bytes);
      }
    }
  }
}

}  // namespace edgeforge::kernels::reference
