// 8-bit GEMM micro-kernels behind CONV_2D and FULLY_CONNECTED (int8 per-channel, uint8 legacy
// per-tensor): C[m][n] = requantize(bias[n] + sum_k (x[m][k] - zx) * (w[n][k] - zw), n).
//
// Two data formats, each with its own packing (qs8_pack.h):
//   kC4  (avx512vnni, amx): A is u8 (int8 activations are shifted by +128, an XOR with 0x80;
//        AMX keeps them s8 and uses TDPBSSD instead, so pointwise layers read the input in
//        place), B is s8 in panels of 16 output channels, K in groups of 4: panel[k/4][16][4],
//        exactly what vpdpbusd reads as one vector and what an AMX B tile holds in one row.
//        The zero points are folded out of the inner loop at pack time (see qs8_pack.h):
//          acc = column_bias[n] + sum_k a[m][k] * b[n][k] + row_correction[m].
//   kI16 (portable, avx2): A holds x - zx and B holds w - zw as int16, K in pairs:
//        panel[k/2][16][2] (vpmaddwd). Every product fits, no correction terms:
//          acc = column_bias[n] + sum_k a[m][k] * b[n][k].
// Accumulation wraps modulo 2^32 like the reference's (which truncates an int64 sum), so every
// ISA gives the reference's bits. The output stage is the reference's XNNPACK float
// requantization: (float)acc * scale[n] in float32, clamp to [min - zp, max - zp], round to
// nearest even, + zp — the portable and AVX2 kernels in that order, the AVX-512 ones with the
// clamp moved after the rounding, which gives the same bytes (qs8_epilogue_avx512_inl.h).
// Any other output stage (TFLite's fixed point) asks the kernel for the raw int32
// accumulators instead (c_int32). Where kernels read packed A, the packing is also where the
// im2col gather happens; pointwise layers without a transform read the input in place.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/cpu_features.h"

namespace edgeforge::kernels::optimized {

// Output channels per packed panel (one 512-bit vector of int32 / float).
inline constexpr int32_t kPanelWidth = 16;

enum class Qs8Format { kC4, kI16 };

// One kernel call: rows x cols outputs from `rows` rows of packed A and ceil(cols / 16) panels
// of packed B.
struct Qs8GemmBlock {
  int32_t rows = 0;
  int32_t cols = 0;
  int32_t kp = 0;                // padded K: elements per row of A and per panel column of B
  const void* a = nullptr;       // packed A, row 0
  size_t a_stride = 0;           // bytes between rows of A
  const void* b = nullptr;       // packed B, first panel
  size_t b_panel_stride = 0;     // bytes between panels of B
  const int32_t* column_bias = nullptr;     // per column (padded to whole panels)
  const int32_t* row_correction = nullptr;  // per row, or nullptr (kC4 only)
  const float* scale = nullptr;             // per column (padded to whole panels)
  float min_less_zero_point = 0.0f;         // output range minus the zero point, in float
  float max_less_zero_point = 0.0f;
  int32_t zero_point = 0;
  int32_t min = 0;                          // output range (the activation's, in the dtype)
  int32_t max = 0;
  bool is_uint8 = false;                    // output dtype: uint8, else int8
  bool scales_at_most_half = false;         // every scale[] <= 0.5 (lets kernels skip a guard)
  bool a_is_signed = false;                 // kC4: A holds s8 (int8 input, Qs8GemmKernel::signed_a)
  uint8_t* c = nullptr;          // requantized 8-bit outputs, column 0 of row 0
  size_t c_stride = 0;           // bytes between output rows
  // When set, the kernel stores the int32 accumulators here instead of requantizing.
  int32_t* c_int32 = nullptr;
  size_t c_int32_stride = 0;     // int32 elements between rows
};

using Qs8GemmFn = void (*)(const Qs8GemmBlock& block);

struct Qs8GemmKernel {
  const char* name;  // XNNPACK style: dtype, op, main tile, ISA
  core::Isa isa;
  Qs8Format format;
  Qs8GemmFn fn;
  // Packed A rows are padded to a multiple of this (AMX loads whole 16-row tiles).
  int32_t row_padding;
  // kC4 with int8 activations: A stays s8 (no +128 shift).
  bool signed_a;
};

// Padded K of a format/kernel: kC4 rounds to 4, and AMX past 64 to whole 64-byte tile rows;
// kI16 rounds to 2.
int32_t Qs8PaddedK(const Qs8GemmKernel& kernel, int32_t k);

// The fastest kernel that runs on this CPU under the $EF_ISA cap and at or below `max_isa`
// for a GEMM of `rows` x `k` (AMX pays off from a full tile of rows and from K of a few dozen:
// below that the output stage dominates and AMX's tile stores only add to it).
const Qs8GemmKernel& BestQs8GemmKernel(core::Isa max_isa, int64_t rows, int32_t k);

// Every 8-bit kernel compiled in, available or not (tests and benchmarks iterate over these).
const Qs8GemmKernel* Qs8GemmKernels(size_t* count);

// Entry points, one per ISA file.
void Qs8GemmI16Portable(const Qs8GemmBlock& block);   // qs8_gemm_portable.cc
void Qs8GemmI16Avx2(const Qs8GemmBlock& block);       // qs8_gemm_avx2.cc
void Qs8GemmC4Avx512Vnni(const Qs8GemmBlock& block);  // qs8_gemm_avx512vnni.cc
void Qs8GemmC4Amx(const Qs8GemmBlock& block);         // qs8_gemm_amx.cc

}  // namespace edgeforge::kernels::optimized
