// The 8-bit GEMM output stage (qs8_gemm.h) with AVX-512 for up to 64 columns of one output row
// at a time, shared by the avx512vnni and amx kernels. Include only from files compiled with
// AVX-512 flags; the functions are internal to each including file so no portable file can
// pick up their code.
//
// The reference computes q = lrintf(clamp((float)acc * scale, lo - zp, hi - zp)) + zp. Here
// the clamp moves after the rounding, into int16 lanes where one instruction covers 32
// outputs: q = clamp(sat16(sat16(lrintf(min(f, 2^30))) + zp), lo, hi). This is the same
// value for every input: rounding is monotonic and lo - zp, hi - zp are integers, so clamping
// before or after rounding agrees; values past the int16 range saturate to the same side of
// [lo, hi]; min(f, 2^30) keeps cvtps from turning a huge positive f into INT_MIN (a huge
// negative f becomes INT_MIN, which saturates low as it should). int8 outputs are computed
// shifted by +128 so that one unsigned pack narrows both dtypes, then shifted back (XOR 0x80).
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

// Bytes [0, count) of a 64-byte row segment.
inline __mmask64 ByteMask(int32_t count) {
  return count >= 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
}

class Avx512OutputStage {
 public:
  explicit Avx512OutputStage(const Qs8GemmBlock& block) {
    const int32_t shift = block.is_uint8 ? 0 : 128;
    zero_point_ = _mm512_set1_epi16(static_cast<int16_t>(block.zero_point + shift));
    min_ = _mm512_set1_epi16(static_cast<int16_t>(block.min + shift));
    max_ = _mm512_set1_epi16(static_cast<int16_t>(block.max + shift));
    flip_ = _mm512_set1_epi8(static_cast<char>(shift));
    float_limit_ = _mm512_set1_ps(1073741824.0f);  // 2^30
    // packs/packus interleave 4-lane groups of the four inputs per 128-bit lane: dword i*4+v
    // holds group i of vector v. This gather puts vector v's 16 bytes at dwords 4v..4v+3.
    order_ = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    // The common cases skip work that cannot change the result: the 2^30 limit when every
    // scale is at most 1/2 (|acc| <= 2^31, so |f| <= 2^30), the int16 clamp when the range is
    // the whole dtype (the unsigned pack saturates to it anyway).
    limit_floats_ = !block.scales_at_most_half;
    clamp_ = block.min != (block.is_uint8 ? 0 : -128) || block.max != (block.is_uint8 ? 255 : 127);
  }

  // Requantizes acc[0, NV) with scale[0, NV) and stores the first `count` of their 16 * NV
  // bytes, vector v at dst + 16 * v (consecutive columns of one row, or consecutive rows
  // when a row is 16 or 32 bytes long).
  template <int NV>
  inline void Store(const __m512i* acc, const __m512* scale, int32_t count, uint8_t* dst) const {
    static_assert(NV >= 1 && NV <= 4);
    __m512i q[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[v]), scale[v]);
      if (limit_floats_) f = _mm512_min_ps(f, float_limit_);
      q[v] = _mm512_cvtps_epi32(f);
    }
    __m512i low = _mm512_adds_epi16(_mm512_packs_epi32(q[0], q[NV > 1 ? 1 : 0]), zero_point_);
    __m512i high = low;
    if constexpr (NV > 2) {
      high = _mm512_adds_epi16(_mm512_packs_epi32(q[2], q[NV > 3 ? 3 : 2]), zero_point_);
    }
    if (clamp_) {
      low = Clamp(low);
      if constexpr (NV > 2) high = Clamp(high);
    }
    const __m512i bytes = _mm512_xor_si512(_mm512_packus_epi16(low, high), flip_);
    _mm512_mask_storeu_epi8(dst, ByteMask(count), _mm512_permutexvar_epi32(order_, bytes));
  }

  // Requantizes acc[0, NP) (columns 16p.. of `scale`) and stores the first `count` bytes.
  template <int NP>
  inline void StoreRow(const __m512i* acc, const float* scale, int32_t count, uint8_t* dst) const {
    __m512 s[NP];
#pragma GCC unroll 4
    for (int p = 0; p < NP; ++p) s[p] = _mm512_loadu_ps(scale + 16 * p);
    Store<NP>(acc, s, count, dst);
  }

 private:
  inline __m512i Clamp(__m512i v) const { return _mm512_min_epi16(_mm512_max_epi16(v, min_), max_); }

  __m512i zero_point_, min_, max_, flip_, order_;
  __m512 float_limit_;
  bool limit_floats_;
  bool clamp_;
};

inline void StoreRaw(__m512i acc, __mmask16 mask, int32_t* dst) {
  _mm512_mask_storeu_epi32(dst, mask, acc);
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
