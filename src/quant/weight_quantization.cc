#include "quant/weight_quantization.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgeforge::quant {

namespace {

constexpr double kInt32Max = 2147483647.0;

// Elements after `axis` (the stride of one step along it) and the axis size.
struct AxisLayout {
  int64_t inner = 1;
  int64_t channels = 1;
};

AxisLayout LayoutOf(const Shape& shape, int axis) {
  AxisLayout l;
  if (axis < 0) return l;
  l.channels = shape[static_cast<size_t>(axis)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) l.inner *= shape[d];
  return l;
}

size_t ChannelOf(int64_t index, const AxisLayout& l) {
  return static_cast<size_t>((index / l.inner) % l.channels);
}

}  // namespace

std::vector<float> SymmetricScales(std::span<const float> values, const Shape& shape, int axis) {
  const AxisLayout l = LayoutOf(shape, axis);
  std::vector<float> max_abs(static_cast<size_t>(l.channels), 0.0f);
  for (size_t i = 0; i < values.size(); ++i) {
    float& m = max_abs[ChannelOf(static_cast<int64_t>(i), l)];
    m = std::max(m, std::fabs(values[i]));
  }
  for (float& m : max_abs) m = m > 0 ? m / 127.0f : 1.0f;
  return max_abs;
}

void WidenScalesForBias(std::span<const float> bias, float input_scale, std::vector<float>& weight_scales) {
  for (size_t c = 0; c < bias.size(); ++c) {
    float& ws = weight_scales[weight_scales.size() > 1 ? c : 0];
    const double needed = std::fabs(static_cast<double>(bias[c])) / kInt32Max / input_scale;
    if (needed > ws) ws = static_cast<float>(needed * (1 + 1e-6));
  }
}

std::vector<uint8_t> QuantizeSymmetric(std::span<const float> values, const Shape& shape, int axis,
                                       std::span<const float> scales) {
  const AxisLayout l = LayoutOf(shape, axis);
  std::vector<uint8_t> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const float scale = scales[scales.size() > 1 ? ChannelOf(static_cast<int64_t>(i), l) : 0];
    const float q = std::clamp(std::round(values[i] / scale), -127.0f, 127.0f);
    const int8_t v = static_cast<int8_t>(q);
    std::memcpy(&out[i], &v, 1);
  }
  return out;
}

QuantParams SymmetricParams(const std::vector<float>& scales, int axis) {
  QuantParams q;
  q.scale = scales;
  q.zero_point.assign(scales.size(), 0);
  q.quantized_dimension = std::max(axis, 0);
  return q;
}

std::vector<float> BiasScales(float input_scale, std::span<const float> weight_scales) {
  std::vector<float> out(weight_scales.size());
  for (size_t c = 0; c < out.size(); ++c) out[c] = input_scale * weight_scales[c];
  return out;
}

std::vector<int32_t> QuantizeBiasValues(std::span<const float> bias, std::span<const float> bias_scales) {
  std::vector<int32_t> out(bias.size());
  for (size_t c = 0; c < bias.size(); ++c) {
    const double scale = bias_scales[bias_scales.size() > 1 ? c : 0];
    const double q = std::round(static_cast<double>(bias[c]) / scale);
    out[c] = static_cast<int32_t>(std::clamp(q, -kInt32Max, kInt32Max));
  }
  return out;
}

}  // namespace edgeforge::quant
