// Reference kernel of CAST between float32, int32, int64, uint8, int8, int16 and bool. Values
// convert as C++ static_cast does in TFLite (integers wrap modulo 2^n, floats truncate toward
// zero, anything to bool is "!= 0", bool is 0 or 1). Quantization is ignored, as in TFLite.
#pragma once

#include <cstdint>

#include "edgeforge/types.h"

namespace edgeforge::kernels::reference {

bool CastSupported(DType dtype);

// Measured: byte-identical to the TFLite runtime for every value in the target's range. Float
// to integer outside the range, or NaN, is undefined behaviour in TFLite, and the runtime's
// answers vary by target type (LiteRT.js: int32/int16/uint8 saturate but NaN → INT32_MAX for
// int32, int8 wraps through int32; native x86 gives INT_MIN). We saturate, NaN → 0.
void Cast(DType from, const void* input, DType to, void* output, int64_t size);

}  // namespace edgeforge::kernels::reference
