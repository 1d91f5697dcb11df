// f32_gemm_6x16__avx2: one FMA per tap and output; a 16-column panel is two ymm vectors, six
// rows make 12 accumulators. Accumulators start at the bias; the clamp is fused.
#include <immintrin.h>

#include "kernels/optimized/f32_gemm.h"

namespace edgeforge::kernels::optimized {

namespace {

constexpr int kMaxRows = 6;

// Lane i of the result is all ones when i < count.
inline __m256i LaneMask(int32_t count) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), lanes);
}

template <int MR>
void Tile(const F32GemmBlock& block, int32_t row0, int32_t panel) {
  const float* b_base = block.b + panel * block.b_panel_stride;
  const size_t a_stride = block.a_stride;
  const int32_t col0 = panel * kPanelWidth;
  __m256 lo[MR], hi[MR];
  const __m256 bias_lo = _mm256_loadu_ps(block.bias + col0);
  const __m256 bias_hi = _mm256_loadu_ps(block.bias + col0 + 8);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) lo[r] = bias_lo, hi[r] = bias_hi;
  for (int32_t s = 0; s < block.segments; ++s) {
    if (block.a_segment[s] == nullptr) continue;
    const float* a = block.a_segment[s] + row0 * a_stride;
    const float* b = b_base + static_cast<size_t>(s) * block.segment_k * kPanelWidth;
    for (int32_t k = 0; k < block.segment_k; ++k, b += kPanelWidth) {
      const __m256 w_lo = _mm256_loadu_ps(b);
      const __m256 w_hi = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const __m256 x = _mm256_broadcast_ss(a + r * a_stride + k);
        lo[r] = _mm256_fmadd_ps(x, w_lo, lo[r]);
        hi[r] = _mm256_fmadd_ps(x, w_hi, hi[r]);
      }
    }
  }
  const __m256 min_v = _mm256_set1_ps(block.min);
  const __m256 max_v = _mm256_set1_ps(block.max);
  const int32_t count = block.cols - col0;
  const __m256i mask_lo = LaneMask(count);
  const __m256i mask_hi = LaneMask(count - 8);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    float* row = block.c + (row0 + r) * block.c_stride + col0;
    // The reference's std::min(std::max(acc, lo), hi) (operand order as in f32_gemm_avx512.cc).
    const __m256 v_lo = _mm256_min_ps(max_v, _mm256_max_ps(min_v, lo[r]));
    const __m256 v_hi = _mm256_min_ps(max_v, _mm256_max_ps(min_v, hi[r]));
    if (count >= kPanelWidth) {
      _mm256_storeu_ps(row, v_lo);
      _mm256_storeu_ps(row + 8, v_hi);
    } else {
      _mm256_maskstore_ps(row, mask_lo, v_lo);
      _mm256_maskstore_ps(row + 8, mask_hi, v_hi);
    }
  }
}

}  // namespace

void F32GemmAvx2(const F32GemmBlock& block) {
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
