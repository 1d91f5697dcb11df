// f32_gemm_6x64__avx512 (and 8x48, 12x32, 12x16 for narrower column tails): one FMA per tap
// and output, A broadcast from memory, B panels of 16 floats. Accumulators start at the bias;
// the clamp is fused.
// GCC 12 reports its own _mm512_undefined_* idiom as (maybe-)uninitialized; silence it for the
// intrinsics headers included below.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "kernels/optimized/f32_gemm.h"

namespace edgeforge::kernels::optimized {

namespace {

inline __mmask16 ColumnMask(int32_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

template <int MR, int NP>
void Tile(const F32GemmBlock& block, int32_t row0, int32_t panel0) {
  const float* b_base = block.b + panel0 * block.b_panel_stride;
  const size_t a_stride = block.a_stride;
  const size_t b_stride = block.b_panel_stride;
  __m512 acc[MR][NP];
#pragma GCC unroll 4
  for (int p = 0; p < NP; ++p) {
    const __m512 bias = _mm512_loadu_ps(block.bias + (panel0 + p) * kPanelWidth);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) acc[r][p] = bias;
  }
  const int32_t k_end = block.segment_k;
  for (int32_t s = 0; s < block.segments; ++s) {
    if (block.a_segment[s] == nullptr) continue;
    const float* a = block.a_segment[s] + row0 * a_stride;
    const float* b = b_base + static_cast<size_t>(s) * k_end * kPanelWidth;
    for (int32_t k = 0; k < k_end; ++k) {
      __m512 w[NP];
#pragma GCC unroll 4
      for (int p = 0; p < NP; ++p) w[p] = _mm512_loadu_ps(b + p * b_stride + k * kPanelWidth);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const __m512 x = _mm512_set1_ps(a[r * a_stride + k]);
#pragma GCC unroll 4
        for (int p = 0; p < NP; ++p) acc[r][p] = _mm512_fmadd_ps(x, w[p], acc[r][p]);
      }
    }
  }
  const __m512 min_v = _mm512_set1_ps(block.min);
  const __m512 max_v = _mm512_set1_ps(block.max);
  __mmask16 mask[NP];
#pragma GCC unroll 4
  for (int p = 0; p < NP; ++p) mask[p] = ColumnMask(block.cols - (panel0 + p) * kPanelWidth);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    float* row = block.c + (row0 + r) * block.c_stride;
#pragma GCC unroll 4
    for (int p = 0; p < NP; ++p) {
      // The reference's std::min(std::max(acc, lo), hi), NaN and signed zeros included:
      // vmaxps/vminps return the second operand unless the first strictly wins.
      const __m512 v = _mm512_min_ps(max_v, _mm512_max_ps(min_v, acc[r][p]));
      _mm512_mask_storeu_ps(row + (panel0 + p) * kPanelWidth, mask[p], v);
    }
  }
}

template <int NP, int MR>
void TailRows(const F32GemmBlock& block, int32_t row0, int32_t rows, int32_t panel0) {
  if constexpr (MR > 0) {
    if (rows == MR) {
      Tile<MR, NP>(block, row0, panel0);
    } else {
      TailRows<NP, MR - 1>(block, row0, rows, panel0);
    }
  }
}

template <int MR, int NP>
void Columns(const F32GemmBlock& block, int32_t panel0) {
  int32_t row = 0;
  for (; row + MR <= block.rows; row += MR) Tile<MR, NP>(block, row, panel0);
  if (row < block.rows) TailRows<NP, MR - 1>(block, row, block.rows - row, panel0);
}

}  // namespace

void F32GemmAvx512(const F32GemmBlock& block) {
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
