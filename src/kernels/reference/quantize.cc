#include "kernels/reference/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/float16.h"

namespace edgeforge::kernels::reference {

namespace {

template <typename T>
void QuantizeFloat32(int64_t count, const AffineQuantizeParams& p, const float* input, T* output) {
  const float lo = static_cast<float>(std::numeric_limits<T>::min() - p.zero_point);
  const float hi = static_cast<float>(std::numeric_limits<T>::max() - p.zero_point);
  for (int64_t i = 0; i < count; ++i) {
    // Clamped in float before rounding, as XNNPACK does (also keeps lrintf in range; NaN
    // becomes the lower bound).
    const float scaled = std::fminf(std::fmaxf(input[i] * p.inverse_scale, lo), hi);
    output[i] = static_cast<T>(std::lrintf(scaled) + p.zero_point);
  }
}

template <typename In, typename Out>
void Requantize(int64_t count, const RequantizeParams& p, const In* input, Out* output) {
  constexpr int32_t kMin = std::numeric_limits<Out>::min();
  constexpr int32_t kMax = std::numeric_limits<Out>::max();
  for (int64_t i = 0; i < count; ++i) {
    const int32_t x = static_cast<int32_t>(input[i]) - p.input_zero_point;
    int32_t q;
    if (p.scheme == RequantizeParams::Scheme::kXnnpackConvert) {
      // XNNPACK folds z_out * 256 and the rounding 0x80 into one bias; an arithmetic shift.
      q = (x * p.xnnpack_multiplier + 0x80 + p.output_zero_point * 256) >> 8;
    } else {
      q = MultiplyByQuantizedMultiplier(x, p.multiplier) + p.output_zero_point;
    }
    output[i] = static_cast<Out>(std::min(std::max(q, kMin), kMax));
  }
}

template <typename T>
void Dequantize(int64_t count, float scale, int32_t zero_point, const T* input, float* output) {
  for (int64_t i = 0; i < count; ++i) {
    output[i] = static_cast<float>(static_cast<int32_t>(input[i]) - zero_point) * scale;
  }
}

}  // namespace

AffineQuantizeParams MakeAffineQuantizeParams(float scale, int32_t zero_point) {
  return {1.0f / scale, zero_point};
}

void QuantizeFloat32ToUint8(int64_t count, const AffineQuantizeParams& params, const float* input,
                            uint8_t* output) {
  QuantizeFloat32(count, params, input, output);
}

void QuantizeFloat32ToInt8(int64_t count, const AffineQuantizeParams& params, const float* input,
                           int8_t* output) {
  QuantizeFloat32(count, params, input, output);
}

RequantizeParams MakeRequantizeParams(float input_scale, int32_t input_zero_point,
                                      float output_scale, int32_t output_zero_point,
                                      bool same_dtype) {
  RequantizeParams p;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  const float ratio = input_scale / output_scale;
  if (same_dtype && ratio >= 1.0f / 256.0f && ratio <= 128.0f) {
    p.scheme = RequantizeParams::Scheme::kXnnpackConvert;
    p.xnnpack_multiplier = static_cast<int32_t>(std::lrintf(256.0f * ratio));
  } else {
    p.scheme = RequantizeParams::Scheme::kTfliteFixedPoint;
    p.multiplier =
        QuantizeMultiplier(static_cast<double>(input_scale) / static_cast<double>(output_scale));
  }
  return p;
}

void RequantizeUint8ToInt8(int64_t count, const RequantizeParams& params, const uint8_t* input,
                           int8_t* output) {
  Requantize(count, params, input, output);
}
void RequantizeInt8ToUint8(int64_t count, const RequantizeParams& params, const int8_t* input,
                           uint8_t* output) {
  Requantize(count, params, input, output);
}
void RequantizeInt8ToInt8(int64_t count, const RequantizeParams& params, const int8_t* input,
                          int8_t* output) {
  Requantize(count, params, input, output);
}
void RequantizeUint8ToUint8(int64_t count, const RequantizeParams& params, const uint8_t* input,
                            uint8_t* output) {
  Requantize(count, params, input, output);
}

void DequantizeUint8(int64_t count, float scale, int32_t zero_point, const uint8_t* input,
                     float* output) {
  Dequantize(count, scale, zero_point, input, output);
}
void DequantizeInt8(int64_t count, float scale, int32_t zero_point, const int8_t* input,
                    float* output) {
  Dequantize(count, scale, zero_point, input, output);
}

void DequantizePerChannelInt8(const PerChannelLayout& layout, const float* scales,
                              const int32_t* zero_points, const int8_t* input, float* output) {
  int64_t i = 0;
  for (int64_t o = 0; o < layout.outer; ++o) {
    for (int32_t c = 0; c < layout.channels; ++c) {
      for (int64_t k = 0; k < layout.inner; ++k, ++i) {
        output[i] = static_cast<float>(static_cast<int32_t>(input[i]) - zero_points[c]) * scales[c];
      }
    }
  }
}

void DequantizeFloat16(int64_t count, const uint16_t* input, float* output) {
  for (int64_t i = 0; i < count; ++i) output[i] = core::HalfToFloat(input[i]);
}

}  // namespace edgeforge::kernels::reference
