#include "kernels/reference/activation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgeforge::kernels::reference {

FloatRange FloatActivationRange(FusedActivation activation) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (activation) {
    case FusedActivation::kNone: return {-kInf, kInf};
    case FusedActivation::kRelu: return {0.0f, kInf};
    case FusedActivation::kReluN1To1: return {-1.0f, 1.0f};
    case FusedActivation::kRelu6: return {0.0f, 6.0f};
  }
  return {-kInf, kInf};
}

namespace {

int32_t XnnpackQuantizeBound(float bound, float scale, int32_t zero_point, int32_t qmin,
                             int32_t qmax) {
  if (std::isinf(bound)) return bound < 0 ? qmin : qmax;
  const float shifted = bound / scale + static_cast<float>(zero_point);
  return static_cast<int32_t>(std::lrintf(
      std::fminf(std::fmaxf(shifted, static_cast<float>(qmin)), static_cast<float>(qmax))));
}

}  // namespace

QuantizedRange XnnpackActivationRange(FusedActivation activation, float scale, int32_t zero_point,
                                      int32_t qmin, int32_t qmax) {
  const FloatRange bounds = FloatActivationRange(activation);
  return {XnnpackQuantizeBound(bounds.min, scale, zero_point, qmin, qmax),
          XnnpackQuantizeBound(bounds.max, scale, zero_point, qmin, qmax)};
}

QuantizedRange TfliteActivationRange(FusedActivation activation, float scale, int32_t zero_point,
                                     int32_t qmin, int32_t qmax) {
  auto quantize = [&](float bound) {
    // Bounded before the cast so that a tiny scale cannot overflow int32 (TFLite's cast would).
    const float rounded = std::fminf(std::fmaxf(std::round(bound / scale), -1e9f), 1e9f);
    return zero_point + static_cast<int32_t>(rounded);
  };
  switch (activation) {
    case FusedActivation::kNone: return {qmin, qmax};
    case FusedActivation::kRelu: return {std::max(qmin, quantize(0.0f)), qmax};
    case FusedActivation::kReluN1To1:
      return {std::max(qmin, quantize(-1.0f)), std::min(qmax, quantize(1.0f))};
    case FusedActivation::kRelu6:
      return {std::max(qmin, quantize(0.0f)), std::min(qmax, quantize(6.0f))};
  }
  return {qmin, qmax};
}

}  // namespace edgeforge::kernels::reference
