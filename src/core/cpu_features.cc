#include "core/cpu_features.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace edgeforge::core {

namespace {

#if defined(__x86_64__)
uint64_t Xgetbv() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

// Linux keeps AMX tile data off until a process asks (ARCH_REQ_XCOMP_PERM).
bool RequestAmxPermission() {
  constexpr int kArchGetXcompPerm = 0x1022;
  constexpr int kArchReqXcompPerm = 0x1023;
  constexpr int kXfeatureXtiledata = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) return false;
  unsigned long bitmask = 0;
  if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &bitmask) != 0) return false;
  return (bitmask & (1UL << kXfeatureXtiledata)) != 0;
}

CpuFeatures Detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27);
  const bool fma = c & (1u << 12);
  if (!osxsave) return f;
  const uint64_t xcr0 = Xgetbv();
  const bool ymm_os = (xcr0 & 0x6) == 0x6;
  const bool zmm_os = (xcr0 & 0xE6) == 0xE6;
  const bool tile_os = (xcr0 & (3ULL << 17)) == (3ULL << 17);
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.avx2 = ymm_os && fma && (b & (1u << 5));
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17), avx512bw = b & (1u << 30),
             avx512vl = b & (1u << 31);
  f.avx512 = f.avx2 && zmm_os && avx512f && avx512dq && avx512bw && avx512vl;
  f.avx512vnni = f.avx512 && (c & (1u << 11));
  const bool amx_tile = d & (1u << 24), amx_int8 = d & (1u << 25);
  f.amx_int8 = f.avx512vnni && amx_tile && amx_int8 && tile_os && RequestAmxPermission();
  return f;
}
#else
CpuFeatures Detect() { return {}; }
#endif

Isa Cap() {
  const char* env = std::getenv("EF_ISA");
  if (!env) return Isa::kAmx;
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512, Isa::kAvx512Vnni, Isa::kAmx}) {
    if (std::strcmp(env, IsaName(isa)) == 0) return isa;
  }
  return Isa::kAmx;
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return "portable";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx512Vnni: return "avx512vnni";
    case Isa::kAmx: return "amx";
  }
  return "?";
}

const CpuFeatures& DetectCpu() {
  static const CpuFeatures features = Detect();
  return features;
}

bool IsaAvailable(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(Cap())) return false;
  const CpuFeatures& f = DetectCpu();
  switch (isa) {
    case Isa::kPortable: return true;
    case Isa::kAvx2: return f.avx2;
    case Isa::kAvx512: return f.avx512;
    case Isa::kAvx512Vnni: return f.avx512vnni;
    case Isa::kAmx: return f.amx_int8;
  }
  return false;
}

Isa BestIsa() {
  for (Isa isa : {Isa::kAmx, Isa::kAvx512Vnni, Isa::kAvx512, Isa::kAvx2}) {
    if (IsaAvailable(isa)) return isa;
  }
  return Isa::kPortable;
}

}  // namespace edgeforge::core
