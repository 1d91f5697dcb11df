// f32_gemm_1x16__portable: the float GEMM in plain C++, the fallback for every CPU. A multiply
// and an add per tap, like the reference (without FMA hardware std::fma would be emulated).
#include <algorithm>

#include "kernels/optimized/f32_gemm.h"

namespace edgeforge::kernels::optimized {

void F32GemmPortable(const F32GemmBlock& block) {
  for (int32_t r = 0; r < block.rows; ++r) {
    for (int32_t col = 0; col < block.cols; ++col) {
      const float* panel = block.b + static_cast<size_t>(col / kPanelWidth) * block.b_panel_stride +
                           col % kPanelWidth;
      float acc = block.bias[col];
      for (int32_t s = 0; s < block.segments; ++s) {
        if (block.a_segment[s] == nullptr) continue;
        const float* a = block.a_segment[s] + r * block.a_stride;
        const float* b = panel + static_cast<size_t>(s) * block.segment_k * kPanelWidth;
        for (int32_t k = 0; k < block.segment_k; ++k, b += kPanelWidth) acc += a[k] * *b;
      }
      block.c[r * block.c_stride + col] = std::min(std::max(acc, block.min), block.max);
    }
  }
}

}  // namespace edgeforge::kernels::optimized
