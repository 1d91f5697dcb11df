// Hybrid FULLY_CONNECTED: float32 input (any rank, flattened to rows of the filter's depth) and
// output, int8 weights [units, depth] (per channel or per tensor, symmetric), float32 bias.
// Each row is quantized symmetrically; see hybrid_ops.h (TFLite's EvalHybrid with
// asymmetric_quantize_inputs off).
#include <algorithm>
#include <vector>

#include "runtime/ops/hybrid_input_quantization.h"
#include "runtime/ops/hybrid_ops.h"
#include "runtime/ops/numeric_op_checks.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;

class HybridFullyConnectedKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const ir::FullyConnectedOptions* options,
                        OptionsOf<ir::FullyConnectedOptions>(ctx, "FullyConnectedOptions"));
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(const RtTensor* weights, RequiredInput(ctx, 1, "filter"));
    const RtTensor* bias = ctx.input(2);
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *input, "input", {DType::kFloat32}));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *weights, "filter", {DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *output, "output", {DType::kFloat32}));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *weights, "filter", 2));
    units_ = weights->dim(0);
    depth_ = weights->dim(1);
    if (depth_ < 1 || input->num_elements() % depth_ != 0) {
      return ctx.Error(Describe("input", *input) + " shape " + ShapeToString(input->shape()) +
                       " cannot be flattened to rows of " + std::to_string(depth_) + " (the filter's second dimension)");
    }
    batches_ = static_cast<int32_t>(input->num_elements() / depth_);
    if (output->num_elements() != static_cast<int64_t>(batches_) * units_) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) + " does not hold " +
                       std::to_string(batches_) + " x " + std::to_string(units_) + " values");
    }
    EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kFloat32, units_));
    EF_ASSIGN_OR_RETURN(const WeightQuant quant, WeightQuantization(ctx, *weights, 0, units_));
    if (quant.zero_point != 0) {
      return ctx.UnsupportedError(Describe("filter", *weights) + " has zero point " +
                                  std::to_string(quant.zero_point) + "; hybrid weights are symmetric");
    }
    scales_ = quant.scales;
    EF_ASSIGN_OR_RETURN(const kr::FusedActivation activation, FusedActivationOf(ctx, options->activation));
    clamp_ = kr::FloatActivationRange(activation);
    scratch_id_ = ctx.RequestScratch(static_cast<size_t>(depth_));
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const float* in = ctx.input(0)->as<float>();
    const int8_t* w = ctx.input(1)->as<int8_t>();
    const RtTensor* bias = ctx.input(2);
    const float* bias_data = bias ? bias->as<float>() : nullptr;
    float* out = ctx.output(0)->as<float>();
    int8_t* q = static_cast<int8_t*>(ctx.scratch(scratch_id_));
    for (int32_t b = 0; b < batches_; ++b) {
      const hybrid::RowQuantization row = hybrid::QuantizeSymmetric(in + static_cast<int64_t>(b) * depth_, depth_, q);
      for (int32_t u = 0; u < units_; ++u) {
        const int8_t* wu = w + static_cast<int64_t>(u) * depth_;
        int32_t acc = 0;
        for (int32_t k = 0; k < depth_; ++k) acc += q[k] * wu[k];
        float v = bias_data ? bias_data[u] : 0.0f;
        v += static_cast<float>(acc) * (row.scale * scales_[static_cast<size_t>(u)]);
        out[static_cast<int64_t>(b) * units_ + u] = std::min(std::max(v, clamp_.min), clamp_.max);
      }
    }
    return Status::Ok();
  }

 private:
  int32_t units_ = 0, depth_ = 0, batches_ = 0;
  kr::FloatRange clamp_{0, 0};
  std::vector<float> scales_;
  int scratch_id_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> MakeHybridFullyConnected() { return std::make_unique<HybridFullyConnectedKernel>(); }

}  // namespace edgeforge::runtime::ops
