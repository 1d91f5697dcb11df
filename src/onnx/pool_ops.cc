// AVERAGE_POOL_2D / MAX_POOL_2D -> AveragePool / MaxPool; MEAN -> GlobalAveragePool (over H,W of
// a rank-4 tensor, what classifiers end with) or ReduceMean. Quantized average pooling and MEAN
// over H,W take TFLite's integer arithmetic instead (exact_integer_ops.cc).
#include <algorithm>
#include <set>

#include "ir/verifier.h"
#include "onnx/layout.h"
#include "onnx/op_exporters.h"

namespace edgeforge::onnx_export {

Status ExportPool2D(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 1, 1));
  if (HasExactIntegerForm(ctx, op)) return ExportExactInteger(ctx, op);
  EF_ASSIGN_OR_RETURN(const ir::Pool2DOptions* o, OptionsOf<ir::Pool2DOptions>(op));
  EF_RETURN_IF_ERROR(NeedRank(ctx, op.inputs[0], 4, "input"));
  const Shape& in = ctx.tensor(op.inputs[0]).shape;
  const ir::PaddingResult h = ir::ComputePadding(o->padding, in[1], o->filter_h, o->stride_h, 1);
  const ir::PaddingResult w = ir::ComputePadding(o->padding, in[2], o->filter_w, o->stride_w, 1);
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  const bool average = op.type == ir::OpType::kAveragePool2D;
  ::onnx::NodeProto* node = nullptr;
  std::string y = ctx.AddNode1(average ? "AveragePool" : "MaxPool", {x},
                               ctx.tensor(op.outputs[0]).name + (average ? "/avgpool" : "/maxpool"), &node);
  SetAttribute(*node, "kernel_shape", std::vector<int64_t>{o->filter_h, o->filter_w});
  SetAttribute(*node, "strides", std::vector<int64_t>{o->stride_h, o->stride_w});
  SetAttribute(*node, "pads", std::vector<int64_t>{h.before, w.before, h.after, w.after});
  // TFLite averages over the window positions inside the input only.
  if (average) SetAttribute(*node, "count_include_pad", int64_t{0});
  EF_ASSIGN_OR_RETURN(y, ctx.ApplyActivation(y, o->activation));
  return ctx.Define(op.outputs[0], y);
}

Status ExportMean(ExportContext& ctx, const ir::Op& op) {
  EF_RETURN_IF_ERROR(NeedArity(op, 2, 1));
  EF_ASSIGN_OR_RETURN(const ir::ReducerOptions* o, OptionsOf<ir::ReducerOptions>(op));
  EF_ASSIGN_OR_RETURN(std::vector<int64_t> raw_axes, IntegerConstant(ctx, op.inputs[1], "MEAN axes"));
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  const auto rank = static_cast<int64_t>(input.shape.size());
  std::set<int64_t> axes;
  for (int64_t a : raw_axes) {
    const int64_t axis = NormalizeAxis(a, rank);
    if (axis < 0) return InvalidArgument("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    axes.insert(axis);
  }
  if (axes.empty()) return Unimplemented("MEAN without axes");
  if (HasExactIntegerForm(ctx, op)) return ExportExactInteger(ctx, op);

  if (rank == 4 && axes == std::set<int64_t>{1, 2}) {
    // The classifier head: NCHW [N,C,1,1] is NHWC [N,1,1,C] (keep_dims) and flattens to [N,C].
    EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
    std::string y = ctx.AddNode1("GlobalAveragePool", {x}, output.name + "/mean");
    if (!o->keep_dims) y = ctx.Reshape(y, {input.shape[0], input.shape[3]});
    return ctx.Define(op.outputs[0], y);
  }
  // Anything else reduces in TFLite's layout.
  EF_ASSIGN_OR_RETURN(std::string x, ctx.Operand(op.inputs[0]));
  if (rank == 4) x = ctx.Transpose(x, kNchwToNhwc);
  ::onnx::NodeProto* node = nullptr;
  std::string y = ctx.AddNode1("ReduceMean", {x}, output.name + "/mean", &node);
  SetAttribute(*node, "axes", std::vector<int64_t>(axes.begin(), axes.end()));
  SetAttribute(*node, "keepdims", int64_t{o->keep_dims ? 1 : 0});
  if (output.shape.size() == 4) y = ctx.Transpose(y, kNhwcToNchw);
  return ctx.Define(op.outputs[0], y);
}

}  // namespace edgeforge::onnx_export
