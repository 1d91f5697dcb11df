// f32_gemm_1x16__portable: the float GEMM in plain C++, the fallback for every CPU. A multiply
// and an add per tap, like the reference (without FMA hardware std::fma would be emulated).
#include <algorithm>

#include "kernels/optimized/f32_gemm.h"

namespace edgeforge::kernels::optimized {

void F32GemmPortable(const F32GemmBlock& block) {
  for (int32_t r = 0; r < block.rows; ++r) {
    const float* a = block.a + r * block.a_stride;
    for (int32_t col = 0; col < block.cols; ++col) {
      const float* b = block.b + static_cast<size_t>(col / kPanelWidth) * block.b_panel_stride +
                       col % kPanelWidth;
      float acc = block.bias[col];
      for (int32_t k = 0; k < block.k; ++k, b += kPanelWidth) acc += a[k] * *b;
      block.c[r * block.c_stride + col] = std::min(std::max(acc, block.min), block.max);
    }
  }
}

}  // namespace edgeforge::kernels::optimized
