// Row micro-kernels of the float32 depthwise plan (dwconv_f32.cc).
#pragma once

#include <cstdint>

namespace edgeforge::kernels::optimized::dwconv_f32 {

constexpr int kBlock = 16;  // channels per vector block

// One output row, channel blocks [block_begin, block_end), depth multiplier 1.
struct RowArgs {
  // kernel_h input rows (padded rows outside the image point at a zero row).
  const float* const* rows = nullptr;
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t in_w = 1, channels = 1, out_w = 1;
  int32_t stride_w = 1, dilation_w = 1, pad_left = 0;
  int32_t block_begin = 0, block_end = 0;
  const float* weights = nullptr;  // [blocks][kernel_h][kernel_w][16], zero past C
  const float* bias = nullptr;     // [blocks * 16]
  float min = 0.0f, max = 0.0f;
  float* output_row = nullptr;
};
void f32_dwconv_16c__avx512(const RowArgs& args);

}  // namespace edgeforge::kernels::optimized::dwconv_f32
