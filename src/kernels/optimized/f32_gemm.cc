// The float32 GEMM kernel table.
#include "kernels/optimized/f32_gemm.h"

#include <iterator>

namespace edgeforge::kernels::optimized {

namespace {

using core::Isa;

// Best first.
constexpr F32GemmKernel kKernels[] = {
    {"f32_gemm_6x64__avx512", Isa::kAvx512, F32GemmAvx512},
    {"f32_gemm_6x16__avx2", Isa::kAvx2, F32GemmAvx2},
    {"f32_gemm_1x16__portable", Isa::kPortable, F32GemmPortable},
};

}  // namespace

const F32GemmKernel& BestF32GemmKernel(Isa max_isa) {
  for (const F32GemmKernel& kernel : kKernels) {
    if (static_cast<int>(kernel.isa) <= static_cast<int>(max_isa) && core::IsaAvailable(kernel.isa)) {
      return kernel;
    }
  }
  return kKernels[std::size(kKernels) - 1];
}

const F32GemmKernel* F32GemmKernels(size_t* count) {
  *count = std::size(kKernels);
  return kKernels;
}

}  // namespace edgeforge::kernels::optimized
