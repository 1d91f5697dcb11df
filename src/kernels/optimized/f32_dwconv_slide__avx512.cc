// Float32 depthwise sliding tiles with AVX-512 for 3x3 and 5x5 kernels, stride 1 or 2, no
// dilation (every depthwise layer of MobileNet and MnasNet). The tap-by-tap loop loaded one
// input vector per FMA and became bound by loads and by L2 traffic (about 21 GMAC/s); here a
// tile of R output rows x N columns keeps its R*N accumulators in registers and each input
// vector is loaded once for every output of the tile it touches (up to K * ceil(K / S) FMAs per
// load), so neighbouring rows and columns share their input reads. Border tiles substitute
// zero for columns outside the row and run the same unrolled code; the activation clamp is
// fused into the store.
// GCC 12 flags the deliberately undefined pass-through operand inside its own
// avx512fintrin.h (_mm512_undefined_ps); no uninitialized value is read here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include <algorithm>

#include "kernels/optimized/dwconv_f32_kernels.h"

namespace edgeforge::kernels::optimized::dwconv_f32 {

namespace {

inline __mmask16 BlockMask(int32_t channels, int32_t block) {
  const int32_t left = channels - block * kBlock;
  return left >= kBlock ? static_cast<__mmask16>(0xFFFF)
                        : static_cast<__mmask16>((1u << left) - 1u);
}

// One channel block's packed weights, bias and lane mask, held in registers by the tiles.
template <int K>
struct BlockRegs {
  __m512 w[K * K];
  __m512 bias;
  __mmask16 mask;
};

template <int K>
__attribute__((always_inline)) inline BlockRegs<K> LoadBlock(const RowArgs& a, int32_t block) {
  BlockRegs<K> b;
  const float* wp = a.weights + static_cast<int64_t>(block) * K * K * kBlock;
#pragma GCC unroll 32
  for (int t = 0; t < K * K; ++t) b.w[t] = _mm512_load_ps(wp + t * kBlock);
  b.bias = _mm512_load_ps(a.bias + block * kBlock);
  b.mask = BlockMask(a.channels, block);
  return b;
}

// Output rows [0, R) x columns [ox, ox + N) of one channel block for a KxK kernel, stride S
// (both axes), dilation 1. rows[iy] + offset points at input column 0 of the block for the
// (R - 1) * S + K input rows; ix0 = ox * S - pad_left. Each input vector is loaded once and
// feeds every accumulator it touches, so one load serves up to K * ceil(K / S) FMAs.
// kChecked: part of the tile's input span lies outside [0, in_w) and reads as zero (padding).
// Per output the taps are added in the reference's order (bias, then row by row).
template <int K, int S, int R, int N, bool kChecked, bool kMasked>
__attribute__((always_inline)) inline void SlideTile(const RowArgs& a, const float* const* rows,
                                                     int64_t offset, const BlockRegs<K>& b,
                                                     int32_t ix0, float* out) {
  constexpr int kSpan = (N - 1) * S + K;
  constexpr int kRowsIn = (R - 1) * S + K;
  const int64_t channels = a.channels;
  __m512 acc[R][N];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
    for (int o = 0; o < N; ++o) acc[r][o] = b.bias;
  }
#pragma GCC unroll 16
  for (int iy = 0; iy < kRowsIn; ++iy) {
    const float* x = rows[iy] + offset;
#pragma GCC unroll 32
    for (int j = 0; j < kSpan; ++j) {
      const int64_t ix = static_cast<int64_t>(ix0) + j;
      __m512 v;
      if (kChecked && (ix < 0 || ix >= a.in_w)) {
        v = _mm512_setzero_ps();
      } else if constexpr (kMasked) {
        v = _mm512_maskz_loadu_ps(b.mask, x + ix * channels);
      } else {
        v = _mm512_loadu_ps(x + ix * channels);
      }
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const int ky = iy - r * S;
        if (ky < 0 || ky >= K) continue;
#pragma GCC unroll 8
        for (int kx = 0; kx < K; ++kx) {
          const int d = j - kx;  // S * (output column) when this tap feeds the tile
          if (d >= 0 && d % S == 0 && d / S < N) {
            acc[r][d / S] = _mm512_fmadd_ps(v, b.w[ky * K + kx], acc[r][d / S]);
          }
        }
      }
    }
  }
  const __m512 vmin = _mm512_set1_ps(a.min), vmax = _mm512_set1_ps(a.max);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
    for (int o = 0; o < N; ++o) {
      float* p = out + r * a.output_row_stride + o * channels;
      const __m512 y = _mm512_min_ps(_mm512_max_ps(acc[r][o], vmin), vmax);
      if constexpr (kMasked) {
        _mm512_mask_storeu_ps(p, b.mask, y);
      } else {
        _mm512_storeu_ps(p, y);
      }
    }
  }
}

// Whether the tile at ox reads outside the row (then it takes the checked variant).
template <int K, int S, int N>
inline bool NeedsCheck(const RowArgs& a, int32_t ox) {
  const int32_t ix0 = ox * S - a.pad_left;
  return ix0 < 0 || ix0 + (N - 1) * S + K > a.in_w;
}

// --- Blocks outermost: a block's weights stay in registers over all of its rows and tiles, and
// the columns that neighbouring tiles share are still in L1. Best when the layer fits in L2.

template <int K, int S, int R, int N, bool kMasked>
int32_t BlockTiles(const RowArgs& a, const BlockRegs<K>& b, const float* const* rows,
                   int64_t offset, float* out, int32_t ox) {
  for (; ox + N <= a.out_w; ox += N) {
    float* o = out + static_cast<int64_t>(ox) * a.channels;
    if (NeedsCheck<K, S, N>(a, ox)) {
      SlideTile<K, S, R, N, true, kMasked>(a, rows, offset, b, ox * S - a.pad_left, o);
    } else {
      SlideTile<K, S, R, N, false, kMasked>(a, rows, offset, b, ox * S - a.pad_left, o);
    }
  }
  return ox;
}

// Rows [row, row + R) of one block: tiles of N columns, then 2, then single columns.
template <int K, int S, int R, int N, bool kMasked>
void BlockRowGroup(const RowArgs& a, const BlockRegs<K>& b, int64_t offset, int32_t row) {
  const float* const* rows = a.rows + row * S;
  float* out = a.output_row + row * a.output_row_stride + offset;
  int32_t ox = BlockTiles<K, S, R, N, kMasked>(a, b, rows, offset, out, 0);
  if constexpr (N > 2) ox = BlockTiles<K, S, R, 2, kMasked>(a, b, rows, offset, out, ox);
  BlockTiles<K, S, R, 1, kMasked>(a, b, rows, offset, out, ox);
}

// All rows of one block: groups of R rows, then of 2, then single rows. The narrower tiles
// keep several independent accumulators on the edges of small (14x14, 7x7) layers.
template <int K, int S, int R, int N, bool kMasked>
void BlockRows(const RowArgs& a, int32_t block) {
  const BlockRegs<K> b = LoadBlock<K>(a, block);
  const int64_t offset = static_cast<int64_t>(block) * kBlock;
  int32_t row = 0;
  for (; row + R <= a.out_rows; row += R) BlockRowGroup<K, S, R, N, kMasked>(a, b, offset, row);
  if constexpr (R > 2) {
    for (; row + 2 <= a.out_rows; row += 2) BlockRowGroup<K, S, 2, N, kMasked>(a, b, offset, row);
  }
  for (; row < a.out_rows; ++row) BlockRowGroup<K, S, 1, N, kMasked>(a, b, offset, row);
}

template <int K, int S, int R, int N>
void SlideBlocksOuter(const RowArgs& a) {
  for (int32_t block = a.block_begin; block < a.block_end; ++block) {
    if ((block + 1) * kBlock <= a.channels) {
      BlockRows<K, S, R, N, false>(a, block);
    } else {
      BlockRows<K, S, R, N, true>(a, block);
    }
  }
}

// --- Blocks innermost: each tile's input span is read as contiguous memory, which the
// hardware prefetchers follow far better than one block's 64 bytes per pixel; wins when the
// layer streams from L3 or memory (and for stride 2). Blocks go in chunks whose span stays
// within half of L1, so that the columns neighbouring tiles share are still there.

template <int K, int S, int R, int N, bool kChecked>
void ColumnTile(const RowArgs& a, const float* const* rows, float* out_row, int32_t ox) {
  const int32_t ix0 = ox * S - a.pad_left;
  float* out = out_row + static_cast<int64_t>(ox) * a.channels;
  const int32_t full_end = std::min(a.block_end, a.channels / kBlock);
  int32_t block = a.block_begin;
  for (; block < full_end; ++block) {
    const int64_t offset = static_cast<int64_t>(block) * kBlock;
    SlideTile<K, S, R, N, kChecked, false>(a, rows, offset, LoadBlock<K>(a, block), ix0, out + offset);
  }
  if (block < a.block_end) {
    const int64_t offset = static_cast<int64_t>(block) * kBlock;
    SlideTile<K, S, R, N, kChecked, true>(a, rows, offset, LoadBlock<K>(a, block), ix0, out + offset);
  }
}

template <int K, int S, int R, int N>
int32_t ColumnTiles(const RowArgs& a, const float* const* rows, float* out_row, int32_t ox) {
  for (; ox + N <= a.out_w; ox += N) {
    if (NeedsCheck<K, S, N>(a, ox)) {
      ColumnTile<K, S, R, N, true>(a, rows, out_row, ox);
    } else {
      ColumnTile<K, S, R, N, false>(a, rows, out_row, ox);
    }
  }
  return ox;
}

// Rows [row, row + R): tiles of N columns, then 2, then single columns.
template <int K, int S, int R, int N>
void ColumnRowGroup(const RowArgs& a, int32_t row) {
  const float* const* rows = a.rows + row * S;
  float* out = a.output_row + row * a.output_row_stride;
  int32_t ox = ColumnTiles<K, S, R, N>(a, rows, out, 0);
  if constexpr (N > 2) ox = ColumnTiles<K, S, R, 2>(a, rows, out, ox);
  ColumnTiles<K, S, R, 1>(a, rows, out, ox);
}

// Groups of R rows, then of 2, then single rows.
template <int K, int S, int R, int N>
void ColumnChunk(const RowArgs& a) {
  int32_t row = 0;
  for (; row + R <= a.out_rows; row += R) ColumnRowGroup<K, S, R, N>(a, row);
  if constexpr (R > 2) {
    for (; row + 2 <= a.out_rows; row += 2) ColumnRowGroup<K, S, 2, N>(a, row);
  }
  for (; row < a.out_rows; ++row) ColumnRowGroup<K, S, 1, N>(a, row);
}

template <int K, int S, int R, int N>
void SlideBlocksInner(const RowArgs& a) {
  constexpr int kSpanBytes = ((R - 1) * S + K) * ((N - 1) * S + K) * kBlock * 4;
  constexpr int32_t kChunk = std::max(1, 24 * 1024 / kSpanBytes);
  RowArgs chunk = a;
  for (int32_t b = a.block_begin; b < a.block_end; b += kChunk) {
    chunk.block_begin = b;
    chunk.block_end = std::min(a.block_end, b + kChunk);
    ColumnChunk<K, S, R, N>(chunk);
  }
}

template <int K, int S, int R, int N>
void SlideAll(const RowArgs& a) {
  if (a.blocks_inner) {
    SlideBlocksInner<K, S, R, N>(a);
  } else {
    SlideBlocksOuter<K, S, R, N>(a);
  }
}

// Rows per pass of the sliding kernels (the R of SlideAll below): 4 for 3x3 (16 accumulators
// and 9 weights in 32 registers), 2 for 5x5 (25 weights leave room for 8 accumulators).
int32_t SlideRowsFor(int32_t kernel_h, int32_t kernel_w, int32_t stride_h, int32_t stride_w,
                     int32_t dilation_w) {
  if (dilation_w != 1 || kernel_h != kernel_w || stride_h != stride_w) return 0;
  if (stride_w != 1 && stride_w != 2) return 0;
  if (kernel_w == 3) return 4;
  if (kernel_w == 5) return 2;
  return 0;
}

}  // namespace

bool f32_dwconv_slide__avx512(const RowArgs& a) {
  const int32_t r = SlideRowsFor(a.kernel_h, a.kernel_w, a.stride_h, a.stride_w, a.dilation_w);
  if (r == 0 || a.out_rows > r) return false;
  switch (a.kernel_w * 10 + a.stride_w) {
    case 31: SlideAll<3, 1, 4, 4>(a); return true;
    case 32: SlideAll<3, 2, 4, 4>(a); return true;
    case 51: SlideAll<5, 1, 2, 4>(a); return true;
    case 52: SlideAll<5, 2, 2, 4>(a); return true;
    default: return false;
  }
}


int32_t f32_dwconv_16c__avx512_rows(int32_t kernel_h, int32_t kernel_w, int32_t stride_h,
                                    int32_t stride_w, int32_t dilation_w) {
  const int32_t r = SlideRowsFor(kernel_h, kernel_w, stride_h, stride_w, dilation_w);
  return r > 0 ? r : 1;
}

}  // namespace edgeforge::kernels::optimized::dwconv_f32
