#include "kernels/reference/elementwise.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/check.h"
#include "kernels/reference/requantize.h"

namespace edgeforge::kernels::reference {

namespace {

int32_t Clamp(int32_t v, QuantizedRange range) { return std::min(std::max(v, range.min), range.max); }

// Both XNNPACK ratio checks are on f32 quotients, like the delegate computes them.
bool RatioInRange(float ratio, float lo, float hi) { return ratio >= lo && ratio < hi; }

template <typename T>
void AddXnnpack(const BroadcastLayout& layout, const XnnpackAddParams& p, const T* a, const T* b,
                T* output) {
  ForEachBroadcastElement(layout, [&](int64_t o, int64_t ia, int64_t ib) {
    // int64 only to keep the sanitizer quiet; XNNPACK's int32 sum cannot overflow here
    // (|multipliers| <= 2^21, |values| <= 255).
    const int64_t acc = static_cast<int64_t>(p.bias) +
                        static_cast<int64_t>(a[ia]) * p.a_multiplier +
                        static_cast<int64_t>(b[ib]) * p.b_multiplier;
    const int32_t shifted = static_cast<int32_t>(acc >> p.shift);  // arithmetic shift
    output[o] = static_cast<T>(Clamp(shifted + p.output_zero_point, p.clamp));
  });
}

template <typename T>
void AddTflite(const BroadcastLayout& layout, const TfliteAddParams& p, const T* a, const T* b,
               T* output) {
  ForEachBroadcastElement(layout, [&](int64_t o, int64_t ia, int64_t ib) {
    const int32_t a_shifted = (p.a_offset + static_cast<int32_t>(a[ia])) * (1 << p.left_shift);
    const int32_t b_shifted = (p.b_offset + static_cast<int32_t>(b[ib])) * (1 << p.left_shift);
    const int32_t a_scaled = MultiplyByQuantizedMultiplier(a_shifted, p.a_multiplier);
    const int32_t b_scaled = MultiplyByQuantizedMultiplier(b_shifted, p.b_multiplier);
    const int32_t raw = p.op == AddOrSub::kAdd ? a_scaled + b_scaled : a_scaled - b_scaled;
    const int32_t q = MultiplyByQuantizedMultiplier(raw, p.output_multiplier) + p.output_offset;
    output[o] = static_cast<T>(Clamp(q, p.clamp));
  });
}

template <typename T>
void MulQuantized(const BroadcastLayout& layout, const QuantizedMulParams& p, const T* a,
                  const T* b, T* output) {
  ForEachBroadcastElement(layout, [&](int64_t o, int64_t ia, int64_t ib) {
    const int32_t product = (static_cast<int32_t>(a[ia]) - p.a_zero_point) *
                            (static_cast<int32_t>(b[ib]) - p.b_zero_point);
    int32_t q;
    if (p.scheme == QuantizedMulParams::Scheme::kXnnpackFloatScale) {
      q = RequantizeWithFloatScale(product, p.scale, p.output_zero_point, p.clamp.min, p.clamp.max);
    } else {
      q = Clamp(MultiplyByQuantizedMultiplier(product, p.multiplier) + p.output_zero_point, p.clamp);
    }
    output[o] = static_cast<T>(q);
  });
}

}  // namespace

void AddSubFloat32(AddOrSub op, const BroadcastLayout& layout, FloatRange clamp, const float* a,
                   const float* b, float* output) {
  ForEachBroadcastElement(layout, [&](int64_t o, int64_t ia, int64_t ib) {
    const float v = op == AddOrSub::kAdd ? a[ia] + b[ib] : a[ia] - b[ib];
    output[o] = std::min(std::max(v, clamp.min), clamp.max);
  });
}

void MulFloat32(const BroadcastLayout& layout, FloatRange clamp, const float* a, const float* b,
                float* output) {
  ForEachBroadcastElement(layout, [&](int64_t o, int64_t ia, int64_t ib) {
    output[o] = std::min(std::max(a[ia] * b[ib], clamp.min), clamp.max);
  });
}

bool XnnpackAddSupportsScales(const BinaryQuantization& q) {
  constexpr float kMin = 1.0f / 1024.0f;
  constexpr float kMax = 256.0f;
  return RatioInRange(q.a_scale / q.output_scale, kMin, kMax) &&
         RatioInRange(q.b_scale / q.output_scale, kMin, kMax);
}

XnnpackAddParams MakeXnnpackAddParams(AddOrSub op, const BinaryQuantization& q,
                                      FusedActivation activation, int32_t qmin, int32_t qmax) {
  EF_CHECK(XnnpackAddSupportsScales(q));
  const float a_ratio = q.a_scale / q.output_scale;
  float b_ratio = q.b_scale / q.output_scale;
  if (op == AddOrSub::kSub) b_ratio = -b_ratio;
  const float max_abs_ratio = std::max(std::fabs(a_ratio), std::fabs(b_ratio));
  const int32_t exponent = static_cast<int32_t>(std::bit_cast<uint32_t>(max_abs_ratio) >> 23) - 127;
  const int32_t shift = 20 - exponent;  // [12, 30] for ratios in range
  EF_CHECK_GE(shift, 12);
  EF_CHECK_LE(shift, 30);
  // XNNPACK scales by adding shift to the exponent bits: exact, like ldexp.
  auto multiplier = [&](float ratio) {
    const int32_t magnitude = static_cast<int32_t>(std::lrintf(std::ldexp(std::fabs(ratio), shift)));
    return std::signbit(ratio) ? -magnitude : magnitude;
  };
  XnnpackAddParams p;
  p.a_multiplier = multiplier(a_ratio);
  p.b_multiplier = multiplier(b_ratio);
  p.shift = shift;
  p.bias = (int32_t{1} << (shift - 1)) - p.a_multiplier * q.a_zero_point -
           p.b_multiplier * q.b_zero_point;
  p.output_zero_point = q.output_zero_point;
  p.clamp = XnnpackActivationRange(activation, q.output_scale, q.output_zero_point, qmin, qmax);
  return p;
}

TfliteAddParams MakeTfliteAddParams(AddOrSub op, const BinaryQuantization& q,
                                    FusedActivation activation, int32_t qmin, int32_t qmax) {
  TfliteAddParams p;
  p.op = op;
  p.left_shift = 20;
  p.a_offset = -q.a_zero_point;
  p.b_offset = -q.b_zero_point;
  p.output_offset = q.output_zero_point;
  const double twice_max_input_scale =
      2.0 * std::max(static_cast<double>(q.a_scale), static_cast<double>(q.b_scale));
  p.a_multiplier = QuantizeMultiplier(q.a_scale / twice_max_input_scale);
  p.b_multiplier = QuantizeMultiplier(q.b_scale / twice_max_input_scale);
  p.output_multiplier = QuantizeMultiplier(
      twice_max_input_scale / (static_cast<double>(1 << p.left_shift) * q.output_scale));
  p.clamp = TfliteActivationRange(activation, q.output_scale, q.output_zero_point, qmin, qmax);
  return p;
}

void AddXnnpackUint8(const BroadcastLayout& layout, const XnnpackAddParams& params,
                     const uint8_t* a, const uint8_t* b, uint8_t* output) {
  AddXnnpack(layout, params, a, b, output);
}
void AddXnnpackInt8(const BroadcastLayout& layout, const XnnpackAddParams& params, const int8_t* a,
                    const int8_t* b, int8_t* output) {
  AddXnnpack(layout, params, a, b, output);
}
void AddTfliteUint8(const BroadcastLayout& layout, const TfliteAddParams& params, const uint8_t* a,
                    const uint8_t* b, uint8_t* output) {
  AddTflite(layout, params, a, b, output);
}
void AddTfliteInt8(const BroadcastLayout& layout, const TfliteAddParams& params, const int8_t* a,
                   const int8_t* b, int8_t* output) {
  AddTflite(layout, params, a, b, output);
}

bool XnnpackMulSupportsScales(const BinaryQuantization& q) {
  const float product_scale = q.a_scale * q.b_scale;
  return RatioInRange(product_scale / q.output_scale, 1.0f / 65536.0f, 256.0f);
}

QuantizedMulParams MakeQuantizedMulParams(const BinaryQuantization& q, FusedActivation activation,
                                          int32_t qmin, int32_t qmax) {
  QuantizedMulParams p;
  p.a_zero_point = q.a_zero_point;
  p.b_zero_point = q.b_zero_point;
  p.output_zero_point = q.output_zero_point;
  if (XnnpackMulSupportsScales(q)) {
    p.scheme = QuantizedMulParams::Scheme::kXnnpackFloatScale;
    const float product_scale = q.a_scale * q.b_scale;
    p.scale = product_scale / q.output_scale;
    p.clamp = XnnpackActivationRange(activation, q.output_scale, q.output_zero_point, qmin, qmax);
  } else {
    p.scheme = QuantizedMulParams::Scheme::kTfliteFixedPoint;
    p.clamp = TfliteActivationRange(activation, q.output_scale, q.output_zero_point, qmin, qmax);
    p.multiplier = QuantizeMultiplier(static_cast<double>(q.a_scale) *
                                      static_cast<double>(q.b_scale) /
                                      static_cast<double>(q.output_scale));
  }
  return p;
}

void MulUint8(const BroadcastLayout& layout, const QuantizedMulParams& params, const uint8_t* a,
              const uint8_t* b, uint8_t* output) {
  MulQuantized(layout, params, a, b, output);
}
void MulInt8(const BroadcastLayout& layout, const QuantizedMulParams& params, const int8_t* a,
             const int8_t* b, int8_t* output) {
  MulQuantized(layout, params, a, b, output);
}

}  // namespace edgeforge::kernels::reference
