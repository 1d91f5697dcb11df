// PackQs8RowsC4Avx512: the kC4 im2col gather with masked 64-byte loads and stores — one per
// contiguous run of taps (a whole filter row when it lies inside the image), so a 3x3 stem
// row of 27 taps is three loads, three XORs and three stores.
// GCC 12 reports its own _mm512_undefined_* idiom as (maybe-)uninitialized; silence it for the
// intrinsics headers included below.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>
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

  // dst[0, n) = src[0, n) ^ flip, using plain (unmasked) 16-, 32- or 64-byte accesses
  // whenever the source bytes they read are inside the input: masked accesses are several
  // times slower. Bytes past n may be written (up to 63): the caller fills a row left to right,
  // so they are overwritten later, and the packed block ends with kPackSlack spare bytes.
  inline void Copy(const uint8_t* src, int32_t n, uint8_t* dst, const uint8_t* src_end) const {
    const int64_t readable = src_end - src;
    if (n <= 16 && readable >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm_xor_si128(v, _mm512_castsi512_si128(flip)));
      return;
    }
    if (n <= 32 && readable >= 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_xor_si256(v, _mm512_castsi512_si256(flip)));
      return;
    }
    int32_t i = 0;
    for (; i < n && readable - i >= 64; i += 64) {
      _mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), flip));
    }
    for (; i < n; i += 64) {
      const __mmask64 mask = ByteMask(n - i);
      const __m512i v = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, src + i), flip);
      _mm512_mask_storeu_epi8(dst + i, mask, v);
    }
  }
  // dst[0, n) = src[0, n) ^ flip and dst[n, padded) = 0 in whole 64-byte stores (so it may
  // write up to 63 bytes past `padded`, like Copy): a pointwise row and its K padding.
  inline void CopyPadded(const uint8_t* src, int32_t n, int32_t padded, uint8_t* dst,
                         const uint8_t* src_end) const {
    const int64_t readable = src_end - src;
    for (int32_t i = 0; i < padded; i += 64) {
      const __mmask64 keep = ByteMask(n - i);
      const __m512i v = readable - i >= 64 ? _mm512_loadu_si512(src + i)
                                           : _mm512_maskz_loadu_epi8(keep, src + i);
      _mm512_storeu_si512(dst + i, _mm512_maskz_mov_epi8(keep, _mm512_xor_si512(v, flip)));
    }
  }
  // dst[0, n) = value; may write past n like Copy.
  inline void Fill(__m512i value, int32_t n, uint8_t* dst) const {
    if (n <= 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_castsi512_si128(value));
      return;
    }
    if (n <= 32) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm512_castsi512_si256(value));
      return;
    }
    for (int32_t i = 0; i < n; i += 64) _mm512_storeu_si512(dst + i, value);
  }
};

// Sum of the bytes of a packed row, as u8 or as s8 (K padding is zero, padded taps hold za as
// intended). s8 bytes are summed as u8 after XOR 0x80 (+128 each), then 128 per byte removed.
inline uint32_t RowSum(const uint8_t* row, int32_t kp, bool is_signed) {
  const __m512i flip = _mm512_set1_epi8(is_signed ? static_cast<char>(0x80) : 0);
  __m512i sums = _mm512_setzero_si512();
  for (int32_t i = 0; i < kp; i += 64) {
    const __mmask64 mask = ByteMask(kp - i);
    const __m512i v = _mm512_maskz_mov_epi8(mask, _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, row + i), flip));
    sums = _mm512_add_epi64(sums, _mm512_sad_epu8(v, _mm512_setzero_si512()));
  }
  const uint32_t sum = static_cast<uint32_t>(_mm512_reduce_add_epi64(sums));
  return is_signed ? sum - 128u * static_cast<uint32_t>(kp) : sum;
}

}  // namespace

void PackQs8RowsC4Avx512(const ConvGeometry& geometry, const Qs8PackedWeights& w,
                         const Qs8Operands& operands, const uint8_t* input, int64_t m_begin,
                         int64_t m_end, void* a, size_t a_stride, int32_t* row_correction) {
  EF_CHECK(w.format == Qs8Format::kC4);
  // Locals, not fields of the arguments: byte stores may alias anything, so fields would be
  // reloaded after every store.
  const ConvGeometry g = geometry;
  const int32_t kp = w.kp;
  const int32_t correction_factor = w.row_correction_factor;
  const uint32_t za = static_cast<uint32_t>(w.a_zero_point);
  const bool a_signed = w.a_signed;
  const C4Bytes bytes{_mm512_set1_epi8(static_cast<char>(w.a_xor)),
                      _mm512_set1_epi8(static_cast<char>(w.a_zero_point))};
  const __m512i zero = _mm512_setzero_si512();
  const int32_t k = g.k();
  const int32_t row_taps = g.k_w * g.in_c;
  const int64_t line_bytes = static_cast<int64_t>(g.in_w) * g.in_c;
  const bool pointwise = g.is_pointwise();
  const uint8_t* input_end = input + static_cast<int64_t>(g.batches) * g.in_h * line_bytes;
  auto* out = static_cast<uint8_t*>(a);
  if (pointwise && kp == k && a_stride == static_cast<size_t>(k) && correction_factor == 0) {
    // Consecutive input rows are consecutive packed rows: one pass over the whole block.
    const uint8_t* src = input + m_begin * k;
    const int64_t n = (m_end - m_begin) * k;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
      const __m512i v = _mm512_loadu_si512(src + i);
      _mm512_storeu_si512(out + i, _mm512_xor_si512(v, bytes.flip));
    }
    if (i < n) {
      const __mmask64 mask = ByteMask(n - i);
      _mm512_mask_storeu_epi8(out + i, mask, _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, src + i), bytes.flip));
    }
    return;
  }
  // The row correction of a finished row.
  auto finish_row = [&](int64_t m, const uint8_t* row) {
    if (correction_factor == 0) return;
    const uint32_t centered = RowSum(row, kp, a_signed) - static_cast<uint32_t>(k) * za;
    row_correction[m - m_begin] = static_cast<int32_t>(centered * static_cast<uint32_t>(correction_factor));
  };
  // Any pixel: filter rows inside the image copied whole, others tap by tap.
  auto pack_pixel = [&](const OutputPixelCursor& at, uint8_t* row) {
    const int32_t iy0 = at.iy0(g);
    const int32_t ix0 = at.ix0(g);
    const uint8_t* image = input + static_cast<int64_t>(at.batch) * g.in_h * line_bytes;
    const bool whole_rows = g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w;
    uint8_t* dst = row;
    for (int32_t ky = 0; ky < g.k_h; ++ky, dst += row_taps) {
      const int32_t iy = iy0 + ky * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) {
        bytes.Fill(bytes.pad, row_taps, dst);
        continue;
      }
      const uint8_t* line = image + iy * line_bytes;
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
    if (kp > k) bytes.Fill(zero, kp - k, row + k);
  };
  if (pointwise) {
    for (int64_t m = m_begin; m < m_end; ++m, out += a_stride) {
      bytes.CopyPadded(input + m * g.in_c, g.in_c, kp, out, input_end);
      finish_row(m, out);
    }
  } else if (g.dilation_w != 1 || row_taps > 16 || kp - k > 16 || g.k_h > 16) {
    OutputPixelCursor at(g, m_begin);
    for (int64_t m = m_begin; m < m_end; ++m, out += a_stride, at.Advance(g)) {
      pack_pixel(at, out);
      finish_row(m, out);
    }
  } else {
    // Short filter rows (a stem's k_w * 3 channels): walk output rows; pixels whose filter lies
    // inside the image horizontally take one 16-byte load, XOR and store per filter row, from
    // pointers that advance by stride_w * in_c.
    const int64_t interior_begin = (g.pad_left + g.stride_w - 1) / g.stride_w;
    const int64_t interior_end = std::max<int64_t>(
        interior_begin, std::min<int64_t>(g.out_w, (g.in_w - g.k_w + g.pad_left) / g.stride_w + 1));
    const __m128i flip = _mm512_castsi512_si128(bytes.flip);
    const __m128i pad = _mm512_castsi512_si128(bytes.pad);
    const __m128i zero16 = _mm_setzero_si128();
    const int64_t step = static_cast<int64_t>(g.stride_w) * g.in_c;
    for (int64_t m = m_begin; m < m_end;) {
      OutputPixelCursor at(g, m);
      const int64_t row_start = m - at.ox;
      const int64_t end = std::min(m_end, row_start + g.out_w);
      const int64_t inner_first = std::min(end, std::max(m, row_start + interior_begin));
      const int64_t inner_last = std::max(inner_first, std::min(end, row_start + interior_end));
      for (; m < inner_first; ++m, at.Advance(g)) {
        uint8_t* row = out + (m - m_begin) * a_stride;
        pack_pixel(at, row);
        finish_row(m, row);
      }
      const uint8_t* image = input + static_cast<int64_t>(at.batch) * g.in_h * line_bytes;
      const uint8_t* src[16];
      const int32_t iy0 = at.iy0(g);
      const int64_t x_offset = static_cast<int64_t>(at.ix0(g)) * g.in_c;
      for (int32_t ky = 0; ky < g.k_h; ++ky) {
        const int32_t iy = iy0 + ky * g.dilation_h;
        src[ky] = iy < 0 || iy >= g.in_h ? nullptr : image + iy * line_bytes + x_offset;
      }
      for (; m < inner_last; ++m, at.Advance(g)) {
        uint8_t* row = out + (m - m_begin) * a_stride;
        for (int32_t ky = 0; ky < g.k_h; ++ky) {
          uint8_t* dst = row + ky * row_taps;
          if (src[ky] == nullptr) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), pad);
          } else if (input_end - src[ky] >= 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[ky]));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm_xor_si128(v, flip));
          } else {
            bytes.Copy(src[ky], row_taps, dst, input_end);
          }
          if (src[ky] != nullptr) src[ky] += step;
        }
        // K padding; the bytes past kp belong to the next row (written after) or the slack.
        if (kp > k) _mm_storeu_si128(reinterpret_cast<__m128i*>(row + k), zero16);
        finish_row(m, row);
      }
      for (; m < end; ++m, at.Advance(g)) {
        uint8_t* row = out + (m - m_begin) * a_stride;
        pack_pixel(at, row);
        finish_row(m, row);
      }
    }
  }
  (void)operands;
}

}  // namespace edgeforge::kernels::optimized
