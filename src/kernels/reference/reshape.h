// Reference kernel of RESHAPE and SQUEEZE: the row-major element order does not change, so the
// output bytes are the input bytes (also for quantized tensors, whose parameters must match).
#pragma once

#include <cstddef>
#include <cstring>

namespace edgeforge::kernels::reference {

// `input` and `output` may be the same buffer (an interpreter may alias them).
inline void Reshape(const void* input, void* output, size_t bytes) {
  if (input != output && bytes > 0) std::memmove(output, input, bytes);
}

}  // namespace edgeforge::kernels::reference
