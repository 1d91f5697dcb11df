// XNNPACK's fp32 requantization of 64 int32 accumulators to 64 8-bit outputs with AVX-512,
// byte-identical to reference::RequantizeWithFloatScale. Include only from *_avx512*.cc files.
//
// The reference clamps (float)acc * scale to [qmin - zp, qmax - zp], rounds with lrintf (ties
// to even: what _mm512_cvtps_epi32 does under the default MXCSR) and adds zp. Here the upper
// clamp stays in float (it keeps cvtps in range); the lower one happens after the saturating
// packs (int32 -> int16, + zp saturating, int16 -> int8), which is the same because clamping
// to an integer bound commutes with rounding and every saturation is monotone.
//
// The four accumulators hold positions in the in-lane order of dwconv_q8_quads.h; the packs
// restore the natural order. Functions are static: each ISA file gets its own copy.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace edgeforge::kernels::optimized::q8_avx512 {

struct RequantConstants {
  __m512 max_scaled;
  __m512i zero_point;  // int16 lanes
  __m512i qmin;        // 8-bit lanes
};

static inline RequantConstants MakeRequantConstants(float max_scaled, int32_t zero_point,
                                                    int32_t qmin) {
  return {_mm512_set1_ps(max_scaled), _mm512_set1_epi16(static_cast<int16_t>(zero_point)),
          _mm512_set1_epi8(static_cast<char>(qmin))};
}

static inline __m512i ScaleAndRound(__m512i acc, const float* scale, __m512 max_scaled) {
  __m512 scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(scale));
  scaled = _mm512_min_ps(scaled, max_scaled);
  return _mm512_cvtps_epi32(scaled);
}

// 64 outputs from acc0..acc3 and their 64 scales; `count` < 64 stores a prefix only.
static inline void RequantizeAndStore64(__m512i acc0, __m512i acc1, __m512i acc2, __m512i acc3,
                                        const float* scale, const RequantConstants& k,
                                        bool is_uint8, uint8_t* out, int count) {
  const __m512i r0 = ScaleAndRound(acc0, scale, k.max_scaled);
  const __m512i r1 = ScaleAndRound(acc1, scale + 16, k.max_scaled);
  const __m512i r2 = ScaleAndRound(acc2, scale + 32, k.max_scaled);
  const __m512i r3 = ScaleAndRound(acc3, scale + 48, k.max_scaled);
  const __m512i w01 = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), k.zero_point);
  const __m512i w23 = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), k.zero_point);
  __m512i bytes;
  if (is_uint8) {
    bytes = _mm512_max_epu8(_mm512_packus_epi16(w01, w23), k.qmin);
  } else {
    bytes = _mm512_max_epi8(_mm512_packs_epi16(w01, w23), k.qmin);
  }
  if (count >= 64) {
    _mm512_storeu_si512(out, bytes);
  } else {
    const __mmask64 mask = (uint64_t{1} << count) - 1;
    _mm512_mask_storeu_epi8(out, mask, bytes);
  }
}

}  // namespace edgeforge::kernels::optimized::q8_avx512
