// SOFTMAX over the last dimension: float32, uint8, int8 (input and output the same dtype).
// Quantized outputs must be TFLite's fixed 1/256 scale with zero point 0 (uint8) or -128
// (int8), as TFLite's own kernel requires; the lookup table is built here, in Prepare.
#include <cmath>

#include "kernels/reference/softmax.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;

class SoftmaxKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    // A missing options table means TFLite's default beta of 1.
    beta_ = 1.0f;
    if (!std::holds_alternative<std::monostate>(ctx.op().options)) {
      EF_ASSIGN_OR_RETURN(const ir::SoftmaxOptions* options,
                          OptionsOf<ir::SoftmaxOptions>(ctx, "SoftmaxOptions"));
      beta_ = options->beta;
    }
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *input, "input", {DType::kFloat32, DType::kUInt8, DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *output, "output", *input, "input"));
    if (input->dims() < 1 || output->shape() != input->shape()) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " must equal " + Describe("input", *input) + " shape " +
                       ShapeToString(input->shape()) + " (of rank 1 or more)");
    }
    if (!std::isfinite(beta_)) return ctx.Error("beta " + std::to_string(beta_) + " is not finite");
    shape_.depth = input->dim(input->dims() - 1);
    shape_.outer = shape_.depth > 0 ? input->num_elements() / shape_.depth : 0;

    dtype_ = input->dtype();
    if (dtype_ == DType::kFloat32) return Status::Ok();
    EF_ASSIGN_OR_RETURN(const TensorQuant in_q, PerTensorQuant(ctx, *input, "input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant out_q, PerTensorQuant(ctx, *output, "output"));
    const int32_t expected_zero_point = dtype_ == DType::kInt8 ? -128 : 0;
    constexpr float kScale = 1.0f / 256.0f;
    if (out_q.zero_point != expected_zero_point ||
        std::fabs(out_q.scale - kScale) > 0.001f * kScale) {
      return ctx.UnsupportedError(Describe("output", *output) + " has scale " +
                                  std::to_string(out_q.scale) + " zero point " +
                                  std::to_string(out_q.zero_point) + "; a " + DTypeName(dtype_) +
                                  " SOFTMAX output must have scale 1/256 and zero point " +
                                  std::to_string(expected_zero_point));
    }
    kr::PopulateSoftmaxLookupTable(in_q.scale, beta_, out_q.scale, out_q.zero_point, &lut_);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    switch (dtype_) {
      case DType::kFloat32:
        kr::SoftmaxFloat32(shape_, beta_, in.as<float>(), out.as<float>());
        return Status::Ok();
      case DType::kUInt8:
        kr::SoftmaxUint8(shape_, lut_, in.as<uint8_t>(), out.as<uint8_t>());
        return Status::Ok();
      case DType::kInt8:
        kr::SoftmaxInt8(shape_, lut_, in.as<int8_t>(), out.as<int8_t>());
        return Status::Ok();
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
  }

 private:
  DType dtype_ = DType::kBool;  // set by Prepare
  float beta_ = 1.0f;
  kr::SoftmaxShape shape_;
  kr::SoftmaxLookupTable lut_{};
};

}  // namespace

std::unique_ptr<OpKernel> MakeSoftmax() { return std::make_unique<SoftmaxKernel>(); }

}  // namespace edgeforge::runtime::ops
