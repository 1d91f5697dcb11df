// AVERAGE_POOL_2D and MAX_POOL_2D reference kernels, NHWC. Windows are cut by the padding:
// only in-bounds taps count (for the average, the divisor is the number of in-bounds taps).
//
// Quantized AVERAGE_POOL_2D is TFLite's own kernel (the XNNPACK delegate takes float only); it
// ignores the scales (input and output share them by the spec):
//   uint8: (sum + n/2) / n                               (established, DESIGN.md)
//   int8:  sum >= 0 ? (sum + n/2) / n : (sum - n/2) / n   (ties away from zero; TFLite's
//          integer AveragePool — measured against the oracle, 3x3/2 SAME)
// then clamped to the activation range computed the TFLite way (TfliteActivationRange).
// MAX_POOL_2D is exact; quantized it runs in XNNPACK, whose activation range is
// XnnpackActivationRange. Both ranges measured with RELU6 where 6 / scale + zp = 24.5 (uint8):
// the average pool clamps at 25, max pool at 24.
#pragma once

#include <cstdint>

#include "edgeforge/types.h"
#include "kernels/reference/activation.h"

namespace edgeforge::kernels::reference {

struct PoolParams {
  int32_t stride_h = 1;
  int32_t stride_w = 1;
  int32_t filter_h = 1;
  int32_t filter_w = 1;
  int32_t pad_top = 0;
  int32_t pad_left = 0;
};

void AveragePoolFloat32(const PoolParams& params, FloatRange clamp, const Shape& input_shape,
                        const float* input, const Shape& output_shape, float* output);
void AveragePoolUint8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                      const uint8_t* input, const Shape& output_shape, uint8_t* output);
void AveragePoolInt8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                     const int8_t* input, const Shape& output_shape, int8_t* output);

void MaxPoolFloat32(const PoolParams& params, FloatRange clamp, const Shape& input_shape,
                    const float* input, const Shape& output_shape, float* output);
void MaxPoolUint8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                  const uint8_t* input, const Shape& output_shape, uint8_t* output);
void MaxPoolInt8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                 const int8_t* input, const Shape& output_shape, int8_t* output);

}  // namespace edgeforge::kernels::reference
