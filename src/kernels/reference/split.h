// Reference kernel of SPLIT: cuts a tensor into equal parts along one axis. A pure copy, so it
// works on bytes for every element type. Measured: byte-identical to the TFLite runtime.
#pragma once

#include <cstddef>
#include <cstdint>

#include "edgeforge/types.h"

namespace edgeforge::kernels::reference {

struct SplitParams {
  Shape input_shape;
  int axis = 0;        // in [0, rank)
  int num_splits = 1;  // divides input_shape[axis]
  size_t element_size = 1;
};

// outputs[k] receives slice k (input_shape[axis] / num_splits along the axis).
void Split(const SplitParams& params, const uint8_t* input, uint8_t* const* outputs);

}  // namespace edgeforge::kernels::reference
