// DEPTHWISE_CONV_2D: float32; uint8 (per-tensor weights with any zero point); int8
// (per-channel along dimension 3, or per-tensor, symmetric weights). Any depth multiplier
// (output channel ic * M + m reads input channel ic). Bias optional.
//
// Quantized outputs: XNNPACK's float requantization when the delegate takes the op (bias
// present, constant weights, requantization scales < 256), else TFLite's fixed point — both
// measured against the oracle (a DEPTHWISE_CONV_2D with two inputs runs TFLite's own kernel;
// an absent bias written as tensor index -1 is refused by TFLite, but accepted here).
//
// With constant weights (and bias), Prepare builds an optimized plan (kernels/optimized/
// dwconv.h: packed weights, the best ISA, one task per thread) that Eval runs instead of the
// reference loops; quantized results are identical to the reference.
#include <memory>

#include "core/cpu_features.h"
#include "kernels/optimized/dwconv.h"
#include "kernels/reference/depthwise_conv.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;
namespace ko = kernels::optimized;

ko::DepthwiseGeometry GeometryOf(const RtTensor& input, const RtTensor& filter,
                                 const RtTensor& output, const kr::DepthwiseConvParams& params) {
  ko::DepthwiseGeometry g;
  g.batches = input.dim(0);
  g.in_h = input.dim(1), g.in_w = input.dim(2), g.channels = input.dim(3);
  g.kernel_h = filter.dim(1), g.kernel_w = filter.dim(2);
  g.out_h = output.dim(1), g.out_w = output.dim(2);
  g.stride_h = params.stride_h, g.stride_w = params.stride_w;
  g.dilation_h = params.dilation_h, g.dilation_w = params.dilation_w;
  g.pad_top = params.pad_top, g.pad_left = params.pad_left;
  g.depth_multiplier = params.depth_multiplier;
  return g;
}

// Plans pack the weights (and bias) in Prepare, so both must be constant.
bool OptimizedPathApplies(const RtTensor& filter, const RtTensor* bias) {
  return filter.is_constant() && (bias == nullptr || bias->is_constant());
}

// Below this many multiply-adds the portable plan (no packing into quads, no scratch) is as
// fast as the vector kernels.
constexpr int64_t kMinVectorMacs = 4096;

core::Isa IsaFor(const ko::DepthwiseGeometry& g) {
  const int64_t macs = static_cast<int64_t>(g.batches) * g.out_h * g.out_w * g.channels *
                       g.depth_multiplier * g.kernel_h * g.kernel_w;
  return macs < kMinVectorMacs ? core::Isa::kPortable : core::BestIsa();
}

class DepthwiseConv2DKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const ir::DepthwiseConv2DOptions* options,
                        OptionsOf<ir::DepthwiseConv2DOptions>(ctx, "DepthwiseConv2DOptions"));
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(const RtTensor* filter, RequiredInput(ctx, 1, "filter"));
    const RtTensor* bias = ctx.input(2);
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));

    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *input, "input", {DType::kFloat32, DType::kUInt8, DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *filter, "filter", *input, "input"));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *output, "output", *input, "input"));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *input, "input", 4));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *filter, "filter", 4));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *output, "output", 4));

    const int32_t in_channels = input->dim(3);
    const int32_t out_channels = filter->dim(3);
    if (options->depth_multiplier < 1) {
      return ctx.Error("depth_multiplier " + std::to_string(options->depth_multiplier) +
                       " must be at least 1");
    }
    if (filter->dim(0) != 1 ||
        static_cast<int64_t>(in_channels) * options->depth_multiplier != out_channels) {
      return ctx.Error(Describe("filter", *filter) + " shape " + ShapeToString(filter->shape()) +
                       " does not fit " + Describe("input", *input) + " shape " +
                       ShapeToString(input->shape()) + " with depth_multiplier " +
                       std::to_string(options->depth_multiplier) + ": expected [1, kh, kw, " +
                       std::to_string(static_cast<int64_t>(in_channels) *
                                      options->depth_multiplier) +
                       "]");
    }
    if (output->dim(0) != input->dim(0) || output->dim(3) != out_channels) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " does not match batch " + std::to_string(input->dim(0)) + " and " +
                       std::to_string(out_channels) + " output channels");
    }
    EF_ASSIGN_OR_RETURN(activation_, FusedActivationOf(ctx, options->activation));
    params_.stride_h = options->stride_h;
    params_.stride_w = options->stride_w;
    params_.dilation_h = options->dilation_h;
    params_.dilation_w = options->dilation_w;
    params_.depth_multiplier = options->depth_multiplier;
    EF_ASSIGN_OR_RETURN(params_.pad_top,
                        PaddingBefore(ctx, options->padding, "height", input->dim(1), filter->dim(1),
                                      options->stride_h, options->dilation_h, output->dim(1)));
    EF_ASSIGN_OR_RETURN(params_.pad_left,
                        PaddingBefore(ctx, options->padding, "width", input->dim(2), filter->dim(2),
                                      options->stride_w, options->dilation_w, output->dim(2)));

    dtype_ = input->dtype();
    float_plan_.reset();
    quantized_plan_.reset();
    scratch_id_ = -1;
    const bool optimized = OptimizedPathApplies(*filter, bias);
    if (dtype_ == DType::kFloat32) {
      EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kFloat32, out_channels));
      float_clamp_ = kr::FloatActivationRange(activation_);
      if (optimized) {
        ko::FloatDepthwiseSpec spec;
        spec.geometry = GeometryOf(*input, *filter, *output, params_);
        spec.filter = filter->as<float>();
        spec.bias = bias ? bias->as<float>() : nullptr;
        spec.clamp = float_clamp_;
        float_plan_ = ko::FloatDepthwiseConv::Create(spec, IsaFor(spec.geometry),
                                                     ctx.thread_pool().num_threads());
        RequestPlanScratch(ctx, float_plan_->scratch_bytes());
      }
      return Status::Ok();
    }
    EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kInt32, out_channels));
    EF_ASSIGN_OR_RETURN(const TensorQuant input_quant, PerTensorQuant(ctx, *input, "input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant output_quant, PerTensorQuant(ctx, *output, "output"));
    EF_ASSIGN_OR_RETURN(const WeightQuant filter_quant,
                        WeightQuantization(ctx, *filter, /*channel_axis=*/3, out_channels));
    const bool use_xnnpack = XnnpackTakesLinearOp(*filter, bias, /*bias_required=*/true,
                                                  input_quant, filter_quant, output_quant);
    BuildLinearOutputStage(input_quant, filter_quant, output_quant, dtype_, activation_,
                           use_xnnpack, &stage_);
    if (optimized) {
      ko::QuantizedDepthwiseSpec spec;
      spec.geometry = GeometryOf(*input, *filter, *output, params_);
      spec.is_uint8 = dtype_ == DType::kUInt8;
      spec.input_zero_point = stage_.quant.input_zero_point;
      spec.filter_zero_point = stage_.quant.filter_zero_point;
      spec.filter = filter->data;
      spec.bias = bias ? bias->as<int32_t>() : nullptr;
      spec.output = stage_.quant.output;
      quantized_plan_ = ko::QuantizedDepthwiseConv::Create(spec, IsaFor(spec.geometry),
                                                           ctx.thread_pool().num_threads());
      RequestPlanScratch(ctx, quantized_plan_->scratch_bytes());
    }
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& input = *ctx.input(0);
    const RtTensor& filter = *ctx.input(1);
    const RtTensor* bias = ctx.input(2);
    RtTensor& output = *ctx.output(0);
    void* scratch = scratch_id_ >= 0 ? ctx.scratch(scratch_id_) : nullptr;
    if (float_plan_) {
      float_plan_->Run(input.as<float>(), output.as<float>(), scratch, ctx.thread_pool());
      return Status::Ok();
    }
    if (quantized_plan_) {
      quantized_plan_->Run(input.data, output.data, scratch, ctx.thread_pool());
      return Status::Ok();
    }
    switch (dtype_) {
      case DType::kFloat32:
        kr::DepthwiseConvFloat32(params_, float_clamp_, input.shape(), input.as<float>(),
                                 filter.shape(), filter.as<float>(),
                                 bias ? bias->as<float>() : nullptr, output.shape(),
                                 output.as<float>());
        break;
      case DType::kUInt8:
        kr::DepthwiseConvUint8(params_, stage_.quant, input.shape(), input.as<uint8_t>(),
                               filter.shape(), filter.as<uint8_t>(),
                               bias ? bias->as<int32_t>() : nullptr, output.shape(),
                               output.as<uint8_t>());
        break;
      case DType::kInt8:
        kr::DepthwiseConvPerChannelInt8(params_, stage_.quant, input.shape(), input.as<int8_t>(),
                                        filter.shape(), filter.as<int8_t>(),
                                        bias ? bias->as<int32_t>() : nullptr, output.shape(),
                                        output.as<int8_t>());
        break;
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
    return Status::Ok();
  }

 private:
  void RequestPlanScratch(OpContext& ctx, size_t bytes) {
    if (bytes > 0) scratch_id_ = ctx.RequestScratch(bytes);
  }

  DType dtype_ = DType::kBool;  // set by Prepare
  kr::FusedActivation activation_ = kr::FusedActivation::kNone;
  kr::DepthwiseConvParams params_;
  kr::FloatRange float_clamp_{0.0f, 0.0f};
  LinearOutputStage stage_;
  // The optimized plan Prepare chose (at most one); otherwise Eval runs the reference.
  std::unique_ptr<ko::FloatDepthwiseConv> float_plan_;
  std::unique_ptr<ko::QuantizedDepthwiseConv> quantized_plan_;
  int scratch_id_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> MakeDepthwiseConv2D() {
  return std::make_unique<DepthwiseConv2DKernel>();
}

}  // namespace edgeforge::runtime::ops
