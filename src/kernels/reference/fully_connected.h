// FULLY_CONNECTED reference kernels: input [batches, in] (any input shape flattened so that
// its last dimension is `in`), weights [out, in], bias [out] or nullptr, output [batches, out].
//
// Quantized: acc = bias[o] + sum((x - zx) * (w - zw)), then the output stage of requantize.h.
// What the TFLite runtime does here is inferred, not yet measured against the oracle: its
// XNNPACK delegate takes quantized FULLY_CONNECTED (qs8 / qs8-qc8w / qu8 GEMM) and XNNPACK's
// GEMMs use the same fp32 requantization as its convolutions, with the scale computed as
// input_scale * kernel_scale[o] / output_scale in float32 (fully-connected-nc.c), i.e.
// OutputStage::Scheme::kXnnpackFloatScale with XnnpackRequantizationScale.
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
