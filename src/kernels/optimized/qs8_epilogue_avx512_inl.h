// The 8-bit GEMM output stage (qs8_gemm.h) on 16 int32 accumulators with AVX-512, shared by the
// avx512vnni and amx kernels. Include only from files compiled with AVX-512 flags; the
// functions are internal to each including file so no portable file can pick up their code.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/optimized/qs8_gemm.h"

namespace edgeforge::kernels::optimized {
namespace {  // NOLINT: one copy per ISA file, on purpose

// Lanes [0, count) of a 16-column panel; count may exceed 16.
inline __mmask16 ColumnMask(int32_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

struct Avx512OutputStage {
  __m512 min_less_zero_point;
  __m512 max_less_zero_point;
  __m512i zero_point;
  explicit Avx512OutputStage(const Qs8GemmBlock& block)
      : min_less_zero_point(_mm512_set1_ps(block.min_less_zero_point)),
        max_less_zero_point(_mm512_set1_ps(block.max_less_zero_point)),
        zero_point(_mm512_set1_epi32(block.zero_point)) {}

  // The reference's float requantization, same operations in the same order:
  // (float)acc * scale, fmax(min), fmin(max), round to nearest even (cvtps under the default
  // MXCSR rounding, i.e. lrintf), + zero point; then the low byte of each lane.
  inline void Store(__m512i acc, const float* scale, __mmask16 mask, uint8_t* dst) const {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(scale));
    f = _mm512_min_ps(_mm512_max_ps(f, min_less_zero_point), max_less_zero_point);
    const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), zero_point);
    _mm_mask_storeu_epi8(dst, mask, _mm512_cvtepi32_epi8(q));
  }
};

inline void StoreRaw(__m512i acc, __mmask16 mask, int32_t* dst) {
  _mm512_mask_storeu_epi32(dst, mask, acc);
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
