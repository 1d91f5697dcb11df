// The scalar form of the 8-bit GEMM output stage (qs8_gemm.h), shared by the portable kernels
// and the vector kernels' tails: the reference's RequantizeWithFloatScale with the clamp
// bounds already converted to float.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/optimized/qs8_gemm.h"

namespace edgeforge::kernels::optimized {

inline uint8_t Qs8RequantizeScalar(const Qs8GemmBlock& block, int32_t acc, int32_t col) {
  float scaled = static_cast<float>(acc) * block.scale[col];
  scaled = std::fmaxf(scaled, block.min_less_zero_point);
  scaled = std::fminf(scaled, block.max_less_zero_point);
  // In range of the output type after the clamp: its low byte is the uint8 or int8 value.
  return static_cast<uint8_t>(static_cast<int32_t>(std::lrintf(scaled)) + block.zero_point);
}

}  // namespace edgeforge::kernels::optimized
