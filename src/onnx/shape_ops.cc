// Ops that move elements: RESHAPE/SQUEEZE, CONCATENATION, PAD, RESIZE_*, SPLIT, ARG_MAX. Rank-4
// tensors are NCHW inside the ONNX graph, so axes are remapped, and reshapes that change the rank
// go through TFLite's NHWC element order.
#include "onnx/layout.h"
#include "onnx/op_exporters.h"

namespace edgeforge::onnx_export {

namespace {

// A TFLite axis of a tensor of rank `rank`, as the ONNX axis of the same dimension.
StatusOr<int64_t> OnnxAxis(int64_t axis, size_t rank) {
  const int64_t normalized = NormalizeAxis(axis, static_cast<int64_t>(rank));
  if (normalized < 0) {
    return InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return rank == 4 ? NchwAxis(normalized) : normalized;
}

}  // namespace

Status ExportReshape(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  // The verifier has checked that the declared output shape holds the input's elements.
  EF_ASSIGN_OR_RETURN(std::string x, ctx.OperandInNhwcOrder(op.inputs[0]));
  return ctx.Define(op.outputs[0], ctx.FromNhwcOrder(x, ctx.tensor(op.outputs[0]).shape));
}

Status ExportConcatenation(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  EF_ASSIGN_OR_RETURN(const ir::ConcatenationOptions* o, OptionsOf<ir::ConcatenationOptions>(op));
  const size_t rank = ctx.tensor(op.outputs[0]).shape.size();
  EF_ASSIGN_OR_RETURN(int64_t axis, OnnxAxis(o->axis, rank));
  std::vector<std::string> inputs;
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    if (op.inputs[i] < 0) return InvalidArgument("input " + std::to_string(i) + " is missing");
    if (ctx.tensor(op.inputs[i]).shape.size() != rank) {
      return InvalidArgument("input " + std::to_string(i) + " has rank " +
                             std::to_string(ctx.tensor(op.inputs[i]).shape.size()) + ", the output " +
                             std::to_string(rank));
    }
    EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[i]));
    inputs.push_back(x);
  }
  ::onnx::NodeProto* node = nullptr;
  std::string y = ctx.AddNode1("Concat", inputs, ctx.tensor(op.outputs[0]).name + "/concat", &node);
  SetAttribute(*node, "axis", axis);
  EF_ASSIGN_OR_RETURN(y, ctx.ApplyActivation(y, o->activation));
  return ctx.Define(op.outputs[0], y);
}

Status ExportPad(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  const size_t rank = ctx.tensor(op.inputs[0]).shape.size();
  EF_ASSIGN_OR_RETURN(std::vector<int64_t> paddings, IntegerConstant(ctx, op.inputs[1], "PAD paddings"));
  if (paddings.size() != 2 * rank) {
    return InvalidArgument("paddings hold " + std::to_string(paddings.size()) + " values, a rank-" +
                           std::to_string(rank) + " input needs " + std::to_string(2 * rank));
  }
  // TFLite: [[before, after] per dim]; ONNX: [all befores, all afters], in ONNX's dim order.
  std::vector<int64_t> pads(2 * rank);
  for (size_t d = 0; d < rank; ++d) {
    const size_t onnx_dim = rank == 4 ? static_cast<size_t>(NchwAxis(static_cast<int64_t>(d))) : d;
    pads[onnx_dim] = paddings[2 * d];
    pads[rank + onnx_dim] = paddings[2 * d + 1];
  }
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  const std::string base = ctx.tensor(op.outputs[0]).name;
  // Quantized PAD fills with the zero point, i.e. real 0: the float-domain default.
  const std::string y = ctx.AddNode1("Pad", {x, ctx.Int64Initializer(base + "/pads", pads)}, base + "/pad");
  return ctx.Define(op.outputs[0], y);
}

Status ExportResize(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  EF_ASSIGN_OR_RETURN(const ir::ResizeOptions* o, OptionsOf<ir::ResizeOptions>(op));
  EF_RETURN_IF_ERROR(NeedRank(ctx, op.inputs[0], 4, "input"));
  EF_ASSIGN_OR_RETURN(std::vector<int64_t> size, IntegerConstant(ctx, op.inputs[1], "RESIZE size"));
  if (size.size() != 2) return InvalidArgument("size holds " + std::to_string(size.size()) + " values, expected 2");
  const Shape& in = ctx.tensor(op.inputs[0]).shape;
  const bool bilinear = op.type == ir::OpType::kResizeBilinear;
  // TFLite's coordinate rules spelled in ONNX's terms: bilinear (out + 0.5) * in/out - 0.5 with
  // half-pixel centers, out * (in-1)/(out-1) aligned, else out * in/out; nearest neighbour floors
  // (out + 0.5) * in/out with half-pixel centers and rounds half up when aligned.
  std::string transform = "asymmetric", nearest_mode = "floor";
  if (o->align_corners) {
    transform = "align_corners";
    nearest_mode = "round_prefer_ceil";
  } else if (o->half_pixel_centers) {
    transform = bilinear ? "half_pixel" : "tf_half_pixel_for_nn";
  }
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  const std::string base = ctx.tensor(op.outputs[0]).name;
  const std::string sizes = ctx.Int64Initializer(base + "/sizes", {in[0], in[3], size[0], size[1]});
  ::onnx::NodeProto* node = nullptr;
  const std::string y = ctx.AddNode1("Resize", {x, "", "", sizes}, base + "/resize", &node);
  SetAttribute(*node, "mode", std::string(bilinear ? "linear" : "nearest"));
  SetAttribute(*node, "coordinate_transformation_mode", transform);
  if (!bilinear) SetAttribute(*node, "nearest_mode", nearest_mode);
  return ctx.Define(op.outputs[0], y);
}

Status ExportSplit(ExportContext& ctx, const ir::Op& op) {
  // Input 0 is the axis, input 1 the data.
  if (op.inputs.size() != 2 || op.inputs[0] < 0 || op.inputs[1] < 0 || op.outputs.empty()) {
    return InvalidArgument("needs an axis, a tensor and at least one output");
  }
  EF_ASSIGN_OR_RETURN(std::vector<int64_t> axis_values, IntegerConstant(ctx, op.inputs[0], "SPLIT axis"));
  if (axis_values.size() != 1) return InvalidArgument("axis holds " + std::to_string(axis_values.size()) + " values");
  const size_t rank = ctx.tensor(op.inputs[1]).shape.size();
  const int64_t tflite_axis = NormalizeAxis(axis_values[0], static_cast<int64_t>(rank));
  EF_ASSIGN_OR_RETURN(int64_t axis, OnnxAxis(axis_values[0], rank));
  std::vector<int64_t> sizes;
  std::vector<std::string> outputs;
  for (int out : op.outputs) {
    if (ctx.tensor(out).shape.size() != rank) return InvalidArgument("output '" + ctx.tensor(out).name + "' changes rank");
    sizes.push_back(ctx.tensor(out).shape[static_cast<size_t>(tflite_axis)]);
    outputs.push_back(ctx.NewName(ctx.tensor(out).name + "/split"));
  }
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[1]));
  const std::string split = ctx.Int64Initializer(ctx.tensor(op.outputs[0]).name + "/split_sizes", sizes);
  ::onnx::NodeProto& node = ctx.AddNode("Split", {x, split}, outputs);
  SetAttribute(node, "axis", axis);
  for (size_t i = 0; i < outputs.size(); ++i) EF_RETURN_IF_ERROR(ctx.Define(op.outputs[i], outputs[i]));
  return Status::Ok();
}

Status ExportArgMax(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  EF_ASSIGN_OR_RETURN(const ir::ArgMaxOptions* o, OptionsOf<ir::ArgMaxOptions>(op));
  EF_ASSIGN_OR_RETURN(std::vector<int64_t> axis_values, IntegerConstant(ctx, op.inputs[1], "ARG_MAX axis"));
  if (axis_values.size() != 1) return InvalidArgument("axis holds " + std::to_string(axis_values.size()) + " values");
  const size_t rank = ctx.tensor(op.inputs[0]).shape.size();
  const int64_t tflite_axis = NormalizeAxis(axis_values[0], static_cast<int64_t>(rank));
  if (tflite_axis < 0) return InvalidArgument("axis " + std::to_string(axis_values[0]) + " is out of range");
  // Dropping an axis of NCHW leaves TFLite's order only when it is the channel axis.
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  int64_t axis = tflite_axis;
  if (rank == 4 && tflite_axis == 3) {
    axis = 1;
  } else if (rank == 4) {
    x = ctx.Transpose(x, kNchwToNhwc);
  }
  const std::string base = ctx.tensor(op.outputs[0]).name;
  ::onnx::NodeProto* node = nullptr;
  std::string y = ctx.AddNode1("ArgMax", {x}, base + "/argmax", &node);
  SetAttribute(*node, "axis", axis);
  SetAttribute(*node, "keepdims", int64_t{0});
  if (!o->output_int64) {
    y = ctx.Cast(y, ::onnx::TensorProto_DataType_INT32, base + "/int32");
  }
  return ctx.Define(op.outputs[0], y);
}

}  // namespace edgeforge::onnx_export
