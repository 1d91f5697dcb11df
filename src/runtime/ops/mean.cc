// MEAN over constant axes (input 1, int32 or int64, negative axes allowed): float32, uint8,
// int8. Quantized MEAN runs in XNNPACK in the TFLite runtime; the float formula it uses is in
// kernels/reference/mean.h.
//
// MEAN over H and W of a 4-D tensor (global average pooling) runs kernels/optimized/pool_mean.h,
// with results identical to the reference's.
#include <algorithm>
#include <memory>
#include <vector>

#include "kernels/optimized/pool_mean.h"
#include "kernels/reference/mean.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;
namespace ko = kernels::optimized;

class MeanKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(const RtTensor* axes, RequiredInput(ctx, 1, "axes"));
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *input, "input", {DType::kFloat32, DType::kUInt8, DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *output, "output", *input, "input"));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *axes, "axes", {DType::kInt32, DType::kInt64}));
    if (!axes->is_constant()) {
      return ctx.UnsupportedError(Describe("axes", *axes) +
                                  " is computed at run time; MEAN needs constant axes");
    }
    EF_ASSIGN_OR_RETURN(const std::vector<int32_t> normalized, NormalizedAxes(ctx, *input, *axes));
    layout_ = kr::MakeReductionLayout(input->shape(), normalized);
    int64_t kept = 1;
    for (int32_t d : layout_.kept_dims) kept *= d;
    if (output->num_elements() != kept) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " does not hold the " + std::to_string(kept) + " means of " +
                       Describe("input", *input) + " shape " + ShapeToString(input->shape()));
    }
    dtype_ = input->dtype();
    plan_.reset();
    const bool over_hw =
        input->dims() == 4 && layout_.reduced_count > 0 && input->num_elements() > 0 &&
        std::all_of(normalized.begin(), normalized.end(), [](int32_t a) { return a == 1 || a == 2; }) &&
        std::count(normalized.begin(), normalized.end(), 1) > 0 &&
        std::count(normalized.begin(), normalized.end(), 2) > 0;
    if (dtype_ == DType::kFloat32) {
      if (over_hw) MakePlan(*input, ko::PoolDType::kFloat32);
      return Status::Ok();
    }
    if (layout_.reduced_count < 1) {
      return ctx.Error("MEAN over an empty dimension of " + Describe("input", *input));
    }
    EF_ASSIGN_OR_RETURN(const TensorQuant in_q, PerTensorQuant(ctx, *input, "input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant out_q, PerTensorQuant(ctx, *output, "output"));
    params_ = kr::MakeQuantizedMeanParams(in_q.scale, in_q.zero_point, out_q.scale,
                                          out_q.zero_point, layout_.reduced_count, QMin(dtype_),
                                          QMax(dtype_));
    if (over_hw) MakePlan(*input, dtype_ == DType::kUInt8 ? ko::PoolDType::kUint8 : ko::PoolDType::kInt8);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    if (plan_) {
      plan_->Run(in.data, out.data);
      return Status::Ok();
    }
    switch (dtype_) {
      case DType::kFloat32:
        kr::MeanFloat32(layout_, in.as<float>(), out.as<float>());
        return Status::Ok();
      case DType::kUInt8:
        kr::MeanUint8(layout_, params_, in.as<uint8_t>(), out.as<uint8_t>());
        return Status::Ok();
      case DType::kInt8:
        kr::MeanInt8(layout_, params_, in.as<int8_t>(), out.as<int8_t>());
        return Status::Ok();
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
  }

 private:
  void MakePlan(const RtTensor& input, ko::PoolDType dtype) {
    plan_ = std::make_unique<ko::MeanHwPlan>(input.dim(0), input.dim(1) * input.dim(2),
                                             input.dim(3), dtype, params_);
  }

  static StatusOr<std::vector<int32_t>> NormalizedAxes(const OpContext& ctx, const RtTensor& input,
                                                      const RtTensor& axes) {
    std::vector<int64_t> raw;
    if (axes.dtype() == DType::kInt32) {
      for (int32_t a : axes.desc->values<int32_t>()) raw.push_back(a);
    } else {
      for (int64_t a : axes.desc->values<int64_t>()) raw.push_back(a);
    }
    const int rank = input.dims();
    std::vector<int32_t> normalized;
    for (int64_t a : raw) {
      if (a < -rank || a >= rank) {
        return ctx.Error(Describe("axes", axes) + " holds axis " + std::to_string(a) +
                         ", outside [" + std::to_string(-rank) + ", " + std::to_string(rank) +
                         ") for " + Describe("input", input) + " shape " +
                         ShapeToString(input.shape()));
      }
      normalized.push_back(static_cast<int32_t>(a < 0 ? a + rank : a));
    }
    return normalized;
  }

  DType dtype_ = DType::kBool;  // set by Prepare
  kr::ReductionLayout layout_;
  kr::QuantizedMeanParams params_;
  std::unique_ptr<ko::MeanHwPlan> plan_;  // MEAN over H, W; else the reference runs
};

}  // namespace

std::unique_ptr<OpKernel> MakeMean() { return std::make_unique<MeanKernel>(); }

}  // namespace edgeforge::runtime::ops
