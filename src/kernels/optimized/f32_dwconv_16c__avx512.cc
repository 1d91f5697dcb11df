// Float32 depthwise rows with AVX-512: 16 channels per vector, one FMA per tap. Interior
// columns (every tap inside the row) run a loop with the weights held in registers, unrolled
// for 3x3 and 5x5; the few border columns check each tap.
#include <immintrin.h>

#include "kernels/optimized/dwconv_f32_kernels.h"

namespace edgeforge::kernels::optimized::dwconv_f32 {

namespace {

inline __mmask16 BlockMask(int32_t channels, int32_t block) {
  const int32_t left = channels - block * kBlock;
  return left >= kBlock ? static_cast<__mmask16>(0xFFFF)
                        : static_cast<__mmask16>((1u << left) - 1u);
}

// Columns [begin, end) of block `block`, checking every tap against the row's width.
void BorderColumns(const RowArgs& a, int32_t block, int32_t begin, int32_t end) {
  const __mmask16 mask = BlockMask(a.channels, block);
  const __m512 vmin = _mm512_set1_ps(a.min), vmax = _mm512_set1_ps(a.max);
  const float* w = a.weights + static_cast<int64_t>(block) * a.kernel_h * a.kernel_w * kBlock;
  const __m512 bias = _mm512_load_ps(a.bias + block * kBlock);
  for (int32_t ox = begin; ox < end; ++ox) {
    __m512 acc = bias;
    for (int32_t kx = 0; kx < a.kernel_w; ++kx) {
      const int64_t ix = static_cast<int64_t>(ox) * a.stride_w - a.pad_left + kx * a.dilation_w;
      if (ix < 0 || ix >= a.in_w) continue;
      for (int32_t ky = 0; ky < a.kernel_h; ++ky) {
        const float* x = a.rows[ky] + ix * a.channels + block * kBlock;
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, x),
                              _mm512_load_ps(w + (ky * a.kernel_w + kx) * kBlock), acc);
      }
    }
    acc = _mm512_min_ps(_mm512_max_ps(acc, vmin), vmax);
    _mm512_mask_storeu_ps(a.output_row + static_cast<int64_t>(ox) * a.channels + block * kBlock,
                          mask, acc);
  }
}

// Interior columns; KH, KW > 0 fix the kernel size at compile time, 0 reads it from `a`.
template <int KH, int KW>
void InteriorColumns(const RowArgs& a, int32_t block, int32_t begin, int32_t end) {
  const int32_t kh = KH > 0 ? KH : a.kernel_h;
  const int32_t kw = KW > 0 ? KW : a.kernel_w;
  const __mmask16 mask = BlockMask(a.channels, block);
  const __m512 vmin = _mm512_set1_ps(a.min), vmax = _mm512_set1_ps(a.max);
  const float* wp = a.weights + static_cast<int64_t>(block) * kh * kw * kBlock;
  const __m512 bias = _mm512_load_ps(a.bias + block * kBlock);
  constexpr int kTaps = KH * KW > 0 ? KH * KW : 1;
  __m512 w[kTaps];
  if constexpr (KH > 0 && KW > 0) {
    for (int t = 0; t < kTaps; ++t) w[t] = _mm512_load_ps(wp + t * kBlock);
  }
  const int64_t tap_step = static_cast<int64_t>(a.dilation_w) * a.channels;
  const int64_t column_step = static_cast<int64_t>(a.stride_w) * a.channels;
  int64_t offset = (static_cast<int64_t>(begin) * a.stride_w - a.pad_left) * a.channels +
                   block * kBlock;
  float* out = a.output_row + static_cast<int64_t>(begin) * a.channels + block * kBlock;
  for (int32_t ox = begin; ox < end; ++ox, offset += column_step, out += a.channels) {
    __m512 acc = bias;
    for (int32_t ky = 0; ky < kh; ++ky) {
      const float* x = a.rows[ky] + offset;
      for (int32_t kx = 0; kx < kw; ++kx) {
        const __m512 weight = (KH > 0 && KW > 0) ? w[ky * kw + kx]
                                                 : _mm512_load_ps(wp + (ky * kw + kx) * kBlock);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, x + kx * tap_step), weight, acc);
      }
    }
    acc = _mm512_min_ps(_mm512_max_ps(acc, vmin), vmax);
    _mm512_mask_storeu_ps(out, mask, acc);
  }
}

}  // namespace

void f32_dwconv_16c__avx512(const RowArgs& a) {
  // Interior: ox * stride - pad_left >= 0 and the last tap inside the row.
  const int64_t last_tap = static_cast<int64_t>(a.kernel_w - 1) * a.dilation_w;
  int64_t lo = (a.pad_left + a.stride_w - 1) / a.stride_w;
  const int64_t room = a.in_w - 1 - last_tap + a.pad_left;
  int64_t hi = room < 0 ? 0 : room / a.stride_w + 1;
  if (lo > a.out_w) lo = a.out_w;
  if (hi > a.out_w) hi = a.out_w;
  if (hi < lo) hi = lo;
  const int32_t begin = static_cast<int32_t>(lo), end = static_cast<int32_t>(hi);
  for (int32_t block = a.block_begin; block < a.block_end; ++block) {
    BorderColumns(a, block, 0, begin);
    if (a.kernel_h == 3 && a.kernel_w == 3) {
      InteriorColumns<3, 3>(a, block, begin, end);
    } else if (a.kernel_h == 5 && a.kernel_w == 5) {
      InteriorColumns<5, 5>(a, block, begin, end);
    } else {
      InteriorColumns<0, 0>(a, block, begin, end);
    }
    BorderColumns(a, block, end == begin ? begin : end, a.out_w);
  }
}

}  // namespace edgeforge::kernels::optimized::dwconv_f32
