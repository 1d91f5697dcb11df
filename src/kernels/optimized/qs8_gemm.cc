// The 8-bit GEMM kernel table and the choice among its entries.
#include "kernels/optimized/qs8_gemm.h"

#include <iterator>

namespace edgeforge::kernels::optimized {

namespace {

using core::Isa;

// Best first.
constexpr Qs8GemmKernel kKernels[] = {
    {"qs8_gemm_32x64c4__amx", Isa::kAmx, Qs8Format::kC4, Qs8GemmC4Amx, 16, true},
    {"qs8_gemm_6x64c4__avx512vnni", Isa::kAvx512Vnni, Qs8Format::kC4, Qs8GemmC4Avx512Vnni, 1, false},
    {"qs8_gemm_6x16c2__avx2", Isa::kAvx2, Qs8Format::kI16, Qs8GemmI16Avx2, 1, false},
    {"qs8_gemm_1x16c2__portable", Isa::kPortable, Qs8Format::kI16, Qs8GemmI16Portable, 1, false},
};

// Below this many rows AMX tiles are mostly padding, below this K the work is mostly the
// output stage: the VNNI kernel wins (measured with bench/gemm_bench on MobileNetV2 shapes).
constexpr int64_t kAmxMinRows = 16;
constexpr int32_t kAmxMinK = 24;

int32_t RoundUp(int32_t v, int32_t multiple) { return (v + multiple - 1) / multiple * multiple; }

}  // namespace

int32_t Qs8PaddedK(const Qs8GemmKernel& kernel, int32_t k) {
  if (kernel.format == Qs8Format::kI16) return RoundUp(k, 2);
  if (kernel.isa == Isa::kAmx && k > 64) return RoundUp(k, 64);
  return RoundUp(k, 4);
}

const Qs8GemmKernel& BestQs8GemmKernel(Isa max_isa, int64_t rows, int32_t k) {
  for (const Qs8GemmKernel& kernel : kKernels) {
    if (static_cast<int>(kernel.isa) > static_cast<int>(max_isa)) continue;
    if (!core::IsaAvailable(kernel.isa)) continue;
    if (kernel.isa == Isa::kAmx && (rows < kAmxMinRows || k < kAmxMinK)) continue;
    return kernel;
  }
  return kKernels[std::size(kKernels) - 1];
}

const Qs8GemmKernel* Qs8GemmKernels(size_t* count) {
  *count = std::size(kKernels);
  return kKernels;
}

}  // namespace edgeforge::kernels::optimized
