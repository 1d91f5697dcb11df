// What the CPU we run on can do, detected once at run time (CPUID + XGETBV, and for AMX the
// Linux arch_prctl permission to use tile data). Kernels pick their ISA from this; the
// EF_ISA environment variable caps it ("portable", "avx2", "avx512", "avx512vnni", "amx") so
// tests and benchmarks can exercise every path on one machine.
#pragma once

#include <string>

namespace edgeforge::core {

enum class Isa { kPortable = 0, kAvx2 = 1, kAvx512 = 2, kAvx512Vnni = 3, kAmx = 4 };

const char* IsaName(Isa isa);

struct CpuFeatures {
  bool avx2 = false;        // AVX2 + FMA
  bool avx512 = false;      // AVX-512 F, BW, DQ, VL
  bool avx512vnni = false;  // AVX-512 VNNI (vpdpbusd)
  bool amx_int8 = false;    // AMX tiles + INT8, and the OS let us use them
};

// Detected features (cached after the first call).
const CpuFeatures& DetectCpu();

// The best ISA this CPU supports, capped by $EF_ISA when set.
Isa BestIsa();

// True when `isa` can run here (and is not above the $EF_ISA cap).
bool IsaAvailable(Isa isa);

}  // namespace edgeforge::core
