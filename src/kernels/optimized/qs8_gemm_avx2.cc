// qs8_gemm_6x16c2__avx2: the kI16 format (int16 x - zx times int16 w - zw) with vpmaddwd,
// which is exact for these ranges — unlike vpmaddubsw, whose int16 sums saturate. A 16-column
// panel is two ymm vectors; six rows make 12 accumulators.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/optimized/qs8_gemm.h"

namespace edgeforge::kernels::optimized {

namespace {

constexpr int kMaxRows = 6;

inline __m256i BroadcastPair(const int16_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return _mm256_set1_epi32(v);
}

// Requantizes 16 accumulators of one row and stores `count` bytes.
inline void StoreRow(const Qs8GemmBlock& block, __m256i lo, __m256i hi, int32_t col0, int32_t count,
                     uint8_t* dst) {
  const __m256 min_v = _mm256_set1_ps(block.min_less_zero_point);
  const __m256 max_v = _mm256_set1_ps(block.max_less_zero_point);
  const __m256i zp = _mm256_set1_epi32(block.zero_point);
  __m256 f_lo = _mm256_mul_ps(_mm256_cvtepi32_ps(lo), _mm256_loadu_ps(block.scale + col0));
  __m256 f_hi = _mm256_mul_ps(_mm256_cvtepi32_ps(hi), _mm256_loadu_ps(block.scale + col0 + 8));
  f_lo = _mm256_min_ps(_mm256_max_ps(f_lo, min_v), max_v);
  f_hi = _mm256_min_ps(_mm256_max_ps(f_hi, min_v), max_v);
  const __m256i q_lo = _mm256_add_epi32(_mm256_cvtps_epi32(f_lo), zp);
  const __m256i q_hi = _mm256_add_epi32(_mm256_cvtps_epi32(f_hi), zp);
  // Values are within the output type: narrow without saturation surprises by keeping the low
  // byte of each (packs keeps int16 order per 128-bit lane, the permute restores it).
  __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(q_lo, q_hi), 0xD8);
  words = _mm256_and_si256(words, _mm256_set1_epi16(0xFF));
  const __m256i bytes = _mm256_packus_epi16(words, words);
  const __m128i row = _mm_unpacklo_epi64(_mm256_castsi256_si128(bytes),
                                         _mm256_extracti128_si256(bytes, 1));
  if (count == kPanelWidth) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), row);
  } else {
    alignas(16) uint8_t tmp[kPanelWidth];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), row);
    std::memcpy(dst, tmp, static_cast<size_t>(count));
  }
}

inline void StoreRawRow(__m256i lo, __m256i hi, int32_t count, int32_t* dst) {
  alignas(32) int32_t tmp[kPanelWidth];
  _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), lo);
  _mm256_store_si256(reinterpret_cast<__m256i*>(tmp + 8), hi);
  std::memcpy(dst, tmp, sizeof(int32_t) * static_cast<size_t>(count));
}

template <int MR>
void Tile(const Qs8GemmBlock& block, int32_t row0, int32_t panel) {
  const auto* a_base = static_cast<const uint8_t*>(block.a) + row0 * block.a_stride;
  const int16_t* a[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) a[r] = reinterpret_cast<const int16_t*>(a_base + r * block.a_stride);
  const auto* b = reinterpret_cast<const int16_t*>(static_cast<const uint8_t*>(block.b) +
                                                   panel * block.b_panel_stride);
  const int32_t col0 = panel * kPanelWidth;
  __m256i acc_lo[MR], acc_hi[MR];
  const __m256i bias_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block.column_bias + col0));
  const __m256i bias_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block.column_bias + col0 + 8));
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) acc_lo[r] = bias_lo, acc_hi[r] = bias_hi;
  for (int32_t k = 0; k < block.kp; k += 2, b += kPanelWidth * 2) {
    const __m256i b_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
    const __m256i b_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m256i pair = BroadcastPair(a[r] + k);
      acc_lo[r] = _mm256_add_epi32(acc_lo[r], _mm256_madd_epi16(pair, b_lo));
      acc_hi[r] = _mm256_add_epi32(acc_hi[r], _mm256_madd_epi16(pair, b_hi));
    }
  }
  const int32_t count = std::min<int32_t>(kPanelWidth, block.cols - col0);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    if (block.c_int32 != nullptr) {
      StoreRawRow(acc_lo[r], acc_hi[r], count,
                  block.c_int32 + (row0 + r) * block.c_int32_stride + col0);
    } else {
      StoreRow(block, acc_lo[r], acc_hi[r], col0, count, block.c + (row0 + r) * block.c_stride + col0);
    }
  }
}

}  // namespace

void Qs8GemmI16Avx2(const Qs8GemmBlock& block) {
  const int32_t panels = (block.cols + kPanelWidth - 1) / kPanelWidth;
  for (int32_t panel = 0; panel < panels; ++panel) {
    int32_t row = 0;
    for (; row + kMaxRows <= block.rows; row += kMaxRows) Tile<kMaxRows>(block, row, panel);
    switch (block.rows - row) {
      case 5: Tile<5>(block, row, panel); break;
      case 4: Tile<4>(block, row, panel); break;
      case 3: Tile<3>(block, row, panel); break;
      case 2: Tile<2>(block, row, panel); break;
      case 1: Tile<1>(block, row, panel); break;
      default: break;
    }
  }
}

}  // namespace edgeforge::kernels::optimized
