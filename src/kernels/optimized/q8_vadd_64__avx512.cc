// 8-bit ADD / SUB with AVX-512, XNNPACK's fixed point: 16 int32 lanes per vector,
// bias + a * ma + b * mb (exact in int32: |sum| < 2^31 for the multipliers XNNPACK builds),
// arithmetic shift, + zero point, clamp, narrow. 64 elements per iteration, masked tail.
// GCC 12 flags the deliberately undefined pass-through operands inside its own
// avx512fintrin.h (_mm512_undefined_*); no uninitialized value is read here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include "kernels/optimized/vadd.h"

namespace edgeforge::kernels::optimized::vadd_kernels {

namespace {

template <bool kUnsigned>
inline __m512i Widen(const void* p, int64_t i, __mmask16 mask) {
  const __m128i bytes = _mm_maskz_loadu_epi8(mask, static_cast<const uint8_t*>(p) + i);
  return kUnsigned ? _mm512_cvtepu8_epi32(bytes) : _mm512_cvtepi8_epi32(bytes);
}

template <bool kUnsigned, bool kHasA, bool kHasB>
void Vadd(const Q8Args& args) {
  const __m512i ma = _mm512_set1_epi32(args.a_multiplier);
  const __m512i mb = _mm512_set1_epi32(args.b_multiplier);
  const __m512i bias = _mm512_set1_epi32(args.bias);
  const __m128i shift = _mm_cvtsi32_si128(args.shift);
  const __m512i zero_point = _mm512_set1_epi32(args.zero_point);
  const __m512i vmin = _mm512_set1_epi32(args.min);
  const __m512i vmax = _mm512_set1_epi32(args.max);
  auto sixteen = [&](int64_t i, __mmask16 mask) {
    __m512i acc = bias;
    if constexpr (kHasA) acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(Widen<kUnsigned>(args.a, i, mask), ma));
    if constexpr (kHasB) acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(Widen<kUnsigned>(args.b, i, mask), mb));
    __m512i q = _mm512_add_epi32(_mm512_sra_epi32(acc, shift), zero_point);
    q = _mm512_min_epi32(_mm512_max_epi32(q, vmin), vmax);
    _mm512_mask_cvtepi32_storeu_epi8(static_cast<uint8_t*>(args.output) + i, mask, q);
  };
  int64_t i = 0;
  for (; i + 64 <= args.count; i += 64) {
    sixteen(i, 0xFFFF);
    sixteen(i + 16, 0xFFFF);
    sixteen(i + 32, 0xFFFF);
    sixteen(i + 48, 0xFFFF);
  }
  for (; i < args.count; i += 16) {
    const int64_t left = args.count - i;
    sixteen(i, left >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << left) - 1));
  }
}

template <bool kUnsigned>
void Dispatch(const Q8Args& args) {
  if (args.a != nullptr && args.b != nullptr) {
    Vadd<kUnsigned, true, true>(args);
  } else if (args.a != nullptr) {
    Vadd<kUnsigned, true, false>(args);
  } else if (args.b != nullptr) {
    Vadd<kUnsigned, false, true>(args);
  } else {
    Vadd<kUnsigned, false, false>(args);
  }
}

}  // namespace

void qs8_vadd_64__avx512(const Q8Args& args) { Dispatch<false>(args); }
void qu8_vadd_64__avx512(const Q8Args& args) { Dispatch<true>(args); }

}  // namespace edgeforge::kernels::optimized::vadd_kernels
