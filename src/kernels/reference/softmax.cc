#include "kernels/reference/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgeforge::kernels::reference {

namespace {

// TFLite's QuantizeSoftmaxOutput: uint8 adds 0.5 and truncates (x86 builds), int8 rounds half
// away from zero.
inline int32_t QuantizeProbability(float rescaled, int32_t zero_point, uint8_t) {
  return static_cast<int32_t>(rescaled + 0.5f) + zero_point;
}
inline int32_t QuantizeProbability(float rescaled, int32_t zero_point, int8_t) {
  return static_cast<int32_t>(std::round(rescaled)) + zero_point;
}

template <typename T>
void SoftmaxQuantized(const SoftmaxShape& shape, const SoftmaxLookupTable& lut, const T* input,
                      T* output) {
  constexpr int32_t kMin = std::numeric_limits<T>::min();
  constexpr int32_t kMax = std::numeric_limits<T>::max();
  for (int64_t row = 0; row < shape.outer; ++row) {
    const T* in = input + row * shape.depth;
    T* out = output + row * shape.depth;
    int32_t max = kMin;
    for (int32_t i = 0; i < shape.depth; ++i) max = std::max(max, static_cast<int32_t>(in[i]));
    // t(x) = table[255 - max + x]: x - max is in [-255, 0] for both dtypes.
    auto t = [&](T x) { return lut.table[255 - max + static_cast<int32_t>(x)]; };
    float sum = 0.0f;
    for (int32_t i = 0; i < shape.depth; ++i) sum += t(in[i]);
    const float inv = 1.0f / (sum * lut.output_scale);
    for (int32_t i = 0; i < shape.depth; ++i) {
      const int32_t q = QuantizeProbability(t(in[i]) * inv, lut.output_zero_point, T{});
      out[i] = static_cast<T>(std::min(std::max(q, kMin), kMax));
    }
  }
}

}  // namespace

void SoftmaxFloat32(const SoftmaxShape& shape, float beta, const float* input, float* output) {
  for (int64_t row = 0; row < shape.outer; ++row) {
    const float* in = input + row * shape.depth;
    float* out = output + row * shape.depth;
    float max = -std::numeric_limits<float>::infinity();
    for (int32_t i = 0; i < shape.depth; ++i) max = std::max(max, in[i]);
    float sum = 0.0f;
    for (int32_t i = 0; i < shape.depth; ++i) {
      out[i] = std::exp((in[i] - max) * beta);
      sum += out[i];
    }
    for (int32_t i = 0; i < shape.depth; ++i) out[i] /= sum;
  }
}

void PopulateSoftmaxLookupTable(float input_scale, float beta, float output_scale,
                                int32_t output_zero_point, SoftmaxLookupTable* lut) {
  const float scale = -input_scale * beta;
  for (int32_t v = 0; v <= 255; ++v) {
    lut->table[255 - v] = std::exp(scale * static_cast<float>(v));
  }
  lut->output_scale = output_scale;
  lut->output_zero_point = output_zero_point;
}

void SoftmaxUint8(const SoftmaxShape& shape, const SoftmaxLookupTable& lut, const uint8_t* input,
                  uint8_t* output) {
  SoftmaxQuantized(shape, lut, input, output);
}

void SoftmaxInt8(const SoftmaxShape& shape, const SoftmaxLookupTable& lut, const int8_t* input,
                 int8_t* output) {
  SoftmaxQuantized(shape, lut, input, output);
}

}  // namespace edgeforge::kernels::reference
