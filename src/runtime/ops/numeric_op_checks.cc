#include "runtime/ops/numeric_op_checks.h"

#include <cmath>

namespace edgeforge::runtime::ops {

namespace kr = kernels::reference;

std::string DTypeList(std::initializer_list<DType> dtypes) {
  std::string list;
  for (DType d : dtypes) {
    if (!list.empty()) list += ", ";
    list += DTypeName(d);
  }
  return list;
}

std::string Describe(const char* role, const RtTensor& tensor) {
  return std::string(role) + " '" + tensor.name() + "'";
}

StatusOr<const RtTensor*> RequiredInput(const OpContext& ctx, size_t i, const char* role) {
  const RtTensor* t = ctx.input(i);
  if (t == nullptr || t->desc == nullptr) {
    return ctx.Error(std::string("missing ") + role + " (input " + std::to_string(i) + ")");
  }
  return t;
}

StatusOr<RtTensor*> RequiredOutput(OpContext& ctx, size_t i) {
  RtTensor* t = ctx.output(i);
  if (t == nullptr || t->desc == nullptr) {
    return ctx.Error("missing output " + std::to_string(i));
  }
  return t;
}

Status ExpectDType(const OpContext& ctx, const RtTensor& tensor, const char* role,
                   std::initializer_list<DType> allowed) {
  for (DType d : allowed) {
    if (tensor.dtype() == d) return Status::Ok();
  }
  return ctx.UnsupportedError(ir::OpName(ctx.op()) + " with " + DTypeName(tensor.dtype()) + " " +
                              Describe(role, tensor) + " is not supported; supported: " +
                              DTypeList(allowed));
}

Status ExpectSameDType(const OpContext& ctx, const RtTensor& tensor, const char* role,
                       const RtTensor& reference, const char* reference_role) {
  if (tensor.dtype() == reference.dtype()) return Status::Ok();
  return ctx.UnsupportedError(Describe(role, tensor) + " is " + DTypeName(tensor.dtype()) +
                              " but " + Describe(reference_role, reference) + " is " +
                              DTypeName(reference.dtype()) + "; they must have the same dtype");
}

Status ExpectRank(const OpContext& ctx, const RtTensor& tensor, const char* role, int rank) {
  if (tensor.dims() == rank) return Status::Ok();
  return ctx.Error(Describe(role, tensor) + " has shape " + ShapeToString(tensor.shape()) +
                   "; expected " + std::to_string(rank) + " dimensions");
}

bool IsQuantized8(DType dtype) { return dtype == DType::kUInt8 || dtype == DType::kInt8; }
int32_t QMin(DType dtype) { return dtype == DType::kUInt8 ? 0 : -128; }
int32_t QMax(DType dtype) { return dtype == DType::kUInt8 ? 255 : 127; }

namespace {

bool ValidScale(float scale) { return std::isfinite(scale) && scale > 0.0f; }

}  // namespace

StatusOr<TensorQuant> PerTensorQuant(const OpContext& ctx, const RtTensor& tensor,
                                     const char* role) {
  const QuantParams& q = tensor.quant();
  if (q.empty()) {
    return ctx.Error(Describe(role, tensor) + " is " + DTypeName(tensor.dtype()) +
                     " but has no quantization parameters");
  }
  if (q.scale.size() != 1) {
    return ctx.UnsupportedError(Describe(role, tensor) + " must be quantized per tensor; it has " +
                                std::to_string(q.scale.size()) + " scales");
  }
  const int64_t zero_point = q.zero_point.empty() ? 0 : q.zero_point[0];
  if (!ValidScale(q.scale[0])) {
    return ctx.Error(Describe(role, tensor) + " has scale " + std::to_string(q.scale[0]) +
                     "; it must be positive and finite");
  }
  if (IsQuantized8(tensor.dtype()) &&
      (zero_point < QMin(tensor.dtype()) || zero_point > QMax(tensor.dtype()))) {
    return ctx.Error(Describe(role, tensor) + " has zero point " + std::to_string(zero_point) +
                     ", outside the " + DTypeName(tensor.dtype()) + " range");
  }
  TensorQuant result;
  result.scale = q.scale[0];
  result.zero_point = static_cast<int32_t>(zero_point);
  return result;
}

StatusOr<WeightQuant> WeightQuantization(const OpContext& ctx, const RtTensor& weights,
                                         int channel_axis, int32_t channels) {
  const QuantParams& q = weights.quant();
  const std::string who = Describe("filter", weights);
  if (q.empty()) {
    return ctx.Error(who + " is " + DTypeName(weights.dtype()) +
                     " but has no quantization parameters");
  }
  if (!q.zero_point.empty() && q.zero_point.size() != 1 && q.zero_point.size() != q.scale.size()) {
    return ctx.Error(who + " has " + std::to_string(q.scale.size()) + " scales but " +
                     std::to_string(q.zero_point.size()) + " zero points");
  }
  for (float s : q.scale) {
    if (!ValidScale(s)) {
      return ctx.Error(who + " has scale " + std::to_string(s) +
                       "; scales must be positive and finite");
    }
  }
  WeightQuant result;
  if (q.scale.size() == 1) {
    const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
    if (zp < QMin(weights.dtype()) || zp > QMax(weights.dtype())) {
      return ctx.Error(who + " has zero point " + std::to_string(zp) + ", outside the " +
                       DTypeName(weights.dtype()) + " range");
    }
    result.scales.assign(static_cast<size_t>(channels), q.scale[0]);
    result.zero_point = static_cast<int32_t>(zp);
    return result;
  }
  if (weights.dtype() != DType::kInt8) {
    return ctx.UnsupportedError(who + " is " + DTypeName(weights.dtype()) +
                                " with per-channel quantization; only int8 weights may be "
                                "quantized per channel");
  }
  if (q.scale.size() != static_cast<size_t>(channels)) {
    return ctx.Error(who + " has " + std::to_string(q.scale.size()) +
                     " per-channel scales but the op has " + std::to_string(channels) +
                     " output channels");
  }
  if (q.quantized_dimension != channel_axis) {
    return ctx.Error(who + " is quantized along dimension " +
                     std::to_string(q.quantized_dimension) + "; expected dimension " +
                     std::to_string(channel_axis) + " (the output channels)");
  }
  for (int64_t zp : q.zero_point) {
    if (zp != 0) {
      return ctx.UnsupportedError(who + " has per-channel zero point " + std::to_string(zp) +
                                  "; per-channel weights must be symmetric (zero point 0)");
    }
  }
  result.scales = q.scale;
  result.per_channel = true;
  return result;
}

Status CheckBias(const OpContext& ctx, const RtTensor* bias, DType expected, int32_t channels) {
  if (bias == nullptr) return Status::Ok();
  if (bias->dtype() != expected) {
    return ctx.UnsupportedError(Describe("bias", *bias) + " is " + DTypeName(bias->dtype()) +
                                "; with these inputs the bias must be " + DTypeName(expected));
  }
  if (bias->num_elements() != channels) {
    return ctx.Error(Describe("bias", *bias) + " has " + std::to_string(bias->num_elements()) +
                     " elements (shape " + ShapeToString(bias->shape()) + "); expected " +
                     std::to_string(channels) + ", one per output channel");
  }
  return Status::Ok();
}

StatusOr<kr::FusedActivation> FusedActivationOf(const OpContext& ctx, ir::Activation activation) {
  switch (activation) {
    case ir::Activation::kNone: return kr::FusedActivation::kNone;
    case ir::Activation::kRelu: return kr::FusedActivation::kRelu;
    case ir::Activation::kReluN1To1: return kr::FusedActivation::kReluN1To1;
    case ir::Activation::kRelu6: return kr::FusedActivation::kRelu6;
    case ir::Activation::kTanh:
    case ir::Activation::kSignBit:
      break;
  }
  return ctx.UnsupportedError(std::string("fused activation ") + ir::ActivationName(activation) +
                              " is not supported; supported: NONE, RELU, RELU_N1_TO_1, RELU6");
}

StatusOr<int32_t> PaddingBefore(const OpContext& ctx, ir::Padding padding, const char* dim_name,
                                int32_t in, int32_t kernel, int32_t stride, int32_t dilation,
                                int32_t out) {
  if (stride < 1 || dilation < 1 || kernel < 1) {
    return ctx.Error(std::string(dim_name) + ": stride " + std::to_string(stride) +
                     ", dilation " + std::to_string(dilation) + " and kernel size " +
                     std::to_string(kernel) + " must all be at least 1");
  }
  const int64_t effective_kernel = static_cast<int64_t>(kernel - 1) * dilation + 1;
  int64_t expected = 0;
  if (padding == ir::Padding::kSame) {
    expected = (static_cast<int64_t>(in) + stride - 1) / stride;
  } else {
    expected = in >= effective_kernel ? (in - effective_kernel + stride) / stride : 0;
  }
  if (out != expected || out < 1) {
    return ctx.Error("output " + std::string(dim_name) + " " + std::to_string(out) +
                     " does not match input " + dim_name + " " + std::to_string(in) + " with " +
                     (padding == ir::Padding::kSame ? "SAME" : "VALID") + " padding, kernel " +
                     std::to_string(kernel) + ", stride " + std::to_string(stride) +
                     ", dilation " + std::to_string(dilation) + " (expected " +
                     std::to_string(expected) + ")");
  }
  if (padding == ir::Padding::kValid) return 0;
  const int64_t total = (static_cast<int64_t>(out) - 1) * stride + effective_kernel - in;
  return static_cast<int32_t>(total > 0 ? total / 2 : 0);
}

void BuildLinearOutputStage(const TensorQuant& input, const WeightQuant& weights,
                            const TensorQuant& output, DType dtype,
                            kr::FusedActivation activation, bool use_xnnpack,
                            LinearOutputStage* stage) {
  const size_t channels = weights.scales.size();
  stage->scales.clear();
  stage->multipliers.clear();
  kr::LinearQuantization& quant = stage->quant;
  quant.input_zero_point = input.zero_point;
  quant.filter_zero_point = weights.zero_point;
  quant.output.zero_point = output.zero_point;
  if (use_xnnpack) {
    stage->scales.resize(channels);
    for (size_t c = 0; c < channels; ++c) {
      stage->scales[c] = kr::XnnpackRequantizationScale(input.scale, weights.scales[c], output.scale);
    }
    const kr::QuantizedRange range = kr::XnnpackActivationRange(
        activation, output.scale, output.zero_point, QMin(dtype), QMax(dtype));
    quant.output.scheme = kr::OutputStage::Scheme::kXnnpackFloatScale;
    quant.output.scale = stage->scales.data();
    quant.output.multiplier = nullptr;
    quant.output.min = range.min;
    quant.output.max = range.max;
  } else {
    stage->multipliers.resize(channels);
    for (size_t c = 0; c < channels; ++c) {
      stage->multipliers[c] = kr::QuantizeMultiplier(static_cast<double>(input.scale) *
                                                     static_cast<double>(weights.scales[c]) /
                                                     static_cast<double>(output.scale));
    }
    const kr::QuantizedRange range = kr::TfliteActivationRange(
        activation, output.scale, output.zero_point, QMin(dtype), QMax(dtype));
    quant.output.scheme = kr::OutputStage::Scheme::kTfliteFixedPoint;
    quant.output.scale = nullptr;
    quant.output.multiplier = stage->multipliers.data();
    quant.output.min = range.min;
    quant.output.max = range.max;
  }
}

bool XnnpackTakesLinearOp(const RtTensor& weights, const RtTensor* bias, bool bias_required,
                          const TensorQuant& input, const WeightQuant& weights_quant,
                          const TensorQuant& output) {
  if (!weights.is_constant()) return false;
  if (bias == nullptr ? bias_required : !bias->is_constant()) return false;
  for (float s : weights_quant.scales) {
    if (!(kr::XnnpackRequantizationScale(input.scale, s, output.scale) < 256.0f)) return false;
  }
  return true;
}

}  // namespace edgeforge::runtime::ops
