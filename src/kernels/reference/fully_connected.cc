#include "kernels/reference/fully_connected.h"

#include <algorithm>

namespace edgeforge::kernels::reference {

namespace {

template <typename T>
void FullyConnectedQuantized(const FullyConnectedShape& shape, const LinearQuantization& quant,
                             const T* input, const T* weights, const int32_t* bias, T* output) {
  for (int32_t b = 0; b < shape.batches; ++b) {
    const T* row = input + static_cast<int64_t>(b) * shape.input_depth;
    for (int32_t o = 0; o < shape.output_depth; ++o) {
      const T* w = weights + static_cast<int64_t>(o) * shape.input_depth;
      // int64 then truncated: the same bits as the runtime's wrapping int32 sums.
      int64_t acc = bias != nullptr ? bias[o] : 0;
      for (int32_t i = 0; i < shape.input_depth; ++i) {
        acc += (static_cast<int32_t>(row[i]) - quant.input_zero_point) *
               (static_cast<int32_t>(w[i]) - quant.filter_zero_point);
      }
      output[static_cast<int64_t>(b) * shape.output_depth + o] =
          static_cast<T>(Requantize(quant.output, static_cast<int32_t>(acc), o));
    }
  }
}

}  // namespace

void FullyConnectedFloat32(const FullyConnectedShape& shape, FloatRange clamp, const float* input,
                           const float* weights, const float* bias, float* output) {
  for (int32_t b = 0; b < shape.batches; ++b) {
    const float* row = input + static_cast<int64_t>(b) * shape.input_depth;
    for (int32_t o = 0; o < shape.output_depth; ++o) {
      const float* w = weights + static_cast<int64_t>(o) * shape.input_depth;
      float acc = bias != nullptr ? bias[o] : 0.0f;
      for (int32_t i = 0; i < shape.input_depth; ++i) acc += row[i] * w[i];
      output[static_cast<int64_t>(b) * shape.output_depth + o] =
          std::min(std::max(acc, clamp.min), clamp.max);
    }
  }
}

void FullyConnectedUint8(const FullyConnectedShape& shape, const LinearQuantization& quant,
                         const uint8_t* input, const uint8_t* weights, const int32_t* bias,
                         uint8_t* output) {
  FullyConnectedQuantized(shape, quant, input, weights, bias, output);
}

void FullyConnectedInt8(const FullyConnectedShape& shape, const LinearQuantization& quant,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output) {
  FullyConnectedQuantized(shape, quant, input, weights, bias, output);
}

}  // namespace edgeforge::kernels::reference
