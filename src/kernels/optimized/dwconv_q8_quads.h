// The "quads" layout of the 8-bit depthwise micro-kernels (qs8_dwconv_64c4__*), shared by the
// plan (dwconv_q8_quads.cc) and the ISA files.
//
// An output row of a depthwise convolution with depth multiplier 1 is a flat array of
// out_w * C bytes; so is the input row once it is padded and split into stride phases
// (column p = m * stride + phase lands at m * C in that phase). Output position f = ox * C + c
// then reads tap kx of its row at f + ((kx * dilation) / stride) * C of phase
// (kx * dilation) % stride: a constant offset. The micro-kernel therefore walks flat chunks of
// 64 outputs whatever C is, with no border checks: for every input row it interleaves four
// consecutive taps (kx = 4g .. 4g+3) into 32-bit quads, one per output position, and one
// vpdpbusd multiplies a quad by four weights and adds it to the position's accumulator.
//
// Inside a chunk the quads are in the order the AVX-512 byte/word unpacks produce: dword i of
// quad vector k (k = 0..3) is position 16 * (i / 4) + 4 * k + i % 4. Weights, bias and scales
// are packed in that order, and the int32 -> int16 -> int8 packs of the results undo it.
// Channel c of position f is f % C, so the packed weights repeat every lcm(64, C) positions
// ("patterns" of 64).
//
// Inputs are fed as unsigned bytes: int8 x becomes x + 128 (x ^ 0x80), and padding holds the
// input zero point in that form, so a padded tap contributes exactly zero after the bias fold
// bias' = bias - (z_in + 128) * sum(w). Legacy uint8 weights w - z_w (up to +-255) are split
// into "sets" of int8 weights whose sum is w - z_w.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeforge::kernels::optimized::dwconv_quads {

constexpr int kChunk = 64;            // output positions per chunk
constexpr int kChunkQuadBytes = 256;  // 64 positions x 4 taps
constexpr int kMaxKernel = 16;        // kernel_h / groups bounds of the fast path

// Pads one input row, converts it to unsigned bytes (x ^ xor_mask) and splits it into stride
// phases: column p = m * stride + phase goes to phases + phase * phase_bytes + m * C, for
// m < phase_columns; columns outside [0, in_w) get pad_byte.
struct FillPhasesArgs {
  const uint8_t* input_row = nullptr;  // in_w * C bytes
  int32_t in_w = 0;
  int32_t channels = 0;
  int32_t stride = 1;
  int32_t pad_left = 0;
  int32_t phase_columns = 0;
  size_t phase_bytes = 0;
  uint8_t xor_mask = 0;
  uint8_t pad_byte = 0;
  uint8_t* phases = nullptr;
};
void qs8_dwconv_fill_phases__avx512(const FillPhasesArgs& args);

// Interleaves taps into quads for chunks [0, chunks) of one input row.
struct PackQuadsArgs {
  // Per tap slot k (4 per group), the phase row at the task's first chunk.
  const uint8_t* const* sources = nullptr;
  int32_t groups = 1;
  int32_t chunks = 0;
  uint8_t* quads = nullptr;  // group g at quads + g * group_stride, chunk i at + i * 256
  size_t group_stride = 0;
};
void qs8_dwconv_pack_quads__avx512(const PackQuadsArgs& args);

// Multiply-accumulate and requantize one output row, chunks [chunk_begin, chunk_end).
struct RowArgs {
  const uint8_t* const* rows = nullptr;  // kernel_h quad rows, at the task's first chunk
  size_t group_stride = 0;
  int32_t kernel_h = 1;
  int32_t groups = 1;
  int32_t sets = 1;
  int32_t chunk_begin = 0;
  int32_t chunk_end = 0;
  int32_t patterns = 1;
  // Per pattern: [kernel_h][groups][sets][4 quad vectors] of 64 bytes (vnni: int8 quads) or
  // 128 bytes (avx512: int16 pairs (w0, w2) then (w1, w3)).
  const void* weights = nullptr;
  size_t pattern_weight_bytes = 0;
  const int32_t* bias = nullptr;  // [patterns][64], folded
  const float* scale = nullptr;   // [patterns][64]
  float max_scaled = 0.0f;        // qmax - z_out
  int32_t zero_point = 0;
  int32_t qmin = 0;
  int32_t qmax = 0;
  // False when the plan proved |acc * scale| < 2^30 for every input: then the upper clamp
  // can wait for the packs (see q8_requantize_avx512.h).
  bool clamp_in_float = true;
  bool is_uint8 = false;
  int64_t row_elements = 0;  // out_w * C
  uint8_t* output_row = nullptr;
};
void qs8_dwconv_64c4__avx512vnni(const RowArgs& args);
void qs8_dwconv_64c4__avx512(const RowArgs& args);

}  // namespace edgeforge::kernels::optimized::dwconv_quads
