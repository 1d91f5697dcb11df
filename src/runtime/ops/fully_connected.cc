// FULLY_CONNECTED: float32; uint8 (per-tensor weights with any zero point); int8 (per-channel or
// per-tensor weights). Input of any rank, flattened to [batches, filter.dim(1)]; bias optional.
//
// Quantized outputs: XNNPACK's float requantization when the delegate takes the op (constant
// weights and bias, requantization scales < 256; no bias needed) — measured against the
// oracle, see kernels/reference/fully_connected.h — else TFLite's fixed point (not measured).
#include "core/cpu_features.h"
#include "kernels/optimized/f32_conv.h"
#include "kernels/optimized/qs8_conv.h"
#include "kernels/reference/fully_connected.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;
namespace ko = kernels::optimized;

// Below this many multiply-adds the reference loops are as fast as packing for a GEMM.
constexpr int64_t kMinOptimizedMacs = 4096;

// The optimized kernels need the weights (and bias) at Prepare to pack them.
bool OptimizedPathApplies(const RtTensor& weights, const RtTensor* bias,
                          const kr::FullyConnectedShape& shape) {
  return weights.is_constant() && (bias == nullptr || bias->is_constant()) &&
         static_cast<int64_t>(shape.batches) * shape.input_depth * shape.output_depth >=
             kMinOptimizedMacs;
}

class FullyConnectedKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const ir::FullyConnectedOptions* options,
                        OptionsOf<ir::FullyConnectedOptions>(ctx, "FullyConnectedOptions"));
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(const RtTensor* weights, RequiredInput(ctx, 1, "filter"));
    const RtTensor* bias = ctx.input(2);
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));

    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *input, "input", {DType::kFloat32, DType::kUInt8, DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *weights, "filter", *input, "input"));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *output, "output", *input, "input"));
    EF_RETURN_IF_ERROR(ExpectRank(ctx, *weights, "filter", 2));

    shape_.output_depth = weights->dim(0);
    shape_.input_depth = weights->dim(1);
    if (shape_.input_depth < 1 || input->num_elements() % shape_.input_depth != 0) {
      return ctx.Error(Describe("input", *input) + " shape " + ShapeToString(input->shape()) +
                       " cannot be flattened to rows of " + std::to_string(shape_.input_depth) +
                       " (the filter's second dimension)");
    }
    const int64_t batches = input->num_elements() / shape_.input_depth;
    shape_.batches = static_cast<int32_t>(batches);
    if (output->num_elements() != batches * shape_.output_depth) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " does not hold " + std::to_string(batches) + " x " +
                       std::to_string(shape_.output_depth) + " values");
    }
    EF_ASSIGN_OR_RETURN(const kr::FusedActivation activation,
                        FusedActivationOf(ctx, options->activation));

    dtype_ = input->dtype();
    optimized_ = false;
    const ko::ConvGeometry geometry =
        ko::FullyConnectedGeometry(shape_.batches, shape_.input_depth, shape_.output_depth);
    if (dtype_ == DType::kFloat32) {
      EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kFloat32, shape_.output_depth));
      float_clamp_ = kr::FloatActivationRange(activation);
      if (OptimizedPathApplies(*weights, bias, shape_)) {
        f32_.Prepare(geometry, weights->as<float>(), bias ? bias->as<float>() : nullptr,
                     float_clamp_, ko::BestF32GemmKernel(core::BestIsa()),
                     ctx.thread_pool().num_threads());
        if (f32_.scratch_bytes() > 0) scratch_id_ = ctx.RequestScratch(f32_.scratch_bytes());
        optimized_ = true;
      }
      return Status::Ok();
    }
    EF_RETURN_IF_ERROR(CheckBias(ctx, bias, DType::kInt32, shape_.output_depth));
    EF_ASSIGN_OR_RETURN(const TensorQuant input_quant, PerTensorQuant(ctx, *input, "input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant output_quant, PerTensorQuant(ctx, *output, "output"));
    EF_ASSIGN_OR_RETURN(const WeightQuant weight_quant,
                        WeightQuantization(ctx, *weights, /*channel_axis=*/0, shape_.output_depth));
    const bool use_xnnpack = XnnpackTakesLinearOp(*weights, bias, /*bias_required=*/false,
                                                  input_quant, weight_quant, output_quant);
    BuildLinearOutputStage(input_quant, weight_quant, output_quant, dtype_, activation,
                           use_xnnpack, &stage_);
    if (OptimizedPathApplies(*weights, bias, shape_)) {
      qs8_.Prepare(geometry, dtype_ == DType::kUInt8, weights->data,
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
    const RtTensor& weights = *ctx.input(1);
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
        kr::FullyConnectedFloat32(shape_, float_clamp_, input.as<float>(), weights.as<float>(),
                                  bias ? bias->as<float>() : nullptr, output.as<float>());
        break;
      case DType::kUInt8:
        kr::FullyConnectedUint8(shape_, stage_.quant, input.as<uint8_t>(), weights.as<uint8_t>(),
                                bias ? bias->as<int32_t>() : nullptr, output.as<uint8_t>());
        break;
      case DType::kInt8:
        kr::FullyConnectedInt8(shape_, stage_.quant, input.as<int8_t>(), weights.as<int8_t>(),
                               bias ? bias->as<int32_t>() : nullptr, output.as<int8_t>());
        break;
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
    return Status::Ok();
  }

 private:
  DType dtype_ = DType::kBool;  // set by Prepare
  kr::FullyConnectedShape shape_;
  kr::FloatRange float_clamp_{0.0f, 0.0f};
  LinearOutputStage stage_;
  // The optimized path (Prepare decides; otherwise the reference kernels run).
  bool optimized_ = false;
  ko::Qs8Conv qs8_;
  ko::F32Conv f32_;
  int scratch_id_ = -1;
};

}  // namespace

std::unique_ptr<OpKernel> MakeFullyConnected() { return std::make_unique<FullyConnectedKernel>(); }

}  // namespace edgeforge::runtime::ops
