// The quads depthwise multiply-accumulate with AVX-512 VNNI: one vpdpbusd adds four taps of
// 16 output positions (see dwconv_q8_quads.h). Quads are built by the AVX-512 interleaver.
// GCC 12 flags the deliberately undefined pass-through operands inside its own
// avx512fintrin.h (_mm512_undefined_*); no uninitialized value is read here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include "kernels/optimized/qs8_dwconv_64c4_rows_inl.h"

namespace edgeforge::kernels::optimized::dwconv_quads {

namespace {

struct VnniDot {
  static constexpr int kVectorBytes = 64;  // 16 dwords of 4 int8 weights
  using Weights = __m512i;
  static Weights Load(const uint8_t* p) { return _mm512_load_si512(p); }
  static __m512i Madd(__m512i acc, __m512i quads, Weights w) { return _mm512_dpbusd_epi32(acc, quads, w); }
};

}  // namespace

void qs8_dwconv_64c4__avx512vnni(const RowArgs& args) { RunRows<VnniDot>(args); }

}  // namespace edgeforge::kernels::optimized::dwconv_quads
