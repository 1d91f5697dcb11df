// Optimized DEPTHWISE_CONV_2D (NHWC, filter [1, KH, KW, C]): 8-bit quantized (int8 per-channel
// and legacy uint8 with a per-tensor weight zero point) and float32.
//
// A plan is built once in the op's Prepare (weights, bias and requantization scales packed into
// the layout its micro-kernel reads; the work split into one task per thread) and run every
// Eval with caller-provided scratch memory, allocating nothing.
//
// Quantized results are byte-identical to kernels/reference/depthwise_conv.h (same int32
// accumulator modulo 2^32, same float32 requantization in the same order). Float results
// differ from the reference by rounding only (FMA, another summation order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/requantize.h"

namespace edgeforge::kernels::optimized {

struct DepthwiseGeometry {
  int32_t batches = 1;
  int32_t in_h = 1, in_w = 1, channels = 1;  // input [batches, in_h, in_w, channels]
  int32_t kernel_h = 1, kernel_w = 1;
  int32_t out_h = 1, out_w = 1;  // output [batches, out_h, out_w, channels * depth_multiplier]
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  int32_t depth_multiplier = 1;
};

// Everything a quantized depthwise plan needs; the pointers are read during Create only.
struct QuantizedDepthwiseSpec {
  DepthwiseGeometry geometry;
  bool is_uint8 = false;  // else int8
  int32_t input_zero_point = 0;
  int32_t filter_zero_point = 0;  // per tensor; 0 for int8 per-channel weights
  const void* filter = nullptr;   // [1, KH, KW, C * M], uint8 or int8 like the input
  const int32_t* bias = nullptr;  // C * M values, or nullptr
  reference::OutputStage output;  // per-output-channel arrays of C * M entries
};

class QuantizedDepthwiseConv {
 public:
  virtual ~QuantizedDepthwiseConv() = default;

  // The fastest plan `isa` allows for `spec`, split into work for `num_threads` threads.
  // Never fails: the portable plan covers every spec the reference kernel does.
  static std::unique_ptr<QuantizedDepthwiseConv> Create(const QuantizedDepthwiseSpec& spec,
                                                        core::Isa isa, int num_threads);

  // The micro-kernel, XNNPACK style ("qs8_dwconv_64c4__avx512vnni").
  virtual const char* name() const = 0;
  // 64-byte aligned scratch that Run needs (shared by its threads).
  virtual size_t scratch_bytes() const = 0;
  // input/output: the NHWC tensors of the spec's dtype.
  virtual void Run(const void* input, void* output, void* scratch,
                   core::ThreadPool& pool) const = 0;
};

struct FloatDepthwiseSpec {
  DepthwiseGeometry geometry;
  const float* filter = nullptr;  // [1, KH, KW, C * M]
  const float* bias = nullptr;    // C * M values, or nullptr
  reference::FloatRange clamp{0.0f, 0.0f};
};

class FloatDepthwiseConv {
 public:
  virtual ~FloatDepthwiseConv() = default;
  static std::unique_ptr<FloatDepthwiseConv> Create(const FloatDepthwiseSpec& spec, core::Isa isa,
                                                    int num_threads);
  virtual const char* name() const = 0;
  virtual size_t scratch_bytes() const = 0;
  virtual void Run(const float* input, float* output, void* scratch,
                   core::ThreadPool& pool) const = 0;
};

}  // namespace edgeforge::kernels::optimized
