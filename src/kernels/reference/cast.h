// Reference kernel of CAST between float32, int32, int64, uint8, int8, int16 and bool. Values
// convert as C++ static_cast does in TFLite (integers wrap modulo 2^n, floats truncate toward
// zero, anything to bool is "!= 0", bool is 0 or 1). Quantization is ignored, as in TFLite.
#pragma once

#include <cstdint>

#include "edgeforge/types.h"

namespace edgeforge::kernels::reference {

bool CastSupported(DType dtype);

// Float to integer where the value is outside the target's range or NaN is undefined
// behaviour in TFLite (x86 gives INT_MIN, wasm traps or saturates). We saturate, NaN → 0.
void Cast(DType from, const void* input, DType to, void* output, int64_t size);

}  // namespace edgeforge::kernels::reference
