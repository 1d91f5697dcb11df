// Fused activations and the clamp ranges they become. The TFLite runtime computes quantized
// ranges two ways: the XNNPACK delegate (convolutions, FULLY_CONNECTED, ADD/SUB/MUL, MAX_POOL)
// quantizes the float bound with lrintf (ties to even), TFLite's own kernels (AVERAGE_POOL_2D
// quantized, the fallback paths) with std::round (ties away from zero). They differ only when
// bound / scale lands exactly on .5, but then by one.
#pragma once

#include <cstdint>

namespace edgeforge::kernels::reference {

// The fused activations a kernel can apply (TFLite's TANH and SIGN_BIT are not fusable here).
enum class FusedActivation { kNone, kRelu, kReluN1To1, kRelu6 };

struct FloatRange {
  float min;
  float max;
};

struct QuantizedRange {
  int32_t min;
  int32_t max;
};

// [-inf, inf], [0, inf], [-1, 1] or [0, 6].
FloatRange FloatActivationRange(FusedActivation activation);

// XNNPACK's: each finite bound b becomes lrintf(fminf(fmaxf(b / scale + (float)zero_point,
// qmin), qmax)); infinite bounds are qmin / qmax.
QuantizedRange XnnpackActivationRange(FusedActivation activation, float scale, int32_t zero_point,
                                      int32_t qmin, int32_t qmax);

// TFLite's CalculateActivationRangeQuantized: zero_point + (int)std::round(b / scale), then
// intersected with [qmin, qmax].
QuantizedRange TfliteActivationRange(FusedActivation activation, float scale, int32_t zero_point,
                                     int32_t qmin, int32_t qmax);

}  // namespace edgeforge::kernels::reference
