// Optimized ADD / SUB without broadcasting (or with one operand a single value): 8-bit with
// XNNPACK's fixed-point arithmetic (kernels/reference/elementwise.h), byte-identical to the
// reference, and float32.
#pragma once

#include <cstdint>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/elementwise.h"

namespace edgeforge::kernels::optimized {

// out[i] = clamp(((bias + a[i] * a_multiplier + b[i] * b_multiplier) >> shift) + zero_point);
// a single-value operand is folded into the bias. Elements split over the pool.
struct Q8VaddProblem {
  bool is_uint8 = false;
  const void* a = nullptr;
  bool a_is_scalar = false;
  const void* b = nullptr;
  bool b_is_scalar = false;
  void* output = nullptr;
  int64_t count = 0;  // output elements
};
void RunQuantizedVadd(const reference::XnnpackAddParams& params, const Q8VaddProblem& problem,
                      core::Isa isa, core::ThreadPool& pool);

// Float32: out[i] = clamp(a[i] + sign * b[i]), sign = +1 (ADD) or -1 (SUB): the reference's
// a + b / a - b exactly.
struct F32VaddProblem {
  const float* a = nullptr;
  bool a_is_scalar = false;
  const float* b = nullptr;
  bool b_is_scalar = false;
  float* output = nullptr;
  int64_t count = 0;
  bool subtract = false;
};
void RunFloatVadd(reference::FloatRange clamp, const F32VaddProblem& problem, core::ThreadPool& pool);

// The name of the 8-bit micro-kernel RunQuantizedVadd uses for `isa`.
const char* QuantizedVaddKernelName(core::Isa isa, bool is_uint8);

namespace vadd_kernels {
// One contiguous span; `bias` already includes a scalar operand's term (then b == nullptr or
// a == nullptr with its multiplier unused).
struct Q8Args {
  const void* a = nullptr;
  const void* b = nullptr;
  void* output = nullptr;
  int64_t count = 0;
  int32_t a_multiplier = 0, b_multiplier = 0, bias = 0, shift = 0, zero_point = 0;
  int32_t min = 0, max = 0;
};
void qs8_vadd_64__avx512(const Q8Args& args);
void qu8_vadd_64__avx512(const Q8Args& args);
}  // namespace vadd_kernels

}  // namespace edgeforge::kernels::optimized
