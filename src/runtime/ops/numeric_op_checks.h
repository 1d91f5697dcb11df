// Validation and precomputation shared by the arithmetic ops' Prepare (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD/SUB/MUL, pooling, MEAN, SOFTMAX, QUANTIZE,
// DEQUANTIZE). Every check returns the op's ctx.Error / ctx.UnsupportedError naming the tensor.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

#include "edgeforge/status.h"
#include "edgeforge/types.h"
#include "ir/op.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/fixed_point.h"
#include "kernels/reference/requantize.h"
#include "runtime/op_kernel.h"

namespace edgeforge::runtime::ops {

// The op's options as T, or an error when the op carries other options.
template <typename T>
StatusOr<const T*> OptionsOf(const OpContext& ctx, const char* options_name) {
  const T* options = std::get_if<T>(&ctx.op().options);
  if (options == nullptr) return ctx.Error(std::string("op has no ") + options_name);
  return options;
}

// "float32, uint8, int8".
std::string DTypeList(std::initializer_list<DType> dtypes);

// The role ("input", "filter", ...) and name of a tensor for messages: "filter 'conv1/w'".
std::string Describe(const char* role, const RtTensor& tensor);

// Input i must be present (not an absent optional input).
StatusOr<const RtTensor*> RequiredInput(const OpContext& ctx, size_t i, const char* role);
StatusOr<RtTensor*> RequiredOutput(OpContext& ctx, size_t i);

// UnsupportedError unless tensor.dtype() is one of `allowed`.
Status ExpectDType(const OpContext& ctx, const RtTensor& tensor, const char* role,
                   std::initializer_list<DType> allowed);
// Error unless `tensor` has the dtype of `reference` ("output ... must match the input").
Status ExpectSameDType(const OpContext& ctx, const RtTensor& tensor, const char* role,
                       const RtTensor& reference, const char* reference_role);

// Error unless the tensor has rank `rank`.
Status ExpectRank(const OpContext& ctx, const RtTensor& tensor, const char* role, int rank);

bool IsQuantized8(DType dtype);
int32_t QMin(DType dtype);  // 0 / -128
int32_t QMax(DType dtype);  // 255 / 127

// Per-tensor quantization of an 8-bit activation tensor: exactly one positive finite scale and
// a zero point inside the dtype's range.
struct TensorQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};
StatusOr<TensorQuant> PerTensorQuant(const OpContext& ctx, const RtTensor& tensor,
                                     const char* role);

// Weights of CONV_2D (channel axis 0), DEPTHWISE_CONV_2D (axis 3), FULLY_CONNECTED (axis 0):
// per-tensor, or (int8 only) per-channel with `channels` scales along `channel_axis` and zero
// points 0.
struct WeightQuant {
  std::vector<float> scales;  // one per output channel (a per-tensor scale repeated)
  int32_t zero_point = 0;     // per-tensor zero point (0 for per-channel)
  bool per_channel = false;
};
StatusOr<WeightQuant> WeightQuantization(const OpContext& ctx, const RtTensor& weights,
                                         int channel_axis, int32_t channels);

// Optional bias: absent, or `expected` dtype with `channels` elements.
Status CheckBias(const OpContext& ctx, const RtTensor* bias, DType expected, int32_t channels);

// NONE, RELU, RELU_N1_TO_1, RELU6; TANH and SIGN_BIT are unsupported as fused activations.
StatusOr<kernels::reference::FusedActivation> FusedActivationOf(const OpContext& ctx,
                                                                ir::Activation activation);

// Padding before the first row/column (TFLite's rule, SAME: total = max((out-1)*stride +
// effective_k - in, 0), before = total / 2; VALID: 0), after checking that `out` is the size
// TFLite infers: SAME ceil(in / stride), VALID ceil((in - effective_k + 1) / stride).
StatusOr<int32_t> PaddingBefore(const OpContext& ctx, ir::Padding padding, const char* dim_name,
                                int32_t in, int32_t kernel, int32_t stride, int32_t dilation,
                                int32_t out);

// The output stage of a quantized CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED, with the arrays
// its pointers refer to. Lives in the op kernel object (never moved after Prepare).
struct LinearOutputStage {
  std::vector<float> scales;
  std::vector<kernels::reference::QuantizedMultiplier> multipliers;
  kernels::reference::LinearQuantization quant;
};
// Fills `stage` for the XNNPACK scheme (float scales, XnnpackActivationRange) when
// `use_xnnpack`, else TFLite's fixed-point scheme (QuantizeMultiplier of
// (double)s_in * s_w[c] / s_out, TfliteActivationRange).
void BuildLinearOutputStage(const TensorQuant& input, const WeightQuant& weights,
                            const TensorQuant& output, DType dtype,
                            kernels::reference::FusedActivation activation, bool use_xnnpack,
                            LinearOutputStage* stage);

// True when TFLite's XNNPACK delegate would take a quantized convolution / fully-connected
// layer with these parameters: weights (and bias) constant, every requantization scale below
// 256, and — for the convolutions — a bias present.
bool XnnpackTakesLinearOp(const RtTensor& weights, const RtTensor* bias, bool bias_required,
                          const TensorQuant& input, const WeightQuant& weights_quant,
                          const TensorQuant& output);

}  // namespace edgeforge::runtime::ops
