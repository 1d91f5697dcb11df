// Row micro-kernels of the float32 depthwise plan (dwconv_f32.cc).
#pragma once

#include <cstdint>

namespace edgeforge::kernels::optimized::dwconv_f32 {

constexpr int kBlock = 16;  // channels per vector block

// out_rows consecutive output rows, channel blocks [block_begin, block_end), depth multiplier 1.
struct RowArgs {
  // (out_rows - 1) * stride_h + kernel_h input rows (padded rows outside the image point at a
  // zero row).
  const float* const* rows = nullptr;
  int32_t out_rows = 1, stride_h = 1;
  int64_t output_row_stride = 0;  // floats from one output row to the next
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t in_w = 1, channels = 1, out_w = 1;
  int32_t stride_w = 1, dilation_w = 1, pad_left = 0;
  int32_t block_begin = 0, block_end = 0;
  const float* weights = nullptr;  // [blocks][kernel_h][kernel_w][16], zero past C
  const float* bias = nullptr;     // [blocks * 16]
  float min = 0.0f, max = 0.0f;
  float* output_row = nullptr;  // the first of the out_rows rows
  // Loop order of the sliding kernels: channel blocks innermost (for layers that stream from
  // beyond L2, and stride 2) or outermost (weights kept in registers, for L2-resident layers).
  bool blocks_inner = false;
};
void f32_dwconv_16c__avx512(const RowArgs& args);

// The sliding 3x3 / 5x5 tiles (f32_dwconv_slide__avx512.cc): runs `args` and returns true when
// they cover its shape and out_rows is at most f32_dwconv_16c__avx512_rows; else does nothing.
bool f32_dwconv_slide__avx512(const RowArgs& args);

// How many output rows one f32_dwconv_16c__avx512 call should take for this shape: the sliding
// kernels share each loaded input row between several output rows (1 where they do not apply).
int32_t f32_dwconv_16c__avx512_rows(int32_t kernel_h, int32_t kernel_w, int32_t stride_h,
                                    int32_t stride_w, int32_t dilation_w);

}  // namespace edgeforge::kernels::optimized::dwconv_f32
