// CONV_2D, DEPTHWISE_CONV_2D -> Conv; FULLY_CONNECTED -> Gemm. Weights are transposed into
// ONNX's layout at export; quantized weights and biases stay integers behind DequantizeLinear,
// the pattern ORT fuses into QLinearConv / QGemm.
#include <algorithm>
#include <cstring>

#include "ir/verifier.h"
#include "kernels/reference/requantize.h"
#include "onnx/layout.h"
#include "onnx/op_exporters.h"

namespace edgeforge::onnx_export {

namespace {

namespace kr = kernels::reference;

StatusOr<const ir::Tensor*> ConstantWeights(const ExportContext& ctx, const ir::Op& op, size_t rank) {
  const ir::Tensor* weights = ctx.ConstantSource(op.inputs[1]);
  if (weights == nullptr) return Unimplemented("weights '" + ctx.tensor(op.inputs[1]).name + "' must be a constant");
  if (weights->shape.size() != rank) {
    return InvalidArgument("weights '" + weights->name + "' have shape " + ShapeToString(weights->shape) +
                           ", expected rank " + std::to_string(rank));
  }
  return weights;
}

// The bias operand ("" when the op has none). TFLite stores the int32 bias with scale
// s_in * s_w[c]; when a file leaves those out, they are derived the same way.
StatusOr<std::string> BiasOperand(ExportContext& ctx, const ir::Op& op, const ir::Tensor& weights) {
  if (op.inputs.size() < 3 || op.inputs[2] < 0) return std::string();
  const ir::Tensor* bias = ctx.ConstantSource(op.inputs[2]);
  if (bias == nullptr) return Unimplemented("bias '" + ctx.tensor(op.inputs[2]).name + "' must be a constant");
  if (bias->shape.size() != 1) {
    return InvalidArgument("bias '" + bias->name + "' has shape " + ShapeToString(bias->shape) + ", expected rank 1");
  }
  ConstantData data = FromTensor(*bias);
  if (data.dtype == DType::kInt32 && data.quant.empty()) {
    const ir::Tensor& input = ctx.tensor(op.inputs[0]);
    if (input.quant.empty() || weights.quant.empty()) {
      return InvalidArgument("int32 bias '" + bias->name + "' has no scale and the input or weights are not quantized");
    }
    for (float s_w : weights.quant.scale) data.quant.scale.push_back(input.quant.scale[0] * s_w);
    data.quant.zero_point.assign(data.quant.scale.size(), 0);
    data.quant.quantized_dimension = 0;
  }
  return ctx.Constant(data, bias->name.empty() ? "bias" : bias->name);
}

Status FinishWithActivation(ExportContext& ctx, const ir::Op& op, const std::string& value, ir::Activation activation) {
  EF_ASSIGN_OR_RETURN(std::string activated, ctx.ApplyActivation(value, activation));
  return ctx.Define(op.outputs[0], activated);
}

struct ConvGeometry {
  ir::Padding padding;
  int32_t stride_h, stride_w, dilation_h, dilation_w;
};

// Conv attributes; TFLite's SAME padding becomes explicit pads computed TFLite's way.
void SetConvAttributes(::onnx::NodeProto& node, const Shape& input, int32_t kh, int32_t kw, const ConvGeometry& g,
                       int64_t group) {
  const ir::PaddingResult h = ir::ComputePadding(g.padding, input[1], kh, g.stride_h, g.dilation_h);
  const ir::PaddingResult w = ir::ComputePadding(g.padding, input[2], kw, g.stride_w, g.dilation_w);
  SetAttribute(node, "kernel_shape", std::vector<int64_t>{kh, kw});
  SetAttribute(node, "strides", std::vector<int64_t>{g.stride_h, g.stride_w});
  SetAttribute(node, "dilations", std::vector<int64_t>{g.dilation_h, g.dilation_w});
  SetAttribute(node, "pads", std::vector<int64_t>{h.before, w.before, h.after, w.after});
  SetAttribute(node, "group", group);
}

// A convolution with per-channel int8 weights between per-tensor 8-bit activations, in the
// TFLite runtime's arithmetic (DESIGN.md): acc = bias + sum (x - z_in) * w as ConvInteger (weights
// shifted to uint8 with zero point 128: the same products), then lrintf((float)acc * scale[c]) +
// z_out clamped to XNNPACK's activation range, as float ops on exact integers (ExportOptions::
// tflite_exact; ORT's own per-channel kernels round some of these differently, README).
// Per-tensor weights keep the QDQ form: there ORT's QLinearConv gives TFLite's bytes.
bool HasExactConvolution(const ExportContext& ctx, const ir::Op& op, const ConstantData& onnx_weights,
                         ir::Activation activation) {
  if (!HasClampForm(activation)) return false;
  if (!ctx.options().tflite_exact || onnx_weights.dtype != DType::kInt8 || !onnx_weights.quant.per_channel()) return false;
  for (int64_t zp : onnx_weights.quant.zero_point) {
    if (zp != 0) return false;
  }
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  if (!ctx.StoredAsUint8(op.inputs[0]) || !IsQuantized(output) || output.quant.per_channel()) return false;
  if (op.inputs.size() < 3 || op.inputs[2] < 0) return true;
  const ir::Tensor* bias = ctx.ConstantSource(op.inputs[2]);
  return bias != nullptr && bias->dtype == DType::kInt32 && bias->shape.size() == 1;
}

Status ExportConvExactly(ExportContext& ctx, const ir::Op& op, const ConstantData& onnx_weights,
                         const ConvGeometry& geometry, int64_t group, ir::Activation activation) {
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  const std::string base = output.name + "/conv";
  const int64_t channels = onnx_weights.dims[0];
  int64_t x_zero_point = 0;
  EF_ASSIGN_OR_RETURN(const std::string x, ctx.StoredUint8(op.inputs[0], &x_zero_point));
  std::vector<uint8_t> shifted(onnx_weights.bytes.size());
  for (size_t i = 0; i < shifted.size(); ++i) shifted[i] = static_cast<uint8_t>(static_cast<int8_t>(onnx_weights.bytes[i]) + 128);
  const std::string w = ctx.AddInitializer(base + "/weights_u8", DType::kUInt8, onnx_weights.dims, shifted);
  const std::string x_zp = ctx.AddInitializer(base + "/x_zero_point", DType::kUInt8, {}, {static_cast<uint8_t>(x_zero_point)});
  const std::string w_zp = ctx.AddInitializer(base + "/w_zero_point", DType::kUInt8, {}, {uint8_t{128}});
  ::onnx::NodeProto* node = nullptr;
  std::string acc = ctx.AddNode1("ConvInteger", {x, w, x_zp, w_zp}, base + "/acc", &node);
  SetConvAttributes(*node, input.shape, static_cast<int32_t>(onnx_weights.dims[2]), static_cast<int32_t>(onnx_weights.dims[3]),
                    geometry, group);
  if (op.inputs.size() >= 3 && op.inputs[2] >= 0) {
    const ir::Tensor* bias = ctx.ConstantSource(op.inputs[2]);
    const std::vector<uint8_t> bytes(bias->data.begin(), bias->data.end());
    acc = ctx.AddNode1("Add", {acc, ctx.AddInitializer(base + "/bias", DType::kInt32, {1, channels, 1, 1}, bytes)},
                       base + "/acc_bias");
  }
  const std::string real_acc = ctx.Cast(acc, ::onnx::TensorProto_DataType_FLOAT, base + "/acc_float");
  std::vector<float> scales;
  for (float s_w : onnx_weights.quant.scale) {
    scales.push_back(kr::XnnpackRequantizationScale(input.quant.scale[0], s_w, output.quant.scale[0]));
  }
  std::vector<uint8_t> scale_bytes(scales.size() * sizeof(float));
  std::memcpy(scale_bytes.data(), scales.data(), scale_bytes.size());
  const std::string scaled = ctx.AddNode1(
      "Mul", {real_acc, ctx.AddInitializer(base + "/scale", DType::kFloat32, {1, channels, 1, 1}, scale_bytes)},
      base + "/scaled");
  const int32_t z_out = output.quant.zero_point.empty() ? 0 : static_cast<int32_t>(output.quant.zero_point[0]);
  const bool is_int8 = output.dtype == DType::kInt8;
  const kr::QuantizedRange range = kr::XnnpackActivationRange(ClampOf(activation), output.quant.scale[0], z_out,
                                                              is_int8 ? -128 : 0, is_int8 ? 127 : 255);
  const std::string shifted_q = ctx.AddNode1(
      "Add", {ctx.AddNode1("Round", {scaled}, base + "/rounded"), ctx.FloatScalar(base + "/z_out", static_cast<float>(z_out))},
      base + "/q");
  return ctx.DefineFromIntegers(op.outputs[0], ClampIntegers(ctx, shifted_q, range, base + "/clamped"));
}

Status ExportConvLike(ExportContext& ctx, const ir::Op& op, const ir::Tensor& weights, const ConstantData& onnx_weights,
                      const ConvGeometry& geometry, int64_t group, ir::Activation activation) {
  if (HasExactConvolution(ctx, op, onnx_weights, activation)) return ExportConvExactly(ctx, op, onnx_weights, geometry, group, activation);
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  EF_ASSIGN_OR_RETURN(std::string w, ctx.Constant(onnx_weights, weights.name.empty() ? "weights" : weights.name));
  EF_ASSIGN_OR_RETURN(std::string b, BiasOperand(ctx, op, weights));
  std::vector<std::string> inputs = {x, w};
  if (!b.empty()) inputs.push_back(b);
  ::onnx::NodeProto* node = nullptr;
  const std::string y = ctx.AddNode1("Conv", inputs, ctx.tensor(op.outputs[0]).name + "/conv", &node);
  SetConvAttributes(*node, ctx.tensor(op.inputs[0]).shape, static_cast<int32_t>(onnx_weights.dims[2]),
                    static_cast<int32_t>(onnx_weights.dims[3]), geometry, group);
  return FinishWithActivation(ctx, op, y, activation);
}

}  // namespace

Status ExportConv2D(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  EF_ASSIGN_OR_RETURN(const ir::Conv2DOptions* o, OptionsOf<ir::Conv2DOptions>(op));
  EF_RETURN_IF_ERROR(NeedRank(ctx, op.inputs[0], 4, "input"));
  EF_ASSIGN_OR_RETURN(const ir::Tensor* weights, ConstantWeights(ctx, op, 4));
  const int32_t in_channels = ctx.tensor(op.inputs[0]).shape[3], weight_channels = weights->shape[3];
  if (weight_channels <= 0 || in_channels % weight_channels != 0) {
    return InvalidArgument("input has " + std::to_string(in_channels) + " channels, weights " +
                           ShapeToString(weights->shape) + " take " + std::to_string(weight_channels));
  }
  // OHWI -> OIHW; per-channel scales stay on axis 0.
  const ConstantData onnx_weights = Permute(FromTensor(*weights), {0, 3, 1, 2});
  return ExportConvLike(ctx, op, *weights, onnx_weights,
                        {o->padding, o->stride_h, o->stride_w, o->dilation_h, o->dilation_w},
                        in_channels / weight_channels, o->activation);
}

Status ExportDepthwiseConv2D(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  EF_ASSIGN_OR_RETURN(const ir::DepthwiseConv2DOptions* o, OptionsOf<ir::DepthwiseConv2DOptions>(op));
  EF_RETURN_IF_ERROR(NeedRank(ctx, op.inputs[0], 4, "input"));
  EF_ASSIGN_OR_RETURN(const ir::Tensor* weights, ConstantWeights(ctx, op, 4));
  const int32_t in_channels = ctx.tensor(op.inputs[0]).shape[3], out_channels = weights->shape[3];
  if (weights->shape[0] != 1 || in_channels <= 0 || out_channels % in_channels != 0) {
    return InvalidArgument("depthwise weights " + ShapeToString(weights->shape) + " do not fit an input with " +
                           std::to_string(in_channels) + " channels");
  }
  // [1,H,W,C*m] -> [C*m,1,H,W]: a grouped Conv with one group per input channel, whose output
  // channel c*m+k reads input channel c exactly as TFLite's depthwise does. The per-channel
  // quantization axis 3 becomes axis 0.
  const ConstantData onnx_weights = Permute(FromTensor(*weights), {3, 0, 1, 2});
  return ExportConvLike(ctx, op, *weights, onnx_weights,
                        {o->padding, o->stride_h, o->stride_w, o->dilation_h, o->dilation_w}, in_channels,
                        o->activation);
}

Status ExportFullyConnected(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  EF_ASSIGN_OR_RETURN(const ir::FullyConnectedOptions* o, OptionsOf<ir::FullyConnectedOptions>(op));
  EF_ASSIGN_OR_RETURN(const ir::Tensor* weights, ConstantWeights(ctx, op, 2));
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const int64_t depth = weights->shape[1];
  const int64_t elements = NumElements(input.shape);
  if (depth <= 0 || elements % depth != 0) {
    return InvalidArgument("input " + ShapeToString(input.shape) + " does not fit weights " +
                           ShapeToString(weights->shape));
  }
  // Gemm wants [rows, depth]: TFLite flattens everything but the last dimension, in NHWC order.
  EF_ASSIGN_OR_RETURN(std::string x, ctx.OperandInNhwcOrder(op.inputs[0]));
  if (!(input.shape.size() == 2 && input.shape[1] == depth)) x = ctx.Reshape(x, {elements / depth, depth});
  EF_ASSIGN_OR_RETURN(std::string w, ctx.Constant(FromTensor(*weights), weights->name.empty() ? "weights" : weights->name));
  EF_ASSIGN_OR_RETURN(std::string b, BiasOperand(ctx, op, *weights));
  std::vector<std::string> inputs = {x, w};
  if (!b.empty()) inputs.push_back(b);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  ::onnx::NodeProto* node = nullptr;
  std::string y = ctx.AddNode1("Gemm", inputs, output.name + "/gemm", &node);
  SetAttribute(*node, "transB", int64_t{1});
  EF_ASSIGN_OR_RETURN(y, ctx.ApplyActivation(y, o->activation));
  // keep_num_dims: the leading dimensions come back.
  if (!(output.shape.size() == 2 && output.shape[0] == elements / depth)) y = ctx.FromNhwcOrder(y, output.shape);
  return ctx.Define(op.outputs[0], y);
}

}  // namespace edgeforge::onnx_export
