// FULLY_CONNECTED reference kernels: input [batches, in] (any input shape flattened so that
// its last dimension is `in`), weights [out, in], bias [out] or nullptr, output [batches, out].
//
// Quantized: acc = bias[o] + sum((x - zx) * (w - zw)), then the output stage of requantize.h.
// The TFLite runtime's XNNPACK delegate takes quantized FULLY_CONNECTED (bias optional) and
// requantizes like its convolutions: OutputStage::Scheme::kXnnpackFloatScale with
// XnnpackRequantizationScale(s_in, s_w[o], s_out). Measured against the oracle (LiteRT.js
// 2.5.3, single-op models with power-of-two scales so that ties occur): int8 per-tensor and
// per-channel weights, with and without bias, and uint8 — byte-identical, where TFLite's
// fixed point would have differed in 9-22 of 192 outputs.
#pragma once

#include <cstdint>

#include "kernels/reference/activation.h"
#include "kernels/reference/requantize.h"

namespace edgeforge::kernels::reference {

struct FullyConnectedShape {
  int32_t batches = 1;
  int32_t input_depth = 1;
  int32_t output_depth = 1;
};

void FullyConnectedFloat32(const FullyConnectedShape& shape, FloatRange clamp, const float* input,
                           const float* weights, const float* bias, float* output);

void FullyConnectedUint8(const FullyConnectedShape& shape, const LinearQuantization& quant,
                         const uint8_t* input, const uint8_t* weights, const int32_t* bias,
                         uint8_t* output);

// Per-channel or per-tensor int8 weights.
void FullyConnectedInt8(const FullyConnectedShape& shape, const LinearQuantization& quant,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output);

}  // namespace edgeforge::kernels::reference
