// IEEE 754 half precision <-> float32, bit-exact (round to nearest even), as TFLite's
// DEQUANTIZE of float16 weights and the float16 quantizer need.
#pragma once

#include <cstdint>

namespace edgeforge::core {
float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);
}  // namespace edgeforge::core
