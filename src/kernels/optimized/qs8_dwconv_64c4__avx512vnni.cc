// The quads depthwise multiply-accumulate with AVX-512 VNNI: one vpdpbusd adds four taps of
// 16 output positions (see dwconv_q8_quads.h). Quads are built by the AVX-512 interleaver.
#include <immintrin.h>

#include "kernels/optimized/dwconv_q8_quads.h"
#include "kernels/optimized/q8_requantize_avx512.h"

namespace edgeforge::kernels::optimized::dwconv_quads {

void qs8_dwconv_64c4__avx512vnni(const RowArgs& args) {
  const q8_avx512::RequantConstants k =
      q8_avx512::MakeRequantConstants(args.max_scaled, args.zero_point, args.qmin);
  int32_t pattern = args.chunk_begin % args.patterns;
  for (int32_t chunk = args.chunk_begin; chunk < args.chunk_end; ++chunk) {
    const int32_t* bias = args.bias + pattern * kChunk;
    __m512i acc0 = _mm512_load_si512(bias);
    __m512i acc1 = _mm512_load_si512(bias + 16);
    __m512i acc2 = _mm512_load_si512(bias + 32);
    __m512i acc3 = _mm512_load_si512(bias + 48);
    const uint8_t* w =
        static_cast<const uint8_t*>(args.weights) + pattern * args.pattern_weight_bytes;
    const size_t chunk_offset = static_cast<size_t>(chunk - args.chunk_begin) * kChunkQuadBytes;
    for (int32_t ky = 0; ky < args.kernel_h; ++ky) {
      const uint8_t* row = args.rows[ky] + chunk_offset;
      for (int32_t g = 0; g < args.groups; ++g, row += args.group_stride) {
        const __m512i q0 = _mm512_load_si512(row);
        const __m512i q1 = _mm512_load_si512(row + 64);
        const __m512i q2 = _mm512_load_si512(row + 128);
        const __m512i q3 = _mm512_load_si512(row + 192);
        for (int32_t s = 0; s < args.sets; ++s, w += 256) {
          acc0 = _mm512_dpbusd_epi32(acc0, q0, _mm512_load_si512(w));
          acc1 = _mm512_dpbusd_epi32(acc1, q1, _mm512_load_si512(w + 64));
          acc2 = _mm512_dpbusd_epi32(acc2, q2, _mm512_load_si512(w + 128));
          acc3 = _mm512_dpbusd_epi32(acc3, q3, _mm512_load_si512(w + 192));
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
