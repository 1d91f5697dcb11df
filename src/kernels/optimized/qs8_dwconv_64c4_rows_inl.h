// The row loop of the quads depthwise kernels (dwconv_q8_quads.h), shared by the AVX-512 and
// AVX-512 VNNI files through a Dot policy (how four taps of 16 positions are multiplied and
// added). Include only from those files; everything here has internal linkage.
//
// Chunks are walked pattern by pattern (chunk q uses pattern q % patterns), so a pattern's
// bias and scales — and, for the common 3x3 kernel, its weights — stay in registers while the
// loop runs over every chunk that uses them.
#pragma once

#include <immintrin.h>

#include "kernels/optimized/dwconv_q8_quads.h"
#include "kernels/optimized/q8_requantize_avx512.h"

namespace edgeforge::kernels::optimized::dwconv_quads {
namespace {

// KH, G, S > 0 fix kernel_h, groups and sets at compile time (weights then live in registers);
// 0 reads them from the arguments.
template <class Dot, int KH, int G, int S, bool kClampInFloat, bool kUint8>
void QuadRows(const RowArgs& a) {
  constexpr bool kFixed = KH > 0 && G > 0 && S > 0;
  const int32_t kh = KH > 0 ? KH : a.kernel_h;
  const int32_t groups = G > 0 ? G : a.groups;
  const int32_t sets = S > 0 ? S : a.sets;
  // Locals, not loads through `a` after every store (the byte output may alias anything).
  const uint8_t* rows[kMaxKernel];
  for (int32_t ky = 0; ky < kh; ++ky) rows[ky] = a.rows[ky];
  const size_t group_stride = a.group_stride;
  const int32_t patterns = a.patterns, chunk_begin = a.chunk_begin, chunk_end = a.chunk_end;
  const int64_t row_elements = a.row_elements;
  uint8_t* const output_row = a.output_row;
  const q8_avx512::RequantConstants k =
      q8_avx512::MakeRequantConstants(a.max_scaled, a.zero_point, a.qmin, a.qmax);
  for (int32_t p = 0; p < patterns; ++p) {
    // The first chunk of the range that uses pattern p.
    const int32_t first = chunk_begin + ((p - chunk_begin % patterns) + patterns) % patterns;
    if (first >= chunk_end) continue;
    const int32_t* bias = a.bias + p * kChunk;
    const __m512i b0 = _mm512_load_si512(bias), b1 = _mm512_load_si512(bias + 16);
    const __m512i b2 = _mm512_load_si512(bias + 32), b3 = _mm512_load_si512(bias + 48);
    const float* scale = a.scale + p * kChunk;
    const __m512 s0 = _mm512_load_ps(scale), s1 = _mm512_load_ps(scale + 16);
    const __m512 s2 = _mm512_load_ps(scale + 32), s3 = _mm512_load_ps(scale + 48);
    const uint8_t* weights = static_cast<const uint8_t*>(a.weights) + p * a.pattern_weight_bytes;
    typename Dot::Weights fixed[kFixed ? KH * G * S * 4 : 1];
    if constexpr (kFixed) {
      for (int i = 0; i < KH * G * S * 4; ++i) fixed[i] = Dot::Load(weights + i * Dot::kVectorBytes);
    }
    for (int32_t chunk = first; chunk < chunk_end; chunk += patterns) {
      __m512i acc0 = b0, acc1 = b1, acc2 = b2, acc3 = b3;
      const size_t offset = static_cast<size_t>(chunk - chunk_begin) * kChunkQuadBytes;
      int w = 0;  // weight vector index
      for (int32_t ky = 0; ky < kh; ++ky) {
        const uint8_t* row = rows[ky] + offset;
        for (int32_t g = 0; g < groups; ++g, row += group_stride) {
          const __m512i q0 = _mm512_load_si512(row);
          const __m512i q1 = _mm512_load_si512(row + 64);
          const __m512i q2 = _mm512_load_si512(row + 128);
          const __m512i q3 = _mm512_load_si512(row + 192);
          for (int32_t s = 0; s < sets; ++s, w += 4) {
            if constexpr (kFixed) {
              acc0 = Dot::Madd(acc0, q0, fixed[w]);
              acc1 = Dot::Madd(acc1, q1, fixed[w + 1]);
              acc2 = Dot::Madd(acc2, q2, fixed[w + 2]);
              acc3 = Dot::Madd(acc3, q3, fixed[w + 3]);
            } else {
              const uint8_t* wp = weights + static_cast<size_t>(w) * Dot::kVectorBytes;
              acc0 = Dot::Madd(acc0, q0, Dot::Load(wp));
              acc1 = Dot::Madd(acc1, q1, Dot::Load(wp + Dot::kVectorBytes));
              acc2 = Dot::Madd(acc2, q2, Dot::Load(wp + 2 * Dot::kVectorBytes));
              acc3 = Dot::Madd(acc3, q3, Dot::Load(wp + 3 * Dot::kVectorBytes));
            }
          }
        }
      }
      const int64_t done = static_cast<int64_t>(chunk) * kChunk;
      const int64_t left = row_elements - done;
      q8_avx512::RequantizeAndStore64<kClampInFloat>(acc0, acc1, acc2, acc3, s0, s1, s2, s3, k,
                                                     kUint8, output_row + done,
                                                     left >= kChunk ? kChunk : static_cast<int>(left));
    }
  }
}

template <class Dot, bool kClampInFloat, bool kUint8>
void DispatchRows(const RowArgs& a) {
  if (a.kernel_h == 3 && a.groups == 1 && a.sets == 1) {
    QuadRows<Dot, 3, 1, 1, kClampInFloat, kUint8>(a);
  } else if (a.kernel_h == 3 && a.groups == 1 && a.sets == 2) {
    QuadRows<Dot, 3, 1, 2, kClampInFloat, kUint8>(a);  // legacy uint8 weights
  } else if (a.kernel_h == 5 && a.groups == 2 && a.sets == 1) {
    QuadRows<Dot, 5, 2, 1, kClampInFloat, kUint8>(a);
  } else {
    QuadRows<Dot, 0, 0, 0, kClampInFloat, kUint8>(a);
  }
}

template <class Dot>
void RunRows(const RowArgs& a) {
  if (a.clamp_in_float) {
    a.is_uint8 ? DispatchRows<Dot, true, true>(a) : DispatchRows<Dot, true, false>(a);
  } else {
    a.is_uint8 ? DispatchRows<Dot, false, true>(a) : DispatchRows<Dot, false, false>(a);
  }
}

}  // namespace
}  // namespace edgeforge::kernels::optimized::dwconv_quads
