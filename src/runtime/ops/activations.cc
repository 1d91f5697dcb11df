// RELU, RELU6, LOGISTIC, TANH and HARD_SWISH: element-wise activations in float32, int8 and
// uint8. Prepare builds what the 8-bit paths need once (requantization multipliers for RELU,
// 256-entry tables for LOGISTIC/TANH, fixed-point multipliers for HARD_SWISH).
#include <limits>
#include <sstream>

#include "kernels/reference/unary_activations.h"
#include "kernels/reference/hard_swish.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

enum class Activation { kRelu, kRelu6, kLogistic, kTanh, kHardSwish };

class ActivationKernel final : public OpKernel {
 public:
  explicit ActivationKernel(Activation activation) : activation_(activation) {}

  Status Prepare(OpContext& ctx) override {
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 1, 1, 1));
    const RtTensor& input = *ctx.input(0);
    const RtTensor& output = *ctx.output(0);
    if (input.dtype() != output.dtype()) {
      return ctx.Error(Describe("input", 0, input) + " and " + Describe("output", 0, output) +
                       " must have the same dtype");
    }
    if (input.num_elements() != output.num_elements()) {
      return ctx.Error(Describe("input", 0, input) + " and " + Describe("output", 0, output) +
                       " must have the same number of elements");
    }
    dtype_ = input.dtype();
    if (dtype_ == DType::kFloat32) return Status::Ok();
    if (!shape_util::IsQuantized8(dtype_)) {
      return ctx.UnsupportedError(Describe("input", 0, input) +
                                  ": supported dtypes are float32, int8 and uint8");
    }
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "input", 0, input));
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "output", 0, output));
    const float in_scale = shape_util::Scale(input), out_scale = shape_util::Scale(output);
    const int32_t in_zp = shape_util::ZeroPoint(input), out_zp = shape_util::ZeroPoint(output);
    const bool is_int8 = dtype_ == DType::kInt8;
    const int32_t type_min = is_int8 ? -128 : 0, type_max = is_int8 ? 127 : 255;

    switch (activation_) {
      case Activation::kRelu:
      case Activation::kRelu6: {
        relu_ = ref::MakeQuantizedReluParams(in_scale, in_zp, out_scale, out_zp,
                                             activation_ == Activation::kRelu6, type_min, type_max);
        return Status::Ok();
      }
      case Activation::kLogistic: {
        // TFLite demands the output scale 1/256 with the zero point at the type's minimum, so
        // that [0, 1) covers the whole 8-bit range.
        if (out_scale != 1.0f / 256 || out_zp != type_min) {
          std::ostringstream os;
          os << Describe("output", 0, output) << " must have scale 1/256 and zero point "
             << type_min << " (TFLite's fixed LOGISTIC output quantization), got scale "
             << out_scale << " zero point " << out_zp;
          return ctx.Error(os.str());
        }
        table_ = is_int8 ? ref::BuildLookupTableInt8(in_scale, in_zp, out_scale, out_zp,
                                                     ref::LogisticValue)
                         : ref::BuildLookupTableUInt8(in_scale, in_zp, out_scale, out_zp,
                                                      ref::LogisticValue);
        return Status::Ok();
      }
      case Activation::kTanh:
        // TFLite's 8-bit TANH table works for any output quantization (converters use 1/128).
        table_ = is_int8 ? ref::BuildLookupTableInt8(in_scale, in_zp, out_scale, out_zp,
                                                     ref::TanhValue)
                         : ref::BuildLookupTableUInt8(in_scale, in_zp, out_scale, out_zp,
                                                      ref::TanhValue);
        return Status::Ok();
      case Activation::kHardSwish: {
        hard_swish_ = ref::MakeHardSwishParams(in_scale, in_zp, out_scale, out_zp);
        if (hard_swish_.output_multiplier_exponent > 0) {
          std::ostringstream os;
          os << "output scale " << out_scale << " must be larger than input scale " << in_scale
             << " / 128 (TFLite's quantized HARD_SWISH cannot scale up)";
          return ctx.UnsupportedError(os.str());
        }
        return Status::Ok();
      }
    }
    return ctx.Error("unknown activation");
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& input = *ctx.input(0);
    RtTensor& output = *ctx.output(0);
    const int64_t n = output.num_elements();
    switch (dtype_) {
      case DType::kFloat32: EvalFloat(input.as<float>(), output.as<float>(), n); break;
      case DType::kInt8: EvalQuantized(input.as<int8_t>(), output.as<int8_t>(), n); break;
      case DType::kUInt8: EvalQuantized(input.as<uint8_t>(), output.as<uint8_t>(), n); break;
      default: return ctx.Error("Eval before a successful Prepare");
    }
    return Status::Ok();
  }

 private:
  void EvalFloat(const float* in, float* out, int64_t n) const {
    switch (activation_) {
      case Activation::kRelu:
        ref::ReluX(0.0f, std::numeric_limits<float>::infinity(), in, out, n);
        break;
      case Activation::kRelu6: ref::ReluX(0.0f, 6.0f, in, out, n); break;
      case Activation::kLogistic: ref::Logistic(in, out, n); break;
      case Activation::kTanh: ref::Tanh(in, out, n); break;
      case Activation::kHardSwish: ref::HardSwish(in, out, n); break;
    }
  }

  template <typename T>
  void EvalQuantized(const T* in, T* out, int64_t n) const {
    switch (activation_) {
      case Activation::kRelu:
      case Activation::kRelu6: ref::QuantizedReluX(relu_, in, out, n); break;
      case Activation::kLogistic:
      case Activation::kTanh: ref::ApplyLookupTable(table_, in, out, n); break;
      case Activation::kHardSwish: ref::QuantizedHardSwish(hard_swish_, in, out, n); break;
    }
  }

  Activation activation_;
  DType dtype_ = DType::kFloat16;  // not a supported dtype: "not prepared"
  ref::QuantizedReluParams relu_;
  ref::LookupTable8 table_;
  ref::HardSwishParams hard_swish_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeRelu() { return std::make_unique<ActivationKernel>(Activation::kRelu); }
std::unique_ptr<OpKernel> MakeRelu6() { return std::make_unique<ActivationKernel>(Activation::kRelu6); }
std::unique_ptr<OpKernel> MakeLogistic() {
  return std::make_unique<ActivationKernel>(Activation::kLogistic);
}
std::unique_ptr<OpKernel> MakeTanh() { return std::make_unique<ActivationKernel>(Activation::kTanh); }
std::unique_ptr<OpKernel> MakeHardSwish() {
  return std::make_unique<ActivationKernel>(Activation::kHardSwish);
}

}  // namespace edgeforge::runtime::ops
