// On-the-fly quantization of float activations for the hybrid kernels (hybrid_ops.h), as
// TFLite's tensor_utils do it.
#pragma once

#include <cstdint>

namespace edgeforge::runtime::ops::hybrid {

struct RowQuantization {
  float scale = 1.0f;  // real = scale * (q - offset)
  int32_t offset = 0;
};

// Asymmetric int8 over [min(x, 0), max(x, 0)]: scale = (max - min) / 255 in double, the zero
// point taken from whichever end gives the smaller error and nudged into [-128, 127];
// q = clamp(round(offset + x * (1 / scale))). An all-zero input gives scale 1, offset 0.
RowQuantization QuantizeAsymmetric(const float* values, int64_t count, int8_t* out);

// Symmetric int8: scale = max|x| / 127, q = clamp(round(x * 127 / max|x|), -127, 127),
// offset 0. An all-zero input gives scale 1.
RowQuantization QuantizeSymmetric(const float* values, int64_t count, int8_t* out);

}  // namespace edgeforge::runtime::ops::hybrid
