// QUANTIZE: float32 -> uint8 / int8, and requantization between any two of uint8 / int8 (the
// uint8 <-> int8 conversions at the edges of TF2 models, or a scale change). The arithmetic
// of each case is in kernels/reference/quantize.h.
#include "kernels/reference/quantize.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;

class QuantizeKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *input, "input", {DType::kFloat32, DType::kUInt8, DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *output, "output", {DType::kUInt8, DType::kInt8}));
    if (output->num_elements() != input->num_elements()) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " does not match " + Describe("input", *input) + " shape " +
                       ShapeToString(input->shape()));
    }
    input_dtype_ = input->dtype();
    output_dtype_ = output->dtype();
    EF_ASSIGN_OR_RETURN(const TensorQuant out_q, PerTensorQuant(ctx, *output, "output"));
    if (input_dtype_ == DType::kFloat32) {
      affine_ = kr::MakeAffineQuantizeParams(out_q.scale, out_q.zero_point);
      return Status::Ok();
    }
    EF_ASSIGN_OR_RETURN(const TensorQuant in_q, PerTensorQuant(ctx, *input, "input"));
    requantize_ = kr::MakeRequantizeParams(in_q.scale, in_q.zero_point, out_q.scale,
                                           out_q.zero_point, input_dtype_ == output_dtype_);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    const int64_t n = in.num_elements();
    const bool to_int8 = output_dtype_ == DType::kInt8;
    switch (input_dtype_) {
      case DType::kFloat32:
        if (to_int8) {
          kr::QuantizeFloat32ToInt8(n, affine_, in.as<float>(), out.as<int8_t>());
        } else {
          kr::QuantizeFloat32ToUint8(n, affine_, in.as<float>(), out.as<uint8_t>());
        }
        return Status::Ok();
      case DType::kUInt8:
        if (to_int8) {
          kr::RequantizeUint8ToInt8(n, requantize_, in.as<uint8_t>(), out.as<int8_t>());
        } else {
          kr::RequantizeUint8ToUint8(n, requantize_, in.as<uint8_t>(), out.as<uint8_t>());
        }
        return Status::Ok();
      case DType::kInt8:
        if (to_int8) {
          kr::RequantizeInt8ToInt8(n, requantize_, in.as<int8_t>(), out.as<int8_t>());
        } else {
          kr::RequantizeInt8ToUint8(n, requantize_, in.as<int8_t>(), out.as<uint8_t>());
        }
        return Status::Ok();
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
  }

 private:
  DType input_dtype_ = DType::kBool;  // set by Prepare
  DType output_dtype_ = DType::kBool;
  kr::AffineQuantizeParams affine_;
  kr::RequantizeParams requantize_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeQuantize() { return std::make_unique<QuantizeKernel>(); }

}  // namespace edgeforge::runtime::ops
