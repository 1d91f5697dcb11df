// SPLIT: input 0 is the axis (a constant int32 scalar), input 1 the tensor, cut into
// num_splits equal parts (byte copies).
#include <variant>

#include "kernels/reference/split.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

class SplitKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    const auto* options = std::get_if<ir::SplitOptions>(&ctx.op().options);
    if (options == nullptr) return ctx.Error("missing SplitOptions");
    const int num_splits = options->num_splits;
    if (num_splits < 1) {
      return ctx.Error("num_splits is " + std::to_string(num_splits) + "; it must be at least 1");
    }
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 2, 2, static_cast<size_t>(num_splits)));
    const RtTensor& axis_tensor = *ctx.input(0);
    const RtTensor& input = *ctx.input(1);
    if (axis_tensor.num_elements() != 1) {
      return ctx.Error("axis " + Describe("input", 0, axis_tensor) + " must hold one value");
    }
    EF_ASSIGN_OR_RETURN(std::vector<int64_t> axis_values, shape_util::ConstantInts(ctx, 0, "axis"));
    EF_ASSIGN_OR_RETURN(int axis, shape_util::NormalizeAxis(ctx, axis_values[0], input.dims(), "axis"));
    const int32_t axis_size = input.dim(axis);
    if (axis_size % num_splits != 0) {
      return ctx.Error(Describe("input", 1, input) + ": dimension " + std::to_string(axis) +
                       " (" + std::to_string(axis_size) + ") is not divisible by num_splits " +
                       std::to_string(num_splits));
    }
    Shape part = input.shape();
    part[static_cast<size_t>(axis)] = axis_size / num_splits;
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "input", 1, input));
    for (int k = 0; k < num_splits; ++k) {
      const RtTensor& out = *ctx.output(static_cast<size_t>(k));
      if (out.dtype() != input.dtype() || out.shape() != part) {
        return ctx.Error(Describe("output", static_cast<size_t>(k), out) + " must be " +
                         DTypeName(input.dtype()) + " " + ShapeToString(part));
      }
      EF_RETURN_IF_ERROR(shape_util::CheckSameQuant(ctx, input, out));
    }
    params_.input_shape = input.shape();
    params_.axis = axis;
    params_.num_splits = num_splits;
    params_.element_size = DTypeSize(input.dtype());
    outputs_.assign(static_cast<size_t>(num_splits), nullptr);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    for (size_t k = 0; k < outputs_.size(); ++k) outputs_[k] = ctx.output(k)->data;
    ref::Split(params_, ctx.input(1)->data, outputs_.data());
    return Status::Ok();
  }

 private:
  ref::SplitParams params_;
  std::vector<uint8_t*> outputs_;  // refreshed every Eval
};

}  // namespace

std::unique_ptr<OpKernel> MakeSplit() { return std::make_unique<SplitKernel>(); }

}  // namespace edgeforge::runtime::ops
