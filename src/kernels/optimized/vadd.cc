// Dispatch and portable kernels of vadd.h.
#include "kernels/optimized/vadd.h"

#include <algorithm>

#include "kernels/optimized/dw_common.h"

namespace edgeforge::kernels::optimized {

namespace {

// Elements per task: below this a second thread costs more than it saves.
constexpr int64_t kGrain = 16384;

template <typename T>
void PortableQ8Vadd(const vadd_kernels::Q8Args& args) {
  const T* a = static_cast<const T*>(args.a);
  const T* b = static_cast<const T*>(args.b);
  T* out = static_cast<T*>(args.output);
  for (int64_t i = 0; i < args.count; ++i) {
    int32_t acc = args.bias;
    if (a != nullptr) acc += static_cast<int32_t>(a[i]) * args.a_multiplier;
    if (b != nullptr) acc += static_cast<int32_t>(b[i]) * args.b_multiplier;
    const int32_t q = (acc >> args.shift) + args.zero_point;  // arithmetic shift
    out[i] = static_cast<T>(std::min(std::max(q, args.min), args.max));
  }
}

template <typename T>
int32_t ValueAt(const void* p) {
  return static_cast<int32_t>(*static_cast<const T*>(p));
}

}  // namespace

const char* QuantizedVaddKernelName(core::Isa isa, bool is_uint8) {
  if (dw::AtLeast(dw::UsableIsa(isa), core::Isa::kAvx512)) {
    return is_uint8 ? "qu8_vadd_64__avx512" : "qs8_vadd_64__avx512";
  }
  return is_uint8 ? "qu8_vadd__portable" : "qs8_vadd__portable";
}

void RunQuantizedVadd(const reference::XnnpackAddParams& params, const Q8VaddProblem& problem,
                      core::Isa isa, core::ThreadPool& pool) {
  vadd_kernels::Q8Args base;
  base.a_multiplier = params.a_multiplier;
  base.b_multiplier = params.b_multiplier;
  base.shift = params.shift;
  base.zero_point = params.output_zero_point;
  base.min = params.clamp.min;
  base.max = params.clamp.max;
  // A single value's term is a constant: fold it into the bias (int32 arithmetic is exact here,
  // see elementwise.h).
  int64_t bias = params.bias;
  auto value = [&](const void* p) { return problem.is_uint8 ? ValueAt<uint8_t>(p) : ValueAt<int8_t>(p); };
  if (problem.a_is_scalar) bias += static_cast<int64_t>(value(problem.a)) * params.a_multiplier;
  if (problem.b_is_scalar) bias += static_cast<int64_t>(value(problem.b)) * params.b_multiplier;
  base.bias = static_cast<int32_t>(bias);

  const bool avx512 = dw::AtLeast(dw::UsableIsa(isa), core::Isa::kAvx512);
  pool.ParallelFor(problem.count, kGrain, [&](int64_t begin, int64_t end) {
    vadd_kernels::Q8Args args = base;
    args.a = problem.a_is_scalar ? nullptr : static_cast<const uint8_t*>(problem.a) + begin;
    args.b = problem.b_is_scalar ? nullptr : static_cast<const uint8_t*>(problem.b) + begin;
    args.output = static_cast<uint8_t*>(problem.output) + begin;
    args.count = end - begin;
    if (avx512) {
      (problem.is_uint8 ? vadd_kernels::qu8_vadd_64__avx512 : vadd_kernels::qs8_vadd_64__avx512)(args);
    } else if (problem.is_uint8) {
      PortableQ8Vadd<uint8_t>(args);
    } else {
      PortableQ8Vadd<int8_t>(args);
    }
  });
}

void RunFloatVadd(reference::FloatRange clamp, const F32VaddProblem& problem, core::ThreadPool& pool) {
  pool.ParallelFor(problem.count, kGrain, [&](int64_t begin, int64_t end) {
    const float* a = problem.a + (problem.a_is_scalar ? 0 : begin);
    const float* b = problem.b + (problem.b_is_scalar ? 0 : begin);
    const int64_t a_step = problem.a_is_scalar ? 0 : 1;
    const int64_t b_step = problem.b_is_scalar ? 0 : 1;
    float* out = problem.output + begin;
    const int64_t n = end - begin;
    if (a_step == 1 && b_step == 1) {
      // The common case in a form compilers vectorize.
      if (problem.subtract) {
        for (int64_t i = 0; i < n; ++i) out[i] = std::min(std::max(a[i] - b[i], clamp.min), clamp.max);
      } else {
        for (int64_t i = 0; i < n; ++i) out[i] = std::min(std::max(a[i] + b[i], clamp.min), clamp.max);
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      const float v = problem.subtract ? a[i * a_step] - b[i * b_step] : a[i * a_step] + b[i * b_step];
      out[i] = std::min(std::max(v, clamp.min), clamp.max);
    }
  });
}

}  // namespace edgeforge::kernels::optimized
