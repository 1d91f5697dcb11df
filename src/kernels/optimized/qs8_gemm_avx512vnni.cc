// qs8_gemm_6x64c4__avx512vnni (and 8x48, 12x32, 12x16 for narrower column tails): the kC4
// format with vpdpbusd, u8 activations broadcast 4 bytes at a time against 16 output channels
// x 4 taps of s8 weights per vector. Accumulators start at the column bias; the output stage
// is fused (qs8_epilogue_avx512_inl.h).
// GCC 12 reports its own _mm512_undefined_* idiom as (maybe-)uninitialized; silence it for
// the intrinsics headers included below.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/optimized/qs8_epilogue_avx512_inl.h"
#include "kernels/optimized/qs8_gemm.h"

namespace edgeforge::kernels::optimized {

namespace {

inline __m512i BroadcastQuad(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return _mm512_set1_epi32(v);
}

// MR rows x NP panels starting at (row0, panel0).
template <int MR, int NP>
void Tile(const Qs8GemmBlock& block, int32_t row0, int32_t panel0) {
  const uint8_t* a = static_cast<const uint8_t*>(block.a) + row0 * block.a_stride;
  const int8_t* b = static_cast<const int8_t*>(block.b) + panel0 * block.b_panel_stride;
  const size_t a_stride = block.a_stride;
  const size_t b_stride = block.b_panel_stride;
  __m512i acc[MR][NP];
#pragma GCC unroll 16
  for (int p = 0; p < NP; ++p) {
    const __m512i bias = _mm512_loadu_si512(block.column_bias + (panel0 + p) * kPanelWidth);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) acc[r][p] = bias;
  }
  const int32_t kp = block.kp;
  int32_t k = 0;
  if constexpr (MR == 1) {
    // A single row (FULLY_CONNECTED, GEMV) has only NP dependency chains: a second set of
    // accumulators for odd tap groups hides vpdpbusd's latency. Wrapping integer sums are
    // associative, so the result is the same.
    __m512i odd[NP];
#pragma GCC unroll 4
    for (int p = 0; p < NP; ++p) odd[p] = _mm512_setzero_si512();
    for (; k + 8 <= kp; k += 8) {
      const __m512i x0 = BroadcastQuad(a + k);
      const __m512i x1 = BroadcastQuad(a + k + 4);
#pragma GCC unroll 4
      for (int p = 0; p < NP; ++p) {
        const int8_t* w = b + p * b_stride + k * kPanelWidth;
        acc[0][p] = _mm512_dpbusd_epi32(acc[0][p], x0, _mm512_loadu_si512(w));
        odd[p] = _mm512_dpbusd_epi32(odd[p], x1, _mm512_loadu_si512(w + 4 * kPanelWidth));
      }
    }
#pragma GCC unroll 4
    for (int p = 0; p < NP; ++p) acc[0][p] = _mm512_add_epi32(acc[0][p], odd[p]);
  }
  for (; k < kp; k += 4) {
    __m512i w[NP];
#pragma GCC unroll 4
    for (int p = 0; p < NP; ++p) w[p] = _mm512_loadu_si512(b + p * b_stride + k * kPanelWidth);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512i x = BroadcastQuad(a + r * a_stride + k);
#pragma GCC unroll 4
      for (int p = 0; p < NP; ++p) acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], x, w[p]);
    }
  }
  if (block.row_correction != nullptr) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512i correction = _mm512_set1_epi32(block.row_correction[row0 + r]);
#pragma GCC unroll 4
      for (int p = 0; p < NP; ++p) acc[r][p] = _mm512_add_epi32(acc[r][p], correction);
    }
  }
  const int32_t col0 = panel0 * kPanelWidth;
  const int32_t count = block.cols - col0;
  if (block.c_int32 != nullptr) {
    int32_t* out = block.c_int32 + row0 * block.c_int32_stride + col0;
    const size_t stride = block.c_int32_stride;
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int p = 0; p < NP; ++p) {
        StoreRaw(acc[r][p], ColumnMask(count - p * kPanelWidth), out + r * stride + p * kPanelWidth);
      }
    }
    return;
  }
  // Locals, not block fields: byte stores may alias anything, so fields would be reloaded.
  const Avx512OutputStage stage(block);
  const float* scale = block.scale + col0;
  uint8_t* out = block.c + row0 * block.c_stride + col0;
  const size_t c_stride = block.c_stride;
  if constexpr (NP <= 2) {
    // Rows of 16 or 32 bytes that follow each other in the output: 64 bytes per store.
    if (c_stride == static_cast<size_t>(count) && count == NP * kPanelWidth) {
      constexpr int kRowsPerStore = 4 / NP;
      __m512 s[4];
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) s[v] = _mm512_loadu_ps(scale + (v % NP) * kPanelWidth);
#pragma GCC unroll 16
      for (int r = 0; r < MR; r += kRowsPerStore) {
        __m512i q[4];
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v) q[v] = acc[std::min(r + v / NP, MR - 1)][v % NP];
        stage.Store<4>(q, s, std::min(kRowsPerStore, MR - r) * count, out + r * c_stride);
      }
      return;
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) stage.StoreRow<NP>(acc[r], scale, count, out + r * c_stride);
}

// The row tail (fewer than MR rows) with an exact-height tile: no wasted work for M = 1.
template <int NP, int MR>
void TailRows(const Qs8GemmBlock& block, int32_t row0, int32_t rows, int32_t panel0) {
  if constexpr (MR > 0) {
    if (rows == MR) {
      Tile<MR, NP>(block, row0, panel0);
    } else {
      TailRows<NP, MR - 1>(block, row0, rows, panel0);
    }
  }
}

template <int MR, int NP>
void Columns(const Qs8GemmBlock& block, int32_t panel0) {
  int32_t row = 0;
  for (; row + MR <= block.rows; row += MR) Tile<MR, NP>(block, row, panel0);
  if (row < block.rows) TailRows<NP, MR - 1>(block, row, block.rows - row, panel0);
}

}  // namespace

void Qs8GemmC4Avx512Vnni(const Qs8GemmBlock& block) {
  const int32_t panels = (block.cols + kPanelWidth - 1) / kPanelWidth;
  int32_t panel = 0;
  for (; panel + 4 <= panels; panel += 4) Columns<6, 4>(block, panel);
  switch (panels - panel) {
    case 3: Columns<8, 3>(block, panel); break;
    case 2: Columns<12, 2>(block, panel); break;
    case 1: Columns<12, 1>(block, panel); break;
    default: break;
  }
}

}  // namespace edgeforge::kernels::optimized
