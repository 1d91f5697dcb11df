// DEPTHWISE_CONV_2D reference kernels: NHWC input, filter [1,KH,KW,Ci*M], NHWC output with
// Co = Ci * M channels; output channel ic * M + m reads input channel ic.
//
// Same arithmetic as CONV_2D (see conv.h): acc = bias + sum((x - zx) * (w - zw)) over in-bounds
// taps, then the output stage of requantize.h.
#pragma once

#include <cstdint>

#include "edgeforge/types.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/requantize.h"

namespace edgeforge::kernels::reference {

struct DepthwiseConvParams {
  int32_t stride_h = 1;
  int32_t stride_w = 1;
  int32_t dilation_h = 1;
  int32_t dilation_w = 1;
  int32_t pad_top = 0;
  int32_t pad_left = 0;
  int32_t depth_multiplier = 1;
};

void DepthwiseConvFloat32(const DepthwiseConvParams& params, FloatRange clamp,
                          const Shape& input_shape, const float* input, const Shape& filter_shape,
                          const float* filter, const float* bias, const Shape& output_shape,
                          float* output);

void DepthwiseConvUint8(const DepthwiseConvParams& params, const LinearQuantization& quant,
                        const Shape& input_shape, const uint8_t* input, const Shape& filter_shape,
                        const uint8_t* filter, const int32_t* bias, const Shape& output_shape,
                        uint8_t* output);

void DepthwiseConvPerChannelInt8(const DepthwiseConvParams& params,
                                 const LinearQuantization& quant, const Shape& input_shape,
                                 const int8_t* input, const Shape& filter_shape,
                                 const int8_t* filter, const int32_t* bias,
                                 const Shape& output_shape, int8_t* output);

}  // namespace edgeforge::kernels::reference
