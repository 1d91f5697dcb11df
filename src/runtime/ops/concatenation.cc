// CONCATENATION along any (possibly negative) axis with a fused activation. 8-bit inputs whose
// scale or zero point differ from the output's are requantized to it.
#include <variant>

#include "kernels/reference/activation.h"
#include "kernels/reference/concatenation.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

// TFLite's fused activations that are plain clamps; others (TANH, SIGN_BIT) are rejected.
bool ToFusedActivation(ir::Activation activation, ref::FusedActivation* fused) {
  switch (activation) {
    case ir::Activation::kNone: *fused = ref::FusedActivation::kNone; return true;
    case ir::Activation::kRelu: *fused = ref::FusedActivation::kRelu; return true;
    case ir::Activation::kReluN1To1: *fused = ref::FusedActivation::kReluN1To1; return true;
    case ir::Activation::kRelu6: *fused = ref::FusedActivation::kRelu6; return true;
    default: return false;
  }
}

class ConcatenationKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    const size_t n = ctx.num_inputs();
    if (n == 0) return ctx.Error("expected at least 1 input, got 0");
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, n, n, 1));
    const auto* options = std::get_if<ir::ConcatenationOptions>(&ctx.op().options);
    if (options == nullptr) return ctx.Error("missing ConcatenationOptions");
    const RtTensor& output = *ctx.output(0);
    const RtTensor& first = *ctx.input(0);
    const int rank = first.dims();
    EF_ASSIGN_OR_RETURN(params_.axis, shape_util::NormalizeAxis(ctx, options->axis, rank, "axis"));

    dtype_ = output.dtype();
    switch (dtype_) {
      case DType::kFloat32: case DType::kInt8: case DType::kUInt8: case DType::kInt16:
      case DType::kInt32: case DType::kInt64: break;
      default:
        return ctx.UnsupportedError(Describe("output", 0, output) +
                                    ": supported dtypes are float32, int8, uint8, int16, int32, int64");
    }

    // Shapes: equal except along the axis, whose sizes add up to the output's.
    params_.input_shapes.clear();
    int64_t axis_sum = 0;
    for (size_t i = 0; i < n; ++i) {
      const RtTensor& t = *ctx.input(i);
      if (t.dtype() != dtype_) {
        return ctx.Error(Describe("input", i, t) + " must have the output's dtype " +
                         DTypeName(dtype_));
      }
      if (t.dims() != rank) {
        return ctx.Error(Describe("input", i, t) + " must have rank " + std::to_string(rank) +
                         " like input 0");
      }
      for (int d = 0; d < rank; ++d) {
        if (d != params_.axis && t.dim(d) != first.dim(d)) {
          return ctx.Error(Describe("input", i, t) + " differs from input 0 " +
                           ShapeToString(first.shape()) + " in dimension " + std::to_string(d) +
                           " (only the axis " + std::to_string(params_.axis) + " may differ)");
        }
      }
      axis_sum += t.dim(params_.axis);
      params_.input_shapes.push_back(t.shape());
    }
    Shape expected = first.shape();
    expected[static_cast<size_t>(params_.axis)] = static_cast<int32_t>(axis_sum);
    if (output.shape() != expected) {
      return ctx.Error(Describe("output", 0, output) + " must have shape " +
                       ShapeToString(expected));
    }

    // TFLite rejects any fused activation here; we apply the clamp (TFLite's ranges).
    activation_ = options->activation;
    ref::FusedActivation fused = ref::FusedActivation::kNone;
    const bool is_float_or_8bit = dtype_ == DType::kFloat32 || shape_util::IsQuantized8(dtype_);
    if (!ToFusedActivation(activation_, &fused) ||
        (fused != ref::FusedActivation::kNone && !is_float_or_8bit)) {
      return ctx.UnsupportedError(std::string("fused activation ") +
                                  ir::ActivationName(activation_) + " on " + DTypeName(dtype_) +
                                  " tensors");
    }
    float_range_ = ref::FloatActivationRange(fused);

    if (shape_util::IsQuantized8(dtype_)) {
      EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "output", 0, output));
      quant_ = ref::QuantizedConcatenationParams();
      for (size_t i = 0; i < n; ++i) {
        EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "input", i, *ctx.input(i)));
        quant_.input_scale.push_back(shape_util::Scale(*ctx.input(i)));
        quant_.input_zero_point.push_back(shape_util::ZeroPoint(*ctx.input(i)));
      }
      quant_.output_scale = shape_util::Scale(output);
      quant_.output_zero_point = shape_util::ZeroPoint(output);
      const bool is_int8 = dtype_ == DType::kInt8;
      const ref::QuantizedRange range =
          ref::TfliteActivationRange(fused, quant_.output_scale, quant_.output_zero_point,
                                     is_int8 ? -128 : 0, is_int8 ? 127 : 255);
      quant_.activation_min = range.min;
      quant_.activation_max = range.max;
    }
    input_pointers_.assign(n, nullptr);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    for (size_t i = 0; i < input_pointers_.size(); ++i) input_pointers_[i] = ctx.input(i)->data;
    RtTensor& out = *ctx.output(0);
    switch (dtype_) {
      case DType::kFloat32:
        if (activation_ == ir::Activation::kNone) {
          ref::Concatenation<float>(params_, input_pointers_.data(), out.as<float>());
        } else {
          ref::ConcatenationFloat(params_, input_pointers_.data(), float_range_.min, float_range_.max,
                                out.as<float>());
        }
        break;
      case DType::kInt8:
        ref::QuantizedConcatenation<int8_t>(params_, quant_, input_pointers_.data(), out.as<int8_t>());
        break;
      case DType::kUInt8:
        ref::QuantizedConcatenation<uint8_t>(params_, quant_, input_pointers_.data(), out.as<uint8_t>());
        break;
      case DType::kInt16: ref::Concatenation<int16_t>(params_, input_pointers_.data(), out.as<int16_t>()); break;
      case DType::kInt32: ref::Concatenation<int32_t>(params_, input_pointers_.data(), out.as<int32_t>()); break;
      case DType::kInt64: ref::Concatenation<int64_t>(params_, input_pointers_.data(), out.as<int64_t>()); break;
      default: return ctx.Error("Eval before a successful Prepare");
    }
    return Status::Ok();
  }

 private:
  DType dtype_ = DType::kFloat16;  // "not prepared"
  ir::Activation activation_ = ir::Activation::kNone;
  ref::FloatRange float_range_ = {0, 0};
  ref::ConcatenationParams params_;
  ref::QuantizedConcatenationParams quant_;
  std::vector<const void*> input_pointers_;  // refreshed every Eval (the arena may move)
};

}  // namespace

std::unique_ptr<OpKernel> MakeConcatenation() { return std::make_unique<ConcatenationKernel>(); }

}  // namespace edgeforge::runtime::ops
