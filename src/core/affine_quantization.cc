#include "core/affine_quantization.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgeforge::core {

QuantParams ChooseAsymmetric(float min, float max, DType dtype) {
  min = std::min(min, 0.0f);
  max = std::max(max, 0.0f);
  const float qmin = dtype == DType::kInt8 ? -128.f : 0.f;
  const float qmax = dtype == DType::kInt8 ? 127.f : 255.f;
  float scale = (max - min) / (qmax - qmin);
  if (!(scale > 0)) scale = 1.0f;  // an all-zero range: any scale represents it
  // Zero point nudged to an integer so that 0.0 is exactly representable.
  float zp = std::round(qmin - min / scale);
  zp = std::clamp(zp, qmin, qmax);
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {static_cast<int64_t>(zp)};
  return q;
}

QuantParams ChooseSymmetricInt8(std::span<const float> values) {
  float max_abs = 0;
  for (float v : values) max_abs = std::max(max_abs, std::fabs(v));
  QuantParams q;
  q.scale = {max_abs > 0 ? max_abs / 127.0f : 1.0f};
  q.zero_point = {0};
  return q;
}

std::vector<uint8_t> QuantizeValues(std::span<const float> values, const QuantParams& quant, DType dtype) {
  const float scale = quant.scale.at(0);
  const int64_t zp = quant.zero_point.empty() ? 0 : quant.zero_point[0];
  const int lo = dtype == DType::kInt8 ? -128 : 0, hi = dtype == DType::kInt8 ? 127 : 255;
  std::vector<uint8_t> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    long q = std::lround(values[i] / scale) + zp;
    int v = static_cast<int>(std::clamp<long>(q, lo, hi));
    if (dtype == DType::kInt8) {
      int8_t s = static_cast<int8_t>(v);
      std::memcpy(&out[i], &s, 1);
    } else {
      out[i] = static_cast<uint8_t>(v);
    }
  }
  return out;
}

std::vector<int32_t> QuantizeBias(std::span<const float> bias, float input_scale,
                                  std::span<const float> weight_scales) {
  std::vector<int32_t> out(bias.size());
  for (size_t i = 0; i < bias.size(); ++i) {
    float ws = weight_scales.size() > 1 ? weight_scales[i] : weight_scales[0];
    double q = std::round(static_cast<double>(bias[i]) / (static_cast<double>(input_scale) * ws));
    out[i] = static_cast<int32_t>(std::clamp(q, -2147483648.0, 2147483647.0));
  }
  return out;
}

}  // namespace edgeforge::core
