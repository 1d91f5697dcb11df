// Hybrid ("dynamic-range quantized") kernels: float32 activations, int8 weights, float32 bias
// and output, as TFLite runs the models its dynamic-range quantization writes. The input is
// quantized to int8 on the fly, the dot products are integer, and the result is scaled back:
//   CONV_2D, DEPTHWISE_CONV_2D (per-channel weights, TFLite op versions 5 / 6): each image of
//     the batch quantized asymmetrically (scale, offset: TFLite's AsymmetricQuantizeFloats);
//     out = (float)acc * weight_scale[c] * input_scale + bias[c], acc = sum (q - offset) * w
//     over the taps inside the image (padding adds nothing);
//   FULLY_CONNECTED (version 3, asymmetric_quantize_inputs off): each row quantized
//     symmetrically (scale max|x| / 127: SymmetricQuantizeFloats);
//     out = bias[c] + (float)acc * (input_scale * weight_scale[c]), acc = sum q * w.
// The fused activation clamps the float result. Results are float: they follow TFLite's
// reference arithmetic, not bit for bit whatever optimized path a runtime picks.
#pragma once

#include <cstdint>
#include <memory>

#include "runtime/op_kernel.h"

namespace edgeforge::runtime::ops {

std::unique_ptr<OpKernel> MakeHybridConv2D();
std::unique_ptr<OpKernel> MakeHybridDepthwiseConv2D();
std::unique_ptr<OpKernel> MakeHybridFullyConnected();

// A kernel that runs `hybrid` when the op reads a float32 input with int8 weights (inputs 0 and
// 1) and its version is at least `first_hybrid_version`, else `regular`: how the op registry
// serves both forms of CONV_2D (hybrid from version 2), DEPTHWISE_CONV_2D (4) and
// FULLY_CONNECTED (3). TFLite's converter writes those versions for hybrid ops
// (tools/versioning/op_version.cc); an op whose version names a float kernel but whose weights
// are int8 is refused by the regular kernel, as before hybrid kernels existed.
std::unique_ptr<OpKernel> WithHybrid(std::unique_ptr<OpKernel> regular, std::unique_ptr<OpKernel> hybrid,
                                     int32_t first_hybrid_version);

}  // namespace edgeforge::runtime::ops
