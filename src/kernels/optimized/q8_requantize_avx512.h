// XNNPACK's fp32 requantization of 64 int32 accumulators to 64 8-bit outputs with AVX-512,
// byte-identical to reference::RequantizeWithFloatScale. Include only from *_avx512*.cc files.
//
// The reference clamps (float)acc * scale to [qmin - zp, qmax - zp], rounds with lrintf (ties
// to even: what _mm512_cvtps_epi32 does under the default MXCSR) and adds zp. Here the clamps
// happen after the saturating packs (int32 -> int16, + zp saturating, int16 -> 8 bit), which
// gives the same bytes: clamping to an integer bound commutes with rounding and every
// saturation is monotone. The upper clamp is kept in float (kClampInFloat) unless the plan
// proved that |acc * scale| stays far below 2^31; otherwise cvtps could overflow to INT32_MIN.
//
// The four accumulators hold positions in the in-lane order of dwconv_q8_quads.h; the packs
// restore the natural order. Functions are static: each ISA file gets its own copy.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace edgeforge::kernels::optimized::q8_avx512 {

struct RequantConstants {
  __m512 max_scaled;   // qmax - zp
  __m512i zero_point;  // int16 lanes
  __m512i qmin;        // 8-bit lanes
  __m512i qmax;        // 8-bit lanes
};

static inline RequantConstants MakeRequantConstants(float max_scaled, int32_t zero_point,
                                                    int32_t qmin, int32_t qmax) {
  return {_mm512_set1_ps(max_scaled), _mm512_set1_epi16(static_cast<int16_t>(zero_point)),
          _mm512_set1_epi8(static_cast<char>(qmin)), _mm512_set1_epi8(static_cast<char>(qmax))};
}

template <bool kClampInFloat>
static inline __m512i ScaleAndRound(__m512i acc, __m512 scale, __m512 max_scaled) {
  __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
  if constexpr (kClampInFloat) scaled = _mm512_min_ps(scaled, max_scaled);
  return _mm512_cvtps_epi32(scaled);
}

// 64 outputs from acc0..acc3 and their scales; `count` < 64 stores a prefix only.
template <bool kClampInFloat>
static inline void RequantizeAndStore64(__m512i acc0, __m512i acc1, __m512i acc2, __m512i acc3,
                                        __m512 scale0, __m512 scale1, __m512 scale2,
                                        __m512 scale3, const RequantConstants& k, bool is_uint8,
                                        uint8_t* out, int count) {
  const __m512i r0 = ScaleAndRound<kClampInFloat>(acc0, scale0, k.max_scaled);
  const __m512i r1 = ScaleAndRound<kClampInFloat>(acc1, scale1, k.max_scaled);
  const __m512i r2 = ScaleAndRound<kClampInFloat>(acc2, scale2, k.max_scaled);
  const __m512i r3 = ScaleAndRound<kClampInFloat>(acc3, scale3, k.max_scaled);
  const __m512i w01 = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), k.zero_point);
  const __m512i w23 = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), k.zero_point);
  __m512i bytes;
  if (is_uint8) {  // a constant where inlined
    bytes = _mm512_max_epu8(_mm512_packus_epi16(w01, w23), k.qmin);
    if constexpr (!kClampInFloat) bytes = _mm512_min_epu8(bytes, k.qmax);
  } else {
    bytes = _mm512_max_epi8(_mm512_packs_epi16(w01, w23), k.qmin);
    if constexpr (!kClampInFloat) bytes = _mm512_min_epi8(bytes, k.qmax);
  }
  if (count >= 64) {
    _mm512_storeu_si512(out, bytes);
  } else {
    const __mmask64 mask = (uint64_t{1} << count) - 1;
    _mm512_mask_storeu_epi8(out, mask, bytes);
  }
}

}  // namespace edgeforge::kernels::optimized::q8_avx512
