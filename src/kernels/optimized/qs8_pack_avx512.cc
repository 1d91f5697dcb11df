// PackQs8RowsC4Avx512: the kC4 im2col gather with masked 64-byte loads and stores — one per
// contiguous run of taps (a whole filter row when it lies inside the image), so a 3x3 stem
// row of 27 taps is three loads, three XORs and three stores.
// GCC 12 reports its own _mm512_undefined_* idiom as maybe-uninitialized; silence it for the
// intrinsics headers included below.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

#include "core/check.h"
#include "kernels/optimized/qs8_pack.h"

namespace edgeforge::kernels::optimized {

namespace {

inline __mmask64 ByteMask(int64_t count) {
  return count >= 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
}

struct C4Bytes {
  __m512i flip;  // a = x ^ flip
  __m512i pad;   // padded taps: za

  // dst[0, n) = src[0, n) ^ flip. Short runs use plain 16-byte accesses when the 16 source
  // bytes are inside the input: the bytes past n land where the caller writes next (the row
  // is filled left to right and the packed block ends with kPackSlack spare bytes). Masked
  // accesses, even of a few bytes, are several times slower.
  inline void Copy(const uint8_t* src, int32_t n, uint8_t* dst, const uint8_t* src_end) const {
    if (n <= 16 && src_end - src >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm_xor_si128(v, _mm512_castsi512_si128(flip)));
      return;
    }
    if (n <= 16) {
      const __mmask16 mask = static_cast<__mmask16>(ByteMask(n));
      const __m128i v = _mm_xor_si128(_mm_maskz_loadu_epi8(mask, src), _mm512_castsi512_si128(flip));
      _mm_mask_storeu_epi8(dst, mask, v);
      return;
    }
    for (int32_t i = 0; i < n; i += 64) {
      const __mmask64 mask = ByteMask(n - i);
      const __m512i v = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, src + i), flip);
      _mm512_mask_storeu_epi8(dst + i, mask, v);
    }
  }
  inline void Fill(__m512i value, int32_t n, uint8_t* dst) const {
    if (n <= 16) {
      _mm_mask_storeu_epi8(dst, static_cast<__mmask16>(ByteMask(n)), _mm512_castsi512_si128(value));
      return;
    }
    for (int32_t i = 0; i < n; i += 64) _mm512_mask_storeu_epi8(dst + i, ByteMask(n - i), value);
  }
};

// Sum of the bytes of a packed row (K padding is zero, padded taps hold za as intended).
inline uint32_t RowSum(const uint8_t* row, int32_t kp) {
  __m512i sums = _mm512_setzero_si512();
  for (int32_t i = 0; i < kp; i += 64) {
    const __m512i v = _mm512_maskz_loadu_epi8(ByteMask(kp - i), row + i);
    sums = _mm512_add_epi64(sums, _mm512_sad_epu8(v, _mm512_setzero_si512()));
  }
  return static_cast<uint32_t>(_mm512_reduce_add_epi64(sums));
}

}  // namespace

void PackQs8RowsC4Avx512(const ConvGeometry& g, const Qs8PackedWeights& w,
                         const Qs8Operands& operands, const uint8_t* input, int64_t m_begin,
                         int64_t m_end, void* a, size_t a_stride, int32_t* row_correction) {
  EF_CHECK(w.format == Qs8Format::kC4);
  const C4Bytes bytes{_mm512_set1_epi8(static_cast<char>(w.a_xor)),
                      _mm512_set1_epi8(static_cast<char>(w.a_zero_point))};
  const __m512i zero = _mm512_setzero_si512();
  const int32_t k = g.k();
  const int32_t row_taps = g.k_w * g.in_c;
  const bool pointwise = g.is_pointwise();
  const uint8_t* input_end = input + static_cast<int64_t>(g.batches) * g.in_h * g.in_w * g.in_c;
  auto* out = static_cast<uint8_t*>(a);
  OutputPixelCursor at(g, m_begin);
  for (int64_t m = m_begin; m < m_end; ++m, out += a_stride, at.Advance(g)) {
    if (pointwise) {
      bytes.Copy(input + m * g.in_c, g.in_c, out, input_end);
    } else {
      const int32_t iy0 = at.iy0(g);
      const int32_t ix0 = at.ix0(g);
      const uint8_t* image = input + static_cast<int64_t>(at.batch) * g.in_h * g.in_w * g.in_c;
      const bool whole_rows = g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w;
      uint8_t* dst = out;
      for (int32_t ky = 0; ky < g.k_h; ++ky, dst += row_taps) {
        const int32_t iy = iy0 + ky * g.dilation_h;
        if (iy < 0 || iy >= g.in_h) {
          bytes.Fill(bytes.pad, row_taps, dst);
          continue;
        }
        const uint8_t* line = image + static_cast<int64_t>(iy) * g.in_w * g.in_c;
        if (whole_rows) {
          bytes.Copy(line + static_cast<int64_t>(ix0) * g.in_c, row_taps, dst, input_end);
          continue;
        }
        for (int32_t kx = 0; kx < g.k_w; ++kx) {
          const int32_t ix = ix0 + kx * g.dilation_w;
          uint8_t* tap = dst + kx * g.in_c;
          if (ix < 0 || ix >= g.in_w) {
            bytes.Fill(bytes.pad, g.in_c, tap);
          } else {
            bytes.Copy(line + static_cast<int64_t>(ix) * g.in_c, g.in_c, tap, input_end);
          }
        }
      }
    }
    if (w.kp > k) bytes.Fill(zero, w.kp - k, out + k);
    if (w.row_correction_factor != 0) {
      const uint32_t centered =
          RowSum(out, w.kp) - static_cast<uint32_t>(k) * static_cast<uint32_t>(w.a_zero_point);
      row_correction[m - m_begin] =
          static_cast<int32_t>(centered * static_cast<uint32_t>(w.row_correction_factor));
    }
  }
  (void)operands;
}

}  // namespace edgeforge::kernels::optimized
