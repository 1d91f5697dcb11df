// AVX-512 (F+BW) parts of the quads depthwise kernel (see dwconv_q8_quads.h): the row padding
// and phase split, the tap interleaver (used by every AVX-512 path), and the multiply-accumulate
// for CPUs without VNNI, which emulates vpdpbusd exactly with two vpmaddwd on 16-bit pairs
// (even bytes, odd bytes): products of a byte and an int8 weight, two at a time, fit int32.
// GCC 12 flags the deliberately undefined pass-through operands inside its own
// avx512fintrin.h (_mm512_undefined_*); no uninitialized value is read here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include <cstring>

#include "kernels/optimized/qs8_dwconv_64c4_rows_inl.h"

namespace edgeforge::kernels::optimized::dwconv_quads {

namespace {

// dst[i] = src[i] ^ x for n bytes.
inline void XorCopy(uint8_t* dst, const uint8_t* src, size_t n, __m512i x) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    _mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(src + i), x));
  }
  if (i < n) {
    const __mmask64 mask = (uint64_t{1} << (n - i)) - 1;
    _mm512_mask_storeu_epi8(dst + i, mask, _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, src + i), x));
  }
}

}  // namespace

void qs8_dwconv_fill_phases__avx512(const FillPhasesArgs& a) {
  const int64_t C = a.channels;
  const __m512i x = _mm512_set1_epi8(static_cast<char>(a.xor_mask));
  if (a.stride == 1) {
    // One contiguous copy between the left and right padding.
    const int64_t left = a.pad_left < a.phase_columns ? a.pad_left : a.phase_columns;
    int64_t inside = a.phase_columns - left;
    if (inside > a.in_w) inside = a.in_w;
    std::memset(a.phases, a.pad_byte, static_cast<size_t>(left * C));
    XorCopy(a.phases + left * C, a.input_row, static_cast<size_t>(inside * C), x);
    std::memset(a.phases + (left + inside) * C, a.pad_byte,
                static_cast<size_t>((a.phase_columns - left - inside) * C));
    return;
  }
  // Strided: column blocks of C bytes, one pass over the input row (each column to its phase).
  // Columns are copied in whole vectors: the overrun lands on the phase's next column, written
  // later, or on its right padding, filled after; phase buffers have 64 bytes of slack.
  // Columns whose vectors would read past the input row use a masked tail instead.
  const int64_t vectors = (C + 63) / 64;
  const int64_t row_bytes = static_cast<int64_t>(a.in_w) * C;
  int64_t ix_end = static_cast<int64_t>(a.phase_columns) * a.stride - a.pad_left;
  if (ix_end > a.in_w) ix_end = a.in_w;
  for (int64_t ix = 0; ix < ix_end; ++ix) {
    const int64_t p = ix + a.pad_left;
    uint8_t* d = a.phases + (p % a.stride) * a.phase_bytes + (p / a.stride) * C;
    const uint8_t* src = a.input_row + ix * C;
    if (ix * C + vectors * 64 <= row_bytes) {
      for (int64_t v = 0; v < vectors; ++v) {
        _mm512_storeu_si512(d + 64 * v, _mm512_xor_si512(_mm512_loadu_si512(src + 64 * v), x));
      }
    } else {
      XorCopy(d, src, static_cast<size_t>(C), x);
    }
  }
  for (int32_t phase = 0; phase < a.stride; ++phase) {
    uint8_t* dst = a.phases + phase * a.phase_bytes;
    // Columns m with ix = m * stride + phase - pad_left inside [0, ix_end) were copied.
    int64_t lo = (static_cast<int64_t>(a.pad_left) - phase + a.stride - 1) / a.stride;
    int64_t hi = (ix_end + a.pad_left - phase + a.stride - 1) / a.stride;
    lo = lo < 0 ? 0 : (lo > a.phase_columns ? a.phase_columns : lo);
    hi = hi < lo ? lo : (hi > a.phase_columns ? a.phase_columns : hi);
    std::memset(dst, a.pad_byte, static_cast<size_t>(lo * C));
    std::memset(dst + hi * C, a.pad_byte, static_cast<size_t>((a.phase_columns - hi) * C));
  }
}

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

// Weights pre-split into int16 pairs: (w0, w2) per dword, then (w1, w3).
struct EmulatedDot {
  static constexpr int kVectorBytes = 128;
  struct Weights {
    __m512i even, odd;
  };
  static Weights Load(const uint8_t* p) { return {_mm512_load_si512(p), _mm512_load_si512(p + 64)}; }
  static __m512i Madd(__m512i acc, __m512i quads, const Weights& w) {
    const __m512i even = _mm512_and_si512(quads, _mm512_set1_epi16(0x00FF));  // (x0, x2)
    const __m512i odd = _mm512_srli_epi16(quads, 8);                          // (x1, x3)
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(even, w.even));
    return _mm512_add_epi32(acc, _mm512_madd_epi16(odd, w.odd));
  }
};

}  // namespace

void qs8_dwconv_64c4__avx512(const RowArgs& args) { RunRows<EmulatedDot>(args); }

}  // namespace edgeforge::kernels::optimized::dwconv_quads
