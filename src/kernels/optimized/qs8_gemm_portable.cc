// qs8_gemm_1x16c2__portable: the kI16 format in plain C++, the fallback for every CPU and the
// specification the vector kernels of the same format mirror.
#include "kernels/optimized/qs8_gemm.h"
#include "kernels/optimized/qs8_requantize_inl.h"

namespace edgeforge::kernels::optimized {

void Qs8GemmI16Portable(const Qs8GemmBlock& block) {
  const auto* a_base = static_cast<const uint8_t*>(block.a);
  const auto* b_base = static_cast<const uint8_t*>(block.b);
  for (int32_t r = 0; r < block.rows; ++r) {
    const auto* a = reinterpret_cast<const int16_t*>(a_base + r * block.a_stride);
    for (int32_t col = 0; col < block.cols; ++col) {
      const auto* panel = reinterpret_cast<const int16_t*>(
          b_base + static_cast<size_t>(col / kPanelWidth) * block.b_panel_stride);
      const int16_t* b = panel + (col % kPanelWidth) * 2;
      // uint32: the sum wraps like the reference's int32 accumulator.
      uint32_t acc = static_cast<uint32_t>(block.column_bias[col]);
      for (int32_t k = 0; k < block.kp; k += 2, b += kPanelWidth * 2) {
        acc += static_cast<uint32_t>(a[k] * b[0] + a[k + 1] * b[1]);
      }
      const int32_t value = static_cast<int32_t>(acc);
      if (block.c_int32 != nullptr) {
        block.c_int32[r * block.c_int32_stride + col] = value;
      } else {
        block.c[r * block.c_stride + col] = Qs8RequantizeScalar(block, value, col);
      }
    }
  }
}

}  // namespace edgeforge::kernels::optimized
