// GatherF32RowsAvx512: the float im2col gather with whole 16-float vectors — one load and
// store per contiguous run of taps (a whole filter row when it lies inside the image), so a
// 3x3 stem row of 27 taps is three of each.
// GCC 12 reports its own _mm512_undefined_* idiom as (maybe-)uninitialized; silence it for the
// intrinsics headers included below.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <cstdint>

#include "kernels/optimized/f32_conv.h"

namespace edgeforge::kernels::optimized {

namespace {

inline __mmask16 LaneMask(int64_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

// dst[0, n) = src[0, n) with unmasked loads where the 16 floats read are inside the input and
// unmasked stores: floats past n may be written (up to 15); the caller fills a row left to
// right and the block ends with kGatherSlack spare bytes.
inline void CopyRun(const float* src, int32_t n, float* dst, const float* src_end) {
  int32_t i = 0;
  for (; i < n && src_end - (src + i) >= 16; i += 16) {
    _mm512_storeu_ps(dst + i, _mm512_loadu_ps(src + i));
  }
  for (; i < n; i += 16) _mm512_storeu_ps(dst + i, _mm512_maskz_loadu_ps(LaneMask(n - i), src + i));
}

inline void ZeroRun(int32_t n, float* dst) {
  for (int32_t i = 0; i < n; i += 16) _mm512_storeu_ps(dst + i, _mm512_setzero_ps());
}

}  // namespace

void GatherF32RowsAvx512(const ConvGeometry& geometry, const float* input, int64_t m_begin,
                         int64_t m_end, float* a) {
  const ConvGeometry g = geometry;  // a local copy: stores may alias the caller's
  const int32_t k = g.k();
  const int32_t row_taps = g.k_w * g.in_c;
  const int64_t line_floats = static_cast<int64_t>(g.in_w) * g.in_c;
  const float* input_end = input + static_cast<int64_t>(g.batches) * g.in_h * line_floats;
  OutputPixelCursor at(g, m_begin);
  float* out = a;
  for (int64_t m = m_begin; m < m_end; ++m, out += k, at.Advance(g)) {
    const int32_t iy0 = at.iy0(g);
    const int32_t ix0 = at.ix0(g);
    const float* image = input + static_cast<int64_t>(at.batch) * g.in_h * line_floats;
    const bool whole_rows = g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w;
    float* dst = out;
    for (int32_t ky = 0; ky < g.k_h; ++ky, dst += row_taps) {
      const int32_t iy = iy0 + ky * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) {
        ZeroRun(row_taps, dst);
        continue;
      }
      const float* line = image + iy * line_floats;
      if (whole_rows) {
        CopyRun(line + static_cast<int64_t>(ix0) * g.in_c, row_taps, dst, input_end);
        continue;
      }
      for (int32_t kx = 0; kx < g.k_w; ++kx) {
        const int32_t ix = ix0 + kx * g.dilation_w;
        float* tap = dst + kx * g.in_c;
        if (ix < 0 || ix >= g.in_w) {
          ZeroRun(g.in_c, tap);
        } else {
          CopyRun(line + static_cast<int64_t>(ix) * g.in_c, g.in_c, tap, input_end);
        }
      }
    }
  }
}

}  // namespace edgeforge::kernels::optimized
