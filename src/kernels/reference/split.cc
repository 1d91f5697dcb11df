#include "kernels/reference/split.h"

#include <cstring>

#include "core/check.h"

namespace edgeforge::kernels::reference {

void Split(const SplitParams& params, const uint8_t* input, uint8_t* const* outputs) {
  const Shape& shape = params.input_shape;
  EF_CHECK(params.axis >= 0 && params.axis < static_cast<int>(shape.size()));
  EF_CHECK_GT(params.num_splits, 0);
  const int32_t axis_size = shape[static_cast<size_t>(params.axis)];
  EF_CHECK_EQ(axis_size % params.num_splits, 0);

  int64_t outer = 1;
  for (int d = 0; d < params.axis; ++d) outer *= shape[static_cast<size_t>(d)];
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(params.axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  // Bytes of one output's slice within one outer row.
  const size_t slice = static_cast<size_t>(axis_size / params.num_splits) *
                       static_cast<size_t>(inner) * params.element_size;
  if (slice == 0) return;  // empty tensors: nothing to copy (and no pointers to trust)

  const uint8_t* from = input;
  for (int64_t o = 0; o < outer; ++o) {
    for (int k = 0; k < params.num_splits; ++k) {
      std::memcpy(outputs[k] + static_cast<size_t>(o) * slice, from, slice);
      from += slice;
    }
  }
}

}  // namespace edgeforge::kernels::reference
