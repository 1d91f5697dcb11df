// One function per TFLite op family: reads the op's inputs through the ExportContext, adds the
// ONNX nodes, defines the outputs. Errors say what about the op is unsupported; the caller adds
// the file name and op index.
#pragma once

#include <string>
#include <variant>

#include "edgeforge/status.h"
#include "ir/op.h"
#include "kernels/reference/activation.h"
#include "onnx/export_context.h"

namespace edgeforge::onnx_export {

// conv_ops.cc
Status ExportConv2D(ExportContext& ctx, const ir::Op& op);
Status ExportDepthwiseConv2D(ExportContext& ctx, const ir::Op& op);
Status ExportFullyConnected(ExportContext& ctx, const ir::Op& op);

// pool_ops.cc
Status ExportPool2D(ExportContext& ctx, const ir::Op& op);  // AVERAGE_POOL_2D, MAX_POOL_2D
Status ExportMean(ExportContext& ctx, const ir::Op& op);

// elementwise_ops.cc
Status ExportBinary(ExportContext& ctx, const ir::Op& op);  // ADD, SUB, MUL
Status ExportUnary(ExportContext& ctx, const ir::Op& op);   // LOGISTIC, TANH, RELU, RELU6, HARD_SWISH
Status ExportSoftmax(ExportContext& ctx, const ir::Op& op);
Status ExportL2Normalization(ExportContext& ctx, const ir::Op& op);
Status ExportQuantize(ExportContext& ctx, const ir::Op& op);  // QUANTIZE, DEQUANTIZE
Status ExportCast(ExportContext& ctx, const ir::Op& op);

// exact_integer_ops.cc: quantized AVERAGE_POOL_2D, MEAN over H,W and SOFTMAX written in TFLite's
// own arithmetic (ORT then gives TFLite's bytes); the exporters above use it when it applies.
// Quantized ADD / SUB (XNNPACK's fixed point) too; per-channel convolutions are in conv_ops.cc.
// Only with ExportOptions::tflite_exact.
bool HasExactIntegerForm(const ExportContext& ctx, const ir::Op& op);
Status ExportExactInteger(ExportContext& ctx, const ir::Op& op);
// Clip of a float value holding integers to [range.min, range.max].
std::string ClampIntegers(ExportContext& ctx, const std::string& q, kernels::reference::QuantizedRange range,
                          const std::string& base);
// A fused activation that is a clamp (all but TANH and SIGN_BIT), and that clamp.
bool HasClampForm(ir::Activation activation);
kernels::reference::FusedActivation ClampOf(ir::Activation activation);

// shape_ops.cc
Status ExportReshape(ExportContext& ctx, const ir::Op& op);  // RESHAPE, SQUEEZE
Status ExportConcatenation(ExportContext& ctx, const ir::Op& op);
Status ExportPad(ExportContext& ctx, const ir::Op& op);
Status ExportResize(ExportContext& ctx, const ir::Op& op);  // RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR
Status ExportSplit(ExportContext& ctx, const ir::Op& op);
Status ExportArgMax(ExportContext& ctx, const ir::Op& op);

// Shared checks.

// At least `required` inputs present (not kNoTensor) and exactly `outputs` outputs.
inline Status NeedArity(const ir::Op& op, size_t required, size_t outputs) {
  if (op.inputs.size() < required) {
    return InvalidArgument("needs " + std::to_string(required) + " inputs, has " + std::to_string(op.inputs.size()));
  }
  for (size_t i = 0; i < required; ++i) {
    if (op.inputs[i] < 0) return InvalidArgument("input " + std::to_string(i) + " is missing");
  }
  if (op.outputs.size() != outputs) {
    return InvalidArgument("needs " + std::to_string(outputs) + " outputs, has " + std::to_string(op.outputs.size()));
  }
  return Status::Ok();
}

template <typename T>
StatusOr<const T*> OptionsOf(const ir::Op& op) {
  const T* options = std::get_if<T>(&op.options);
  if (options == nullptr) return InvalidArgument("its options are missing");
  return options;
}

inline Status NeedRank(const ExportContext& ctx, int tensor, size_t rank, const char* what) {
  if (ctx.tensor(tensor).shape.size() != rank) {
    return Unimplemented(std::string(what) + " '" + ctx.tensor(tensor).name + "' has shape " +
                         ShapeToString(ctx.tensor(tensor).shape) + ", expected rank " + std::to_string(rank));
  }
  return Status::Ok();
}

// The constant values of an integer tensor (int32 or int64), e.g. axes, sizes, paddings.
inline StatusOr<std::vector<int64_t>> IntegerConstant(const ExportContext& ctx, int tensor, const char* what) {
  const ir::Tensor* source = ctx.ConstantSource(tensor);
  if (source == nullptr) return Unimplemented(std::string(what) + " must be a constant");
  std::vector<int64_t> values;
  if (source->dtype == DType::kInt32) {
    for (int32_t v : source->values<int32_t>()) values.push_back(v);
  } else if (source->dtype == DType::kInt64) {
    for (int64_t v : source->values<int64_t>()) values.push_back(v);
  } else {
    return InvalidArgument(std::string(what) + " must be int32 or int64, not " + DTypeName(source->dtype));
  }
  return values;
}

}  // namespace edgeforge::onnx_export
