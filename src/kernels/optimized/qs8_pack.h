// Packing for the 8-bit GEMM (formats in qs8_gemm.h): the weights once, in Prepare; rows of A —
// the convolution's im2col matrix, gathered from the NHWC input — per block, in Eval.
//
// kC4 folds the zero points out of the inner loop. With a = x + 128 for int8 (x for uint8, and
// x itself for int8 when the kernel takes s8 activations),
// za its zero point, and (w - zw) = b + c where b is an s8 and c one per-tensor constant:
//   sum_k (x - zx)(w - zw) = sum_k a*b - za * sum_k b + c * (sum_k a - K * za)
// The second term goes into column_bias at pack time. c is 0 whenever every w - zw fits in
// s8 (int8 per-channel weights always; uint8 weights whose zero point leaves them in range);
// otherwise b is w (int8) or w - 128 (uint8) and the last term is a per-row correction that
// PackQs8Rows computes along with the row. Padded taps hold za, so they add exactly 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/optimized/conv_geometry.h"
#include "kernels/optimized/gemm_aligned_buffer.h"
#include "kernels/optimized/qs8_gemm.h"

namespace edgeforge::kernels::optimized {

// The zero points of one layer and the dtype its activations and weights share.
struct Qs8Operands {
  bool is_uint8 = false;
  int32_t input_zero_point = 0;
  int32_t filter_zero_point = 0;
};

struct Qs8PackedWeights {
  Qs8Format format = Qs8Format::kC4;
  int32_t n = 0;        // output channels
  int32_t k = 0;        // taps
  int32_t kp = 0;       // padded taps
  int32_t panels = 0;   // ceil(n / kPanelWidth)
  size_t panel_stride = 0;  // bytes
  GemmAlignedBuffer b;
  std::vector<int32_t> column_bias;  // panels * kPanelWidth, zero past n
  // kC4: activations become a = x ^ a_xor; a_zero_point is za; the per-row correction
  // factor c (0: no correction).
  uint8_t a_xor = 0;
  int32_t a_zero_point = 0;
  int32_t row_correction_factor = 0;
  bool a_signed = false;  // kC4: a is s8 (int8 activations kept as they are)
};

// weights: [n][k] (OHWI filters flattened), uint8 or int8 bytes; bias: [n] or nullptr.
// signed_a: kC4 kernels that take int8 activations as s8 (Qs8GemmKernel::signed_a).
void PackQs8Weights(Qs8Format format, int32_t kp, bool signed_a, const Qs8Operands& operands,
                    int32_t n, int32_t k, const uint8_t* weights, const int32_t* bias,
                    Qs8PackedWeights* packed);

// Bytes per element of packed A.
inline size_t Qs8AElementBytes(Qs8Format format) { return format == Qs8Format::kC4 ? 1 : 2; }

// Packs rows [m_begin, m_end) of A into `a` (rows a_stride bytes apart). When the weights need
// a row correction, row_correction[m - m_begin] receives it.
void PackQs8Rows(const ConvGeometry& g, const Qs8PackedWeights& w, const Qs8Operands& operands,
                 const uint8_t* input, int64_t m_begin, int64_t m_end, void* a, size_t a_stride,
                 int32_t* row_correction);

// The same for kC4 with AVX-512 (qs8_pack_avx512.cc): the gather of a stem layer's 3-channel
// taps is most of its time otherwise. Same bytes as PackQs8Rows in rows [m_begin, m_end), but
// it may write up to kPackSlack bytes past the last row: `a` needs that much room.
inline constexpr size_t kPackSlack = 64;
void PackQs8RowsC4Avx512(const ConvGeometry& g, const Qs8PackedWeights& w,
                         const Qs8Operands& operands, const uint8_t* input, int64_t m_begin,
                         int64_t m_end, void* a, size_t a_stride, int32_t* row_correction);

using Qs8PackRowsFn = void (*)(const ConvGeometry&, const Qs8PackedWeights&, const Qs8Operands&,
                               const uint8_t*, int64_t, int64_t, void*, size_t, int32_t*);

// The fastest packer for `format` that runs here.
Qs8PackRowsFn BestQs8PackRows(Qs8Format format);

}  // namespace edgeforge::kernels::optimized
