// RESHAPE and SQUEEZE: a byte copy (the new shape was inferred and checked by ir::Verify).
#include "kernels/reference/reshape.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

class ReshapeKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    // RESHAPE may carry its new shape as input 1 (constant or not: the output shape is
    // already known, so it is never read here). SQUEEZE has one input.
    const size_t max_inputs = ctx.op().type == ir::OpType::kReshape ? 2 : 1;
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 1, max_inputs, 1));
    const RtTensor& input = *ctx.input(0);
    const RtTensor& output = *ctx.output(0);
    if (input.dtype() != output.dtype()) {
      return ctx.Error(shape_util::Describe("input", 0, input) + " and " +
                       shape_util::Describe("output", 0, output) + " must have the same dtype");
    }
    if (input.num_elements() != output.num_elements()) {
      return ctx.Error(shape_util::Describe("input", 0, input) + " and " +
                       shape_util::Describe("output", 0, output) +
                       " must have the same number of elements");
    }
    return shape_util::CheckSameQuant(ctx, input, output);
  }

  Status Eval(OpContext& ctx) override {
    kernels::reference::Reshape(ctx.input(0)->data, ctx.output(0)->data, ctx.output(0)->bytes());
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<OpKernel> MakeReshape() { return std::make_unique<ReshapeKernel>(); }

}  // namespace edgeforge::runtime::ops
