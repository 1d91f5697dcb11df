// Float32 depthwise rows with AVX-512: 16 channels per vector, one FMA per tap.
// 3x3 and 5x5 kernels with stride 1 or 2 and no dilation (every depthwise layer of MobileNet
// and MnasNet) go to the sliding tiles of f32_dwconv_slide__avx512.cc; other shapes run here,
// tap by tap: interior columns (every tap inside the row) in a loop with the weights held in
// registers, the few border columns checking each tap.
// GCC 12 flags the deliberately undefined pass-through operand inside its own
// avx512fintrin.h (_mm512_undefined_ps); no uninitialized value is read here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

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

// Interior columns; KH, KW > 0 fix the kernel size at compile time (weights in registers),
// 0 reads it from `a`. kMasked: the last, partial channel block. Four columns per step give
// four independent FMA chains.
template <int KH, int KW, bool kMasked>
void InteriorColumns(const RowArgs& a, int32_t block, int32_t begin, int32_t end) {
  constexpr bool kFixed = KH > 0 && KW > 0;
  const int32_t kh = kFixed ? KH : a.kernel_h;
  const int32_t kw = kFixed ? KW : a.kernel_w;
  const __mmask16 mask = BlockMask(a.channels, block);
  const __m512 vmin = _mm512_set1_ps(a.min), vmax = _mm512_set1_ps(a.max);
  const float* wp = a.weights + static_cast<int64_t>(block) * kh * kw * kBlock;
  const __m512 bias = _mm512_load_ps(a.bias + block * kBlock);
  constexpr int kTaps = kFixed ? KH * KW : 1;
  __m512 w[kTaps];
  if constexpr (kFixed) {
    for (int t = 0; t < kTaps; ++t) w[t] = _mm512_load_ps(wp + t * kBlock);
  }
  const float* rows[64];
  for (int32_t ky = 0; ky < kh; ++ky) rows[ky] = a.rows[ky] + block * kBlock;
  const int64_t channels = a.channels;
  const int64_t tap_step = a.dilation_w * channels;
  const int64_t column_step = a.stride_w * channels;
  auto load = [mask](const float* p) {
    if constexpr (kMasked) return _mm512_maskz_loadu_ps(mask, p);
    return _mm512_loadu_ps(p);
  };
  auto store = [mask](float* p, __m512 v) {
    if constexpr (kMasked) {
      _mm512_mask_storeu_ps(p, mask, v);
    } else {
      _mm512_storeu_ps(p, v);
    }
  };
  auto weight = [&](int32_t t) { return kFixed ? w[t] : _mm512_load_ps(wp + t * kBlock); };
  int64_t offset = (static_cast<int64_t>(begin) * a.stride_w - a.pad_left) * channels;
  float* out = a.output_row + static_cast<int64_t>(begin) * channels + block * kBlock;
  int32_t ox = begin;
  for (; ox + 4 <= end; ox += 4, offset += 4 * column_step, out += 4 * channels) {
    __m512 acc0 = bias, acc1 = bias, acc2 = bias, acc3 = bias;
    for (int32_t ky = 0; ky < kh; ++ky) {
      const float* x = rows[ky] + offset;
      for (int32_t kx = 0; kx < kw; ++kx, x += tap_step) {
        const __m512 wt = weight(ky * kw + kx);
        acc0 = _mm512_fmadd_ps(load(x), wt, acc0);
        acc1 = _mm512_fmadd_ps(load(x + column_step), wt, acc1);
        acc2 = _mm512_fmadd_ps(load(x + 2 * column_step), wt, acc2);
        acc3 = _mm512_fmadd_ps(load(x + 3 * column_step), wt, acc3);
      }
    }
    store(out, _mm512_min_ps(_mm512_max_ps(acc0, vmin), vmax));
    store(out + channels, _mm512_min_ps(_mm512_max_ps(acc1, vmin), vmax));
    store(out + 2 * channels, _mm512_min_ps(_mm512_max_ps(acc2, vmin), vmax));
    store(out + 3 * channels, _mm512_min_ps(_mm512_max_ps(acc3, vmin), vmax));
  }
  for (; ox < end; ++ox, offset += column_step, out += channels) {
    __m512 acc = bias;
    for (int32_t ky = 0; ky < kh; ++ky) {
      const float* x = rows[ky] + offset;
      for (int32_t kx = 0; kx < kw; ++kx, x += tap_step) acc = _mm512_fmadd_ps(load(x), weight(ky * kw + kx), acc);
    }
    store(out, _mm512_min_ps(_mm512_max_ps(acc, vmin), vmax));
  }
}

template <int KH, int KW>
void Interior(const RowArgs& a, int32_t block, int32_t begin, int32_t end) {
  if ((block + 1) * kBlock <= a.channels) {
    InteriorColumns<KH, KW, false>(a, block, begin, end);
  } else {
    InteriorColumns<KH, KW, true>(a, block, begin, end);
  }
}

// One output row tap by tap: any kernel size, stride and dilation.
void TapByTapRow(const RowArgs& a) {
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
      Interior<3, 3>(a, block, begin, end);
    } else if (a.kernel_h == 5 && a.kernel_w == 5) {
      Interior<5, 5>(a, block, begin, end);
    } else {
      Interior<0, 0>(a, block, begin, end);
    }
    BorderColumns(a, block, end == begin ? begin : end, a.out_w);
  }
}

}  // namespace

void f32_dwconv_16c__avx512(const RowArgs& args) {
  if (f32_dwconv_slide__avx512(args)) return;
  // Tap by tap, one output row at a time.
  for (int32_t row = 0; row < args.out_rows; ++row) {
    RowArgs a = args;
    a.rows = args.rows + static_cast<int64_t>(row) * args.stride_h;
    a.output_row = args.output_row + row * args.output_row_stride;
    TapByTapRow(a);
  }
}

}  // namespace edgeforge::kernels::optimized::dwconv_f32
