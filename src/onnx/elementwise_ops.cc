// Element-wise ops: ADD/SUB/MUL, activations, SOFTMAX, L2_NORMALIZATION, and the dtype changes
// QUANTIZE/DEQUANTIZE/CAST. In QDQ form QUANTIZE and DEQUANTIZE add no node of their own: the
// float value passes through and the output tensor's own QuantizeLinear (if any) does the work.
#include "onnx/layout.h"
#include "onnx/op_exporters.h"

namespace edgeforge::onnx_export {

namespace {

// The axis TFLite's "last dimension" ops (SOFTMAX, L2_NORMALIZATION) work on.
int64_t LastAxis(const ExportContext& ctx, int tensor) { return ctx.rank(tensor) == 4 ? 1 : -1; }

}  // namespace

Status ExportBinary(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  if (HasExactIntegerForm(ctx, op)) return ExportExactInteger(ctx, op);  // quantized ADD/SUB: XNNPACK's
  EF_ASSIGN_OR_RETURN(const ir::ElementwiseOptions* o, OptionsOf<ir::ElementwiseOptions>(op));
  const char* onnx_op = op.type == ir::OpType::kAdd ? "Add" : op.type == ir::OpType::kSub ? "Sub" : "Mul";
  const size_t out_rank = ctx.tensor(op.outputs[0]).shape.size();
  EF_ASSIGN_OR_RETURN(std::string a, ctx.BroadcastOperand(op.inputs[0], out_rank));
  EF_ASSIGN_OR_RETURN(std::string b, ctx.BroadcastOperand(op.inputs[1], out_rank));
  std::string y = ctx.AddNode1(onnx_op, {a, b}, ctx.tensor(op.outputs[0]).name + "/" + onnx_op);
  EF_ASSIGN_OR_RETURN(y, ctx.ApplyActivation(y, o->activation));
  return ctx.Define(op.outputs[0], y);
}

Status ExportUnary(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  const std::string base = ctx.tensor(op.outputs[0]).name;
  std::string y;
  switch (op.type) {
    case ir::OpType::kLogistic: y = ctx.AddNode1("Sigmoid", {x}, base + "/sigmoid"); break;
    case ir::OpType::kTanh: y = ctx.AddNode1("Tanh", {x}, base + "/tanh"); break;
    case ir::OpType::kRelu: y = ctx.AddNode1("Relu", {x}, base + "/relu"); break;
    case ir::OpType::kHardSwish: y = ctx.AddNode1("HardSwish", {x}, base + "/hard_swish"); break;
    case ir::OpType::kRelu6: {
      EF_ASSIGN_OR_RETURN(y, ctx.ApplyActivation(x, ir::Activation::kRelu6));
      break;
    }
    default: return Internal("not a unary op");
  }
  return ctx.Define(op.outputs[0], y);
}

Status ExportSoftmax(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  if (HasExactIntegerForm(ctx, op)) return ExportExactInteger(ctx, op);  // quantized: TFLite's table
  EF_ASSIGN_OR_RETURN(const ir::SoftmaxOptions* o, OptionsOf<ir::SoftmaxOptions>(op));
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  const std::string base = ctx.tensor(op.outputs[0]).name;
  // softmax(beta * x): ONNX's Softmax has no beta.
  if (o->beta != 1.0f) x = ctx.AddNode1("Mul", {x, ctx.FloatScalar(base + "/beta", o->beta)}, base + "/scaled");
  ::onnx::NodeProto* node = nullptr;
  const std::string y = ctx.AddNode1("Softmax", {x}, base + "/softmax", &node);
  SetAttribute(*node, "axis", LastAxis(ctx, op.inputs[0]));
  return ctx.Define(op.outputs[0], y);
}

Status ExportL2Normalization(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  EF_ASSIGN_OR_RETURN(const ir::L2NormOptions* o, OptionsOf<ir::L2NormOptions>(op));
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  ::onnx::NodeProto* node = nullptr;
  std::string y = ctx.AddNode1("LpNormalization", {x}, ctx.tensor(op.outputs[0]).name + "/l2norm", &node);
  SetAttribute(*node, "axis", LastAxis(ctx, op.inputs[0]));
  SetAttribute(*node, "p", int64_t{2});
  EF_ASSIGN_OR_RETURN(y, ctx.ApplyActivation(y, o->activation));
  return ctx.Define(op.outputs[0], y);
}

Status ExportQuantize(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  if (op.type == ir::OpType::kQuantize && !IsQuantized(output)) {
    return Unimplemented("output '" + output.name + "' is " + DTypeName(output.dtype) +
                         (output.quant.empty() ? " without quantization" : "") + ", expected quantized int8 or uint8");
  }
  if (op.type == ir::OpType::kDequantize && !IsQuantized(input) && input.dtype != DType::kFloat16) {
    return Unimplemented("input '" + input.name + "' is " + DTypeName(input.dtype) +
                         ", expected quantized int8/uint8 or float16");
  }
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  return ctx.Define(op.outputs[0], x);
}

Status ExportCast(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  if (IsQuantized(input) || IsQuantized(output)) return Unimplemented("CAST of quantized tensors");
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  return ctx.Define(op.outputs[0], ctx.Cast(x, OnnxDataType(output.dtype), output.name + "/cast"));
}

}  // namespace edgeforge::onnx_export
