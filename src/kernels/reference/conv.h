// CONV_2D reference kernels: NHWC input, OHWI filter, NHWC output. Plain loops — the
// specification the optimized kernels are tested against.
//
// acc[c] = bias[c] + sum over taps of (x - zx) * (w - zw); taps that fall into the padding add
// nothing (the runtime pads with the input zero point). The quantized accumulation wraps like
// int32 arithmetic. Grouped convolution (input channels = groups * filter input channels) is
// supported the way TFLite does it.
#pragma once

#include <cstdint>

#include "edgeforge/types.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/requantize.h"

namespace edgeforge::kernels::reference {

struct ConvParams {
  int32_t stride_h = 1;
  int32_t stride_w = 1;
  int32_t dilation_h = 1;
  int32_t dilation_w = 1;
  // Padding before the first row / column; the padding after is implied by the output size.
  int32_t pad_top = 0;
  int32_t pad_left = 0;
};

// input [N,H,W,Ci], filter [Co,KH,KW,Ci/groups], bias [Co] or nullptr, output [N,OH,OW,Co].
void ConvFloat32(const ConvParams& params, FloatRange clamp, const Shape& input_shape,
                 const float* input, const Shape& filter_shape, const float* filter,
                 const float* bias, const Shape& output_shape, float* output);

// Legacy uint8 models: per-tensor scales, weight zero point usually != 0.
void ConvUint8(const ConvParams& params, const LinearQuantization& quant, const Shape& input_shape,
               const uint8_t* input, const Shape& filter_shape, const uint8_t* filter,
               const int32_t* bias, const Shape& output_shape, uint8_t* output);

// int8 models: per-channel (or per-tensor) weight scales, weight zero point 0.
void ConvPerChannelInt8(const ConvParams& params, const LinearQuantization& quant,
                        const Shape& input_shape, const int8_t* input, const Shape& filter_shape,
                        const int8_t* filter, const int32_t* bias, const Shape& output_shape,
                        int8_t* output);

}  // namespace edgeforge::kernels::reference
