// Reference kernel of L2_NORMALIZATION over the last dimension: x / max(‖x‖, 1e-6) in float32,
// and TFLite's integer algorithms for uint8 and int8, whose output scale is fixed at 1/128
// (zero point 128 for uint8, 0 for int8). Measured: byte-identical to the TFLite runtime for
// float32, int8 and uint8 (depths 1 to 5000, any input zero point).
#pragma once

#include <cstdint>

namespace edgeforge::kernels::reference {

// TFLite's epsilon for the float kernel (applied to the norm, not its square).
inline constexpr float kL2NormalizationEpsilon = 1e-6f;

// outer rows of `depth` contiguous values each.
void L2Normalization(int64_t outer, int64_t depth, const float* input, float* output);
void L2Normalization(int64_t outer, int64_t depth, int32_t input_zero_point,
                     const uint8_t* input, uint8_t* output);
void L2Normalization(int64_t outer, int64_t depth, int32_t input_zero_point, const int8_t* input,
                     int8_t* output);

// 1/sqrt(x) as multiplier · 2^shift (shift as a left shift), by TFLite's
// GetInvSqrtQuantizedMultiplierExp (Newton-Raphson in gemmlowp fixed point). Exposed for tests.
void InvSqrtQuantizedMultiplier(int32_t x, int32_t* multiplier, int* shift);

}  // namespace edgeforge::kernels::reference
