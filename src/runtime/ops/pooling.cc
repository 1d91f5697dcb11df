// AVERAGE_POOL_2D and MAX_POOL_2D: float32, uint8, int8. Quantized pooling keeps the input's
// scale and zero point (TFLite and XNNPACK both require it), so the arithmetic never rescales.
// Activation ranges: TFLite's for the quantized average (TFLite's own kernel runs it), XNNPACK's
// for max pooling (the delegate runs it).
//
// AVERAGE_POOL_2D runs kernels/optimized/pool_mean.h (results identical to the reference's).
#include <cmath>
#include <memory>

#include "kernels/optimized/pool_mean.h"
#include "kernels/reference/pooling.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;
namespace ko = kernels::optimized;

enum class PoolKind { kAverage, kMax };

class PoolKernel final : public OpKernel {
 public:
  explicit PoolKernel(PoolKind kind) : kind_(kind) {}

  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const ir::Pool2DOptions* options,
                        OptionsOf<ir::Pool2DOptions>(ctx, "Pool2DOptions"));
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *input, "input", {DType::kFloat32, DType::kUInt8, DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *output, "output", *input, "input"));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *input, "input", 4));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *output, "output", 4));
    if (output->dim(0) != input->dim(0) || output->dim(3) != input->dim(3)) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " must keep the batch and channels of " + Describe("input", *input) +
                       " shape " + ShapeToString(input->shape()));
    }
    EF_ASSIGN_OR_RETURN(const kr::FusedActivation activation,
                        FusedActivationOf(ctx, options->activation));
    params_.stride_h = options->stride_h;
    params_.stride_w = options->stride_w;
    params_.filter_h = options->filter_h;
    params_.filter_w = options->filter_w;
    EF_ASSIGN_OR_RETURN(params_.pad_top,
                        PaddingBefore(ctx, options->padding, "height", input->dim(1),
                                      options->filter_h, options->stride_h, 1, output->dim(1)));
    EF_ASSIGN_OR_RETURN(params_.pad_left,
                        PaddingBefore(ctx, options->padding, "width", input->dim(2),
                                      options->filter_w, options->stride_w, 1, output->dim(2)));

    dtype_ = input->dtype();
    average_plan_.reset();
    if (dtype_ == DType::kFloat32) {
      float_clamp_ = kr::FloatActivationRange(activation);
      MaybeMakeAveragePlan(ctx, *input, *output);
      return Status::Ok();
    }
    EF_ASSIGN_OR_RETURN(const TensorQuant in_q, PerTensorQuant(ctx, *input, "input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant out_q, PerTensorQuant(ctx, *output, "output"));
    // TFLite's own check (pooling.cc): scales within 1e-6, zero points equal.
    if (std::fabs(in_q.scale - out_q.scale) > 1e-6f || in_q.zero_point != out_q.zero_point) {
      return ctx.UnsupportedError(
          Describe("output", *output) + " has scale " + std::to_string(out_q.scale) +
          " zero point " + std::to_string(out_q.zero_point) + " but " +
          Describe("input", *input) + " has scale " + std::to_string(in_q.scale) +
          " zero point " + std::to_string(in_q.zero_point) +
          "; quantized pooling needs them equal");
    }
    if (kind_ == PoolKind::kAverage) {
      clamp_ = kr::TfliteActivationRange(activation, out_q.scale, out_q.zero_point, QMin(dtype_),
                                         QMax(dtype_));
    } else {
      clamp_ = kr::XnnpackActivationRange(activation, out_q.scale, out_q.zero_point, QMin(dtype_),
                                          QMax(dtype_));
    }
    MaybeMakeAveragePlan(ctx, *input, *output);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    const bool average = kind_ == PoolKind::kAverage;
    if (average_plan_) {
      average_plan_->Run(in.data, out.data, ctx.thread_pool());
      return Status::Ok();
    }
    switch (dtype_) {
      case DType::kFloat32:
        (average ? kr::AveragePoolFloat32 : kr::MaxPoolFloat32)(
            params_, float_clamp_, in.shape(), in.as<float>(), out.shape(), out.as<float>());
        return Status::Ok();
      case DType::kUInt8:
        (average ? kr::AveragePoolUint8 : kr::MaxPoolUint8)(params_, clamp_, in.shape(),
                                                            in.as<uint8_t>(), out.shape(),
                                                            out.as<uint8_t>());
        return Status::Ok();
      case DType::kInt8:
        (average ? kr::AveragePoolInt8 : kr::MaxPoolInt8)(params_, clamp_, in.shape(),
                                                          in.as<int8_t>(), out.shape(),
                                                          out.as<int8_t>());
        return Status::Ok();
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
  }

 private:
  void MaybeMakeAveragePlan(OpContext& ctx, const RtTensor& input, const RtTensor& output) {
    if (kind_ != PoolKind::kAverage || output.num_elements() == 0) return;
    ko::PoolGeometry g;
    g.batches = input.dim(0);
    g.in_h = input.dim(1), g.in_w = input.dim(2), g.channels = input.dim(3);
    g.out_h = output.dim(1), g.out_w = output.dim(2);
    g.params = params_;
    const ko::PoolDType dtype = dtype_ == DType::kFloat32 ? ko::PoolDType::kFloat32
                                : dtype_ == DType::kUInt8 ? ko::PoolDType::kUint8
                                                          : ko::PoolDType::kInt8;
    average_plan_ = std::make_unique<ko::AveragePoolPlan>(g, dtype, float_clamp_, clamp_,
                                                          ctx.thread_pool().num_threads());
  }

  PoolKind kind_;
  DType dtype_ = DType::kBool;  // set by Prepare
  kr::PoolParams params_;
  kr::FloatRange float_clamp_{0.0f, 0.0f};
  kr::QuantizedRange clamp_{0, 0};
  std::unique_ptr<ko::AveragePoolPlan> average_plan_;  // AVERAGE_POOL_2D's optimized kernel
};

}  // namespace

std::unique_ptr<OpKernel> MakeAveragePool2D() {
  return std::make_unique<PoolKernel>(PoolKind::kAverage);
}
std::unique_ptr<OpKernel> MakeMaxPool2D() { return std::make_unique<PoolKernel>(PoolKind::kMax); }

}  // namespace edgeforge::runtime::ops
