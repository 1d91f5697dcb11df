// Element offsets of two inputs that broadcast (numpy rules: shapes right-aligned, a dimension
// of 1 repeats) to an output shape. Built once (an op's Prepare), walked by binary kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "edgeforge/types.h"

namespace edgeforge::kernels::reference {

struct BroadcastLayout {
  Shape output_shape;
  // Per output dimension; 0 where that input is broadcast along the dimension.
  std::vector<int64_t> a_strides;
  std::vector<int64_t> b_strides;
};

// True when a and b broadcast to exactly `output_shape`.
bool BroadcastsTo(const Shape& a, const Shape& b, const Shape& output_shape);

// CHECKs BroadcastsTo.
BroadcastLayout MakeBroadcastLayout(const Shape& a, const Shape& b, const Shape& output_shape);

// Calls f(output_index, a_index, b_index) for every output element in row-major order.
template <typename F>
void ForEachBroadcastElement(const BroadcastLayout& layout, F&& f) {
  const size_t rank = layout.output_shape.size();
  const int64_t count = NumElements(layout.output_shape);
  if (count == 0) return;
  // An odometer over the output coordinates, carrying the input offsets along.
  int32_t coords[16] = {};
  int64_t a_index = 0;
  int64_t b_index = 0;
  for (int64_t out_index = 0; out_index < count; ++out_index) {
    f(out_index, a_index, b_index);
    for (size_t d = rank; d-- > 0;) {
      ++coords[d];
      a_index += layout.a_strides[d];
      b_index += layout.b_strides[d];
      if (coords[d] < layout.output_shape[d]) break;
      a_index -= layout.a_strides[d] * coords[d];
      b_index -= layout.b_strides[d] * coords[d];
      coords[d] = 0;
    }
  }
}

}  // namespace edgeforge::kernels::reference
