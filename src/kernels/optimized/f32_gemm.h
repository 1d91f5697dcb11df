// float32 GEMM micro-kernels behind CONV_2D and FULLY_CONNECTED:
//   C[m][n] = clamp(bias[n] + sum_k A[m][k] * B[k][n], min, max)
// A is the im2col matrix (for pointwise layers the input itself, read in place); B is packed
// once in panels of 16 output channels, panel[k][16]. Every kernel accumulates each output in
// the reference's order — bias first, then taps in (ky, kx, ic) order — one fused multiply-add
// per tap, so results differ from the reference (separate multiply and add) by at most a few
// roundings per tap, whatever the ISA, tile or thread count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/cpu_features.h"
#include "kernels/optimized/qs8_gemm.h"  // kPanelWidth

namespace edgeforge::kernels::optimized {

// A is read as `segments` pieces of segment_k taps each (K = segments * segment_k): row r of
// piece s starts at a_segment[s] + r * a_stride and multiplies B's taps [s * segment_k, ...).
// An im2col matrix is one piece of K taps. Without one, a convolution's output row is k_h
// pieces — one filter row each, k_w * in_c taps read straight from an input line, rows
// stride_w * in_c apart — and a null piece (a filter row in the padding) is skipped, as the
// reference skips padded taps.
inline constexpr int kMaxGemmSegments = 8;

struct F32GemmBlock {
  int32_t rows = 0;
  int32_t cols = 0;
  int32_t segments = 1;
  int32_t segment_k = 0;
  const float* a_segment[kMaxGemmSegments] = {};
  size_t a_stride = 0;        // floats between rows of A
  const float* b = nullptr;   // first panel
  size_t b_panel_stride = 0;  // floats between panels
  const float* bias = nullptr;  // per column, padded to whole panels
  float min = 0.0f;
  float max = 0.0f;
  float* c = nullptr;         // row 0, column 0
  size_t c_stride = 0;        // floats between output rows
};

using F32GemmFn = void (*)(const F32GemmBlock& block);

struct F32GemmKernel {
  const char* name;  // dtype, op, main tile, ISA
  core::Isa isa;
  F32GemmFn fn;
};

// The fastest kernel that runs here under the $EF_ISA cap and at or below `max_isa`.
const F32GemmKernel& BestF32GemmKernel(core::Isa max_isa);

// Every float kernel compiled in, available or not.
const F32GemmKernel* F32GemmKernels(size_t* count);

void F32GemmPortable(const F32GemmBlock& block);  // f32_gemm_portable.cc
void F32GemmAvx2(const F32GemmBlock& block);      // f32_gemm_avx2.cc
void F32GemmAvx512(const F32GemmBlock& block);    // f32_gemm_avx512.cc

}  // namespace edgeforge::kernels::optimized
