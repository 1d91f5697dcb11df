// Hybrid DEPTHWISE_CONV_2D: float32 input and output, int8 weights [1,KH,KW,C*M] (per channel
// or per tensor, symmetric), float32 bias. See hybrid_ops.h for the arithmetic (TFLite's
// DepthwiseConvHybridPerChannel).
#include <algorithm>
#include <vector>

#include "kernels/reference/depthwise_conv.h"
#include "runtime/ops/hybrid_input_quantization.h"
#include "runtime/ops/hybrid_ops.h"
#include "runtime/ops/numeric_op_checks.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;

class HybridDepthwiseConv2DKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const ir::DepthwiseConv2DOptions* options,
                        OptionsOf<ir::DepthwiseConv2DOptions>(ctx, "DepthwiseConv2DOptions"));
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(const RtTensor* filter, RequiredInput(ctx, 1, "filter"));
    const RtTensor* bias = ctx.input(2);
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *input, "input", {DType::kFloat32}));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *filter, "filter", {DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *output, "output", {DType::kFloat32}));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *input, "input", 4));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *filter, "filter", 4));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *output, "output", 4));
    const int32_t out_channels = filter->dim(3);
    const int32_t multiplier = input->dim(3) > 0 ? out_channels / input->dim(3) : 0;
    if (filter->dim(0) != 1 || multiplier < 1 || input->dim(3) * multiplier != out_channels ||
        output->dim(0) != input->dim(0) || output->dim(3) != out_channels) {
      return ctx.Error(Describe("filter", *filter) + " shape " + ShapeToString(filter->shape()) + ", " +
                       Describe("input", *input) + " shape " + ShapeToString(input->shape()) + " and " +
                       Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " do not form a depthwise convolution");
    }
    EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kFloat32, out_channels));
    EF_ASSIGN_OR_RETURN(const WeightQuant weights, WeightQuantization(ctx, *filter, 3, out_channels));
    if (weights.zero_point != 0) {
      return ctx.UnsupportedError(Describe("filter", *filter) + " has zero point " +
                                  std::to_string(weights.zero_point) + "; hybrid weights are symmetric");
    }
    scales_ = weights.scales;
    EF_ASSIGN_OR_RETURN(const kr::FusedActivation activation, FusedActivationOf(ctx, options->activation));
    clamp_ = kr::FloatActivationRange(activation);
    params_.stride_h = options->stride_h, params_.stride_w = options->stride_w;
    params_.dilation_h = options->dilation_h, params_.dilation_w = options->dilation_w;
    params_.depth_multiplier = multiplier;
    EF_ASSIGN_OR_RETURN(params_.pad_top, PaddingBefore(ctx, options->padding, "height", input->dim(1), filter->dim(1),
                                                       options->stride_h, options->dilation_h, output->dim(1)));
    EF_ASSIGN_OR_RETURN(params_.pad_left, PaddingBefore(ctx, options->padding, "width", input->dim(2), filter->dim(2),
                                                        options->stride_w, options->dilation_w, output->dim(2)));
    rows_.resize(static_cast<size_t>(input->dim(0)));
    scratch_id_ = ctx.RequestScratch(static_cast<size_t>(input->num_elements()));
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& input = *ctx.input(0);
    const RtTensor& filter = *ctx.input(1);
    const RtTensor* bias = ctx.input(2);
    RtTensor& output = *ctx.output(0);
    const int32_t batches = input.dim(0), in_h = input.dim(1), in_w = input.dim(2), in_c = input.dim(3);
    const int32_t out_h = output.dim(1), out_w = output.dim(2), out_c = output.dim(3);
    const int32_t k_h = filter.dim(1), k_w = filter.dim(2);
    const int32_t m = params_.depth_multiplier;
    const int64_t image = static_cast<int64_t>(in_h) * in_w * in_c;
    int8_t* q = static_cast<int8_t*>(ctx.scratch(scratch_id_));
    const float* in = input.as<float>();
    for (int32_t b = 0; b < batches; ++b) rows_[static_cast<size_t>(b)] = hybrid::QuantizeAsymmetric(in + b * image, image, q + b * image);

    const int8_t* w = filter.as<int8_t>();
    const float* bias_data = bias ? bias->as<float>() : nullptr;
    float* out = output.as<float>();
    for (int32_t b = 0; b < batches; ++b) {
      const hybrid::RowQuantization row = rows_[static_cast<size_t>(b)];
      const int8_t* qb = q + b * image;
      for (int32_t oy = 0; oy < out_h; ++oy) {
        for (int32_t ox = 0; ox < out_w; ++ox) {
          for (int32_t oc = 0; oc < out_c; ++oc) {
            const int32_t ic = oc / m;
            int32_t acc = 0;
            for (int32_t ky = 0; ky < k_h; ++ky) {
              const int32_t iy = oy * params_.stride_h - params_.pad_top + ky * params_.dilation_h;
              if (iy < 0 || iy >= in_h) continue;
              for (int32_t kx = 0; kx < k_w; ++kx) {
                const int32_t ix = ox * params_.stride_w - params_.pad_left + kx * params_.dilation_w;
                if (ix < 0 || ix >= in_w) continue;
                const int32_t x = qb[(static_cast<int64_t>(iy) * in_w + ix) * in_c + ic];
                acc += w[(static_cast<int64_t>(ky) * k_w + kx) * out_c + oc] * (x - row.offset);
              }
            }
            float v = static_cast<float>(acc);
            v *= scales_[static_cast<size_t>(oc)] * row.scale;
            if (bias_data) v += bias_data[oc];
            out[((static_cast<int64_t>(b) * out_h + oy) * out_w + ox) * out_c + oc] =
                std::min(std::max(v, clamp_.min), clamp_.max);
          }
        }
      }
    }
    return Status::Ok();
  }

 private:
  kr::DepthwiseConvParams params_;
  kr::FloatRange clamp_{0, 0};
  std::vector<float> scales_;
  std::vector<hybrid::RowQuantization> rows_;
  int scratch_id_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> MakeHybridDepthwiseConv2D() { return std::make_unique<HybridDepthwiseConv2DKernel>(); }

}  // namespace edgeforge::runtime::ops
