// SOFTMAX reference kernels over the last dimension.
//
// Quantized SOFTMAX is TFLite's own float lookup-table kernel (established for uint8 and int8,
// DESIGN.md; beta 0.6 also matched the oracle):
//   table[255 - v] = expf(f32(-s_in * beta) * v), v = 0..255,
//   t(x) = table[255 - max + x], sum = sum of t(x) in order (float32),
//   inv = 1.0f / (sum * s_out),
//   uint8: out = (int)(t(x) * inv + 0.5f) + zp;  int8: out = (int)std::round(t(x) * inv) + zp,
//   clamped to the dtype's range.
// Float: exp((x - max) * beta) / sum.
#pragma once

#include <cstdint>

namespace edgeforge::kernels::reference {

struct SoftmaxShape {
  int64_t outer = 1;  // product of all but the last dimension
  int32_t depth = 1;  // last dimension
};

void SoftmaxFloat32(const SoftmaxShape& shape, float beta, const float* input, float* output);

struct SoftmaxLookupTable {
  float table[256];
  float output_scale = 1.0f / 256.0f;
  int32_t output_zero_point = 0;
};
void PopulateSoftmaxLookupTable(float input_scale, float beta, float output_scale,
                                int32_t output_zero_point, SoftmaxLookupTable* lut);

void SoftmaxUint8(const SoftmaxShape& shape, const SoftmaxLookupTable& lut, const uint8_t* input,
                  uint8_t* output);
void SoftmaxInt8(const SoftmaxShape& shape, const SoftmaxLookupTable& lut, const int8_t* input,
                 int8_t* output);

}  // namespace edgeforge::kernels::reference
