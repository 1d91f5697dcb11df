#include "kernels/reference/pad.h"

#include <cstddef>

#include "core/check.h"

namespace edgeforge::kernels::reference {

// Walks the output in row-major order with a multi-index; an element comes from the input
// when every coordinate lies inside [before, before + in), else it is padding.
template <typename T>
void Pad(const PadParams& params, const T* input, T pad_value, T* output) {
  const size_t rank = params.input_shape.size();
  EF_CHECK_EQ(params.before.size(), rank);
  EF_CHECK_EQ(params.after.size(), rank);
  Shape output_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    output_shape[d] = params.input_shape[d] + params.before[d] + params.after[d];
  }
  // Row-major strides of the input.
  std::vector<int64_t> input_stride(rank, 1);
  for (size_t d = rank; d-- > 1;) input_stride[d - 1] = input_stride[d] * params.input_shape[d];

  const int64_t total = NumElements(output_shape);
  std::vector<int32_t> index(rank, 0);
  for (int64_t o = 0; o < total; ++o) {
    bool inside = true;
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d) {
      const int32_t i = index[d] - params.before[d];
      if (i < 0 || i >= params.input_shape[d]) {
        inside = false;
        break;
      }
      source += i * input_stride[d];
    }
    output[o] = inside ? input[source] : pad_value;
    // Advance the multi-index (last dimension fastest).
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < output_shape[d]) break;
      index[d] = 0;
    }
  }
}

template void Pad<float>(const PadParams&, const float*, float, float*);
template void Pad<int8_t>(const PadParams&, const int8_t*, int8_t, int8_t*);
template void Pad<uint8_t>(const PadParams&, const uint8_t*, uint8_t, uint8_t*);
template void Pad<int16_t>(const PadParams&, const int16_t*, int16_t, int16_t*);
template void Pad<int32_t>(const PadParams&, const int32_t*, int32_t, int32_t*);
template void Pad<int64_t>(const PadParams&, const int64_t*, int64_t, int64_t*);

}  // namespace edgeforge::kernels::reference
