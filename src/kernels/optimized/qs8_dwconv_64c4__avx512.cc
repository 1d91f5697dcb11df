// AVX-512 (F+BW) parts of the quads depthwise kernel (see dwconv_q8_quads.h): the tap
// interleaver, used by every AVX-512 path, and the multiply-accumulate for CPUs without VNNI,
// which emulates vpdpbusd exactly with two vpmaddwd on 16-bit pairs (even bytes, odd bytes).
#include <immintrin.h>

#include "kernels/optimized/dwconv_q8_quads.h"
#include "kernels/optimized/q8_requantize_avx512.h"

namespace edgeforge::kernels::optimized::dwconv_quads {

void qs8_dwconv_pack_quads__avx512(const PackQuadsArgs& args) {
  for (int32_t g = 0; g < args.groups; ++g) {
    const uint8_t* s0 = args.sources[4 * g + 0];
    const uint8_t* s1 = args.sources[4 * g + 1];
    const uint8_t* s2 = args.sources[4 * g + 2];
    const uint8_t* s3 = args.sources[4 * g + 3];
    uint8_t* out = args.quads + static_cast<size_t>(g) * args.group_stride;
    for (int32_t i = 0; i < args.chunks; ++i) {
      const size_t offset = static_cast<size_t>(i) * kChunk;
      const __m512i t0 = _mm512_loadu_si512(s0 + offset);
      const __m512i t1 = _mm512_loadu_si512(s1 + offset);
      const __m512i t2 = _mm512_loadu_si512(s2 + offset);
      const __m512i t3 = _mm512_loadu_si512(s3 + offset);
      const __m512i a = _mm512_unpacklo_epi8(t0, t1);
      const __m512i b = _mm512_unpackhi_epi8(t0, t1);
      const __m512i c = _mm512_unpacklo_epi8(t2, t3);
      const __m512i d = _mm512_unpackhi_epi8(t2, t3);
      uint8_t* q = out + static_cast<size_t>(i) * kChunkQuadBytes;
      _mm512_store_si512(q, _mm512_unpacklo_epi16(a, c));
      _mm512_store_si512(q + 64, _mm512_unpackhi_epi16(a, c));
      _mm512_store_si512(q + 128, _mm512_unpacklo_epi16(b, d));
      _mm512_store_si512(q + 192, _mm512_unpackhi_epi16(b, d));
    }
  }
}

namespace {

// acc += the four byte products of each dword, like vpdpbusd, from pre-split int16 weights.
inline __m512i DotQuads(__m512i acc, __m512i quads, const int16_t* w, __m512i low_bytes) {
  const __m512i even = _mm512_and_si512(quads, low_bytes);  // (x0, x2) as int16
  const __m512i odd = _mm512_srli_epi16(quads, 8);          // (x1, x3)
  acc = _mm512_add_epi32(acc, _mm512_madd_epi16(even, _mm512_load_si512(w)));
  return _mm512_add_epi32(acc, _mm512_madd_epi16(odd, _mm512_load_si512(w + 32)));
}

}  // namespace

void qs8_dwconv_64c4__avx512(const RowArgs& args) {
  const q8_avx512::RequantConstants k =
      q8_avx512::MakeRequantConstants(args.max_scaled, args.zero_point, args.qmin);
  const __m512i low_bytes = _mm512_set1_epi16(0x00FF);
  int32_t pattern = args.chunk_begin % args.patterns;
  for (int32_t chunk = args.chunk_begin; chunk < args.chunk_end; ++chunk) {
    const int32_t* bias = args.bias + pattern * kChunk;
    __m512i acc0 = _mm512_load_si512(bias);
    __m512i acc1 = _mm512_load_si512(bias + 16);
    __m512i acc2 = _mm512_load_si512(bias + 32);
    __m512i acc3 = _mm512_load_si512(bias + 48);
    const int16_t* w = reinterpret_cast<const int16_t*>(
        static_cast<const uint8_t*>(args.weights) + pattern * args.pattern_weight_bytes);
    const size_t chunk_offset = static_cast<size_t>(chunk - args.chunk_begin) * kChunkQuadBytes;
    for (int32_t ky = 0; ky < args.kernel_h; ++ky) {
      const uint8_t* row = args.rows[ky] + chunk_offset;
      for (int32_t g = 0; g < args.groups; ++g, row += args.group_stride) {
        const __m512i q0 = _mm512_load_si512(row);
        const __m512i q1 = _mm512_load_si512(row + 64);
        const __m512i q2 = _mm512_load_si512(row + 128);
        const __m512i q3 = _mm512_load_si512(row + 192);
        for (int32_t s = 0; s < args.sets; ++s, w += 4 * 64) {
          acc0 = DotQuads(acc0, q0, w, low_bytes);
          acc1 = DotQuads(acc1, q1, w + 64, low_bytes);
          acc2 = DotQuads(acc2, q2, w + 128, low_bytes);
          acc3 = DotQuads(acc3, q3, w + 192, low_bytes);
        }
      }
    }
    const int64_t done = static_cast<int64_t>(chunk) * kChunk;
    const int64_t left = args.row_elements - done;
    q8_avx512::RequantizeAndStore64(acc0, acc1, acc2, acc3, args.scale + pattern * kChunk, k,
                                    args.is_uint8, args.output_row + done,
                                    left >= kChunk ? kChunk : static_cast<int>(left));
    if (++pattern == args.patterns) pattern = 0;
  }
}

}  // namespace edgeforge::kernels::optimized::dwconv_quads
