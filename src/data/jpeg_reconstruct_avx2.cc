// The reference (jpeg-js) IDCT's AVX2 path (this file gets -mavx2; the dispatch is in
// jpeg_reconstruct.cc): 8 rows or 8 columns at once in plain int32 arithmetic, which is
// jpeg-js's for blocks within kInt32SafeLimit (jpeg_idct.h), written as loops over 8 lanes that
// the compiler vectorizes. (Built for SSE2 the same loops measured slower than the scalar code:
// without vpmulld each constant product takes several instructions.)
#include "data/jpeg_idct.h"

namespace edgeforge::data::jpeg_idct {
namespace {

// Both shortcut and general results for every lane, then a select: no branches, so the loop
// over lanes vectorizes. v[i * 8 + lane] is input / output i of lane `lane`.
template <PassScaling pass>
inline void LanePass(int32_t* v) {
  for (int lane = 0; lane < 8; ++lane) {
    int32_t x[8], general[8];
    for (int i = 0; i < 8; ++i) x[i] = v[i * 8 + lane];
    Butterfly<pass, Int32Arithmetic>(x, general);
    const int32_t flat = DcOnly<pass, Int32Arithmetic>(x[0]);
    const bool ac_zero = (x[1] | x[2] | x[3] | x[4] | x[5] | x[6] | x[7]) == 0;
    for (int i = 0; i < 8; ++i) v[i * 8 + lane] = ac_zero ? flat : general[i];
  }
}

inline void Transpose(const int32_t* in, int32_t* out) {
  for (int r = 0; r < 8; ++r) {
    for (int c = 0; c < 8; ++c) out[c * 8 + r] = in[r * 8 + c];
  }
}

}  // namespace

bool InverseDctInt32Avx2(const int16_t* coefficients, const uint16_t* quant_steps, uint8_t* out,
                         size_t stride) {
  alignas(32) int32_t block[64];
  alignas(32) int32_t transposed[64];
  // A 16-bit coefficient times a 16-bit step always fits int32: |-32768 * 65535| < 2^31, and
  // adding the limit cannot overflow either.
  uint32_t out_of_range = 0;
  for (int i = 0; i < 64; ++i) {
    block[i] = int32_t{coefficients[i]} * int32_t{quant_steps[i]};
    out_of_range |= static_cast<uint32_t>(block[i] + kInt32SafeLimit) > 2u * kInt32SafeLimit;
  }
  if (out_of_range != 0) return false;
  // Row pass: rows become lanes.
  Transpose(block, transposed);
  LanePass<kRowPass>(transposed);
  Transpose(transposed, block);
  // Column pass: columns are lanes as stored.
  LanePass<kColumnPass>(block);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      const int32_t v = 128 + Int32Arithmetic::Round(block[y * 8 + x], 4);
      out[y * stride + x] = static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
  return true;
}

}  // namespace edgeforge::data::jpeg_idct

