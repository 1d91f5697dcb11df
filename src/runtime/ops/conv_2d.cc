// CONV_2D: float32; uint8 (per-tensor weights with any zero point); int8 (per-channel or
// per-tensor symmetric weights). Bias optional.
//
// Quantized outputs follow TFLite's CPU path: XNNPACK's float requantization when the delegate
// takes the op (bias present, constant weights, requantization scales < 256), else TFLite's
// own fixed-point kernel (see kernels/reference/requantize.h). Note: the TFLite runtime itself
// refuses a CONV_2D without bias ("has_bias was not true", measured); edgeforge runs one, with
// the arithmetic TFLite's own kernel would use.
#include "core/cpu_features.h"
#include "kernels/optimized/f32_conv.h"
#include "kernels/optimized/qs8_conv.h"
#include "kernels/reference/conv.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;
namespace ko = kernels::optimized;

// Below this many multiply-adds the reference loops are as fast as packing for a GEMM.
constexpr int64_t kMinOptimizedMacs = 4096;

ko::ConvGeometry GeometryOf(const RtTensor& input, const RtTensor& filter, const RtTensor& output,
                            const kr::ConvParams& params) {
  ko::ConvGeometry g;
  g.batches = input.dim(0);
  g.in_h = input.dim(1), g.in_w = input.dim(2), g.in_c = input.dim(3);
  g.out_h = output.dim(1), g.out_w = output.dim(2), g.out_c = output.dim(3);
  g.k_h = filter.dim(1), g.k_w = filter.dim(2);
  g.stride_h = params.stride_h, g.stride_w = params.stride_w;
  g.dilation_h = params.dilation_h, g.dilation_w = params.dilation_w;
  g.pad_top = params.pad_top, g.pad_left = params.pad_left;
  return g;
}

// The optimized kernels need the weights (and bias) at Prepare to pack them, and handle one
// group.
bool OptimizedPathApplies(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                          const ko::ConvGeometry& g) {
  return filter.is_constant() && (bias == nullptr || bias->is_constant()) &&
         input.dim(3) == filter.dim(3) && g.macs() >= kMinOptimizedMacs;
}

class Conv2DKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const ir::Conv2DOptions* options,
                        OptionsOf<ir::Conv2DOptions>(ctx, "Conv2DOptions"));
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

    const int32_t out_channels = filter->dim(0);
    const int32_t filter_in_channels = filter->dim(3);
    if (filter_in_channels < 1 || input->dim(3) % filter_in_channels != 0 ||
        out_channels % (input->dim(3) / filter_in_channels) != 0) {
      return ctx.Error(Describe("filter", *filter) + " shape " + ShapeToString(filter->shape()) +
                       " does not fit " + Describe("input", *input) + " shape " +
                       ShapeToString(input->shape()) +
                       ": input channels must be a multiple of the filter's (groups) and output "
                       "channels a multiple of the groups");
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
    EF_ASSIGN_OR_RETURN(params_.pad_top,
                        PaddingBefore(ctx, options->padding, "height", input->dim(1), filter->dim(1),
                                      options->stride_h, options->dilation_h, output->dim(1)));
    EF_ASSIGN_OR_RETURN(params_.pad_left,
                        PaddingBefore(ctx, options->padding, "width", input->dim(2), filter->dim(2),
                                      options->stride_w, options->dilation_w, output->dim(2)));

    dtype_ = input->dtype();
    optimized_ = false;
    const ko::ConvGeometry geometry = GeometryOf(*input, *filter, *output, params_);
    if (dtype_ == DType::kFloat32) {
      EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kFloat32, out_channels));
      float_clamp_ = kr::FloatActivationRange(activation_);
      if (OptimizedPathApplies(*input, *filter, bias, geometry)) {
        f32_.Prepare(geometry, filter->as<float>(), bias ? bias->as<float>() : nullptr,
                     float_clamp_, ko::BestF32GemmKernel(core::BestIsa()),
                     ctx.thread_pool().num_threads());
        if (f32_.scratch_bytes() > 0) scratch_id_ = ctx.RequestScratch(f32_.scratch_bytes());
        optimized_ = true;
      }
      return Status::Ok();
    }
    EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kInt32, out_channels));
    EF_ASSIGN_OR_RETURN(const TensorQuant input_quant, PerTensorQuant(ctx, *input, "input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant output_quant, PerTensorQuant(ctx, *output, "output"));
    EF_ASSIGN_OR_RETURN(const WeightQuant filter_quant,
                        WeightQuantization(ctx, *filter, /*channel_axis=*/0, out_channels));
    const bool use_xnnpack = XnnpackTakesLinearOp(*filter, bias, /*bias_required=*/true,
                                                  input_quant, filter_quant, output_quant);
    BuildLinearOutputStage(input_quant, filter_quant, output_quant, dtype_, activation_,
                           use_xnnpack, &stage_);
    if (OptimizedPathApplies(*input, *filter, bias, geometry)) {
      qs8_.Prepare(geometry, dtype_ == DType::kUInt8, filter->data,
                   bias ? bias->as<int32_t>() : nullptr, stage_.quant,
                   ko::BestQs8GemmKernel(core::BestIsa(), geometry.m(), geometry.k()),
                   ctx.thread_pool().num_threads());
      scratch_id_ = ctx.RequestScratch(qs8_.scratch_bytes());
      optimized_ = true;
    }
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& input = *ctx.input(0);
    const RtTensor& filter = *ctx.input(1);
    const RtTensor* bias = ctx.input(2);
    RtTensor& output = *ctx.output(0);
    if (optimized_) {
      void* scratch = scratch_id_ >= 0 ? ctx.scratch(scratch_id_) : nullptr;
      if (dtype_ == DType::kFloat32) {
        f32_.Run(input.as<float>(), output.as<float>(), scratch, ctx.thread_pool());
      } else {
        qs8_.Run(input.data, output.data, scratch, ctx.thread_pool());
      }
      return Status::Ok();
    }
    switch (dtype_) {
      case DType::kFloat32:
        kr::ConvFloat32(params_, float_clamp_, input.shape(), input.as<float>(), filter.shape(),
                        filter.as<float>(), bias ? bias->as<float>() : nullptr, output.shape(),
                        output.as<float>());
        break;
      case DType::kUInt8:
        kr::ConvUint8(params_, stage_.quant, input.shape(), input.as<uint8_t>(), filter.shape(),
                      filter.as<uint8_t>(), bias ? bias->as<int32_t>() : nullptr, output.shape(),
                      output.as<uint8_t>());
        break;
      case DType::kInt8:
        kr::ConvPerChannelInt8(params_, stage_.quant, input.shape(), input.as<int8_t>(),
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
  DType dtype_ = DType::kBool;  // set by Prepare
  kr::FusedActivation activation_ = kr::FusedActivation::kNone;
  kr::ConvParams params_;
  kr::FloatRange float_clamp_{0.0f, 0.0f};
  LinearOutputStage stage_;
  // The optimized path (Prepare decides; otherwise the reference kernels run).
  bool optimized_ = false;
  ko::Qs8Conv qs8_;
  ko::F32Conv f32_;
  int scratch_id_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> MakeConv2D() { return std::make_unique<Conv2DKernel>(); }

}  // namespace edgeforge::runtime::ops
