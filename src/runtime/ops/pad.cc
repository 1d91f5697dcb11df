// PAD: constant padding with zero (the zero point for quantized tensors); paddings come from a
// constant int32/int64 [rank, 2] input.
#include "kernels/reference/pad.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

class PadKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 2, 2, 1));
    const RtTensor& input = *ctx.input(0);
    const RtTensor& paddings = *ctx.input(1);
    const RtTensor& output = *ctx.output(0);
    if (input.dtype() != output.dtype()) {
      return ctx.Error(Describe("input", 0, input) + " and " + Describe("output", 0, output) +
                       " must have the same dtype");
    }
    dtype_ = input.dtype();
    switch (dtype_) {
      case DType::kFloat32: case DType::kInt8: case DType::kUInt8: case DType::kInt16:
      case DType::kInt32: case DType::kInt64: break;
      default:
        return ctx.UnsupportedError(Describe("input", 0, input) +
                                    ": supported dtypes are float32, int8, uint8, int16, int32, int64");
    }
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "input", 0, input));
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "output", 0, output));
    EF_RETURN_IF_ERROR(shape_util::CheckSameQuant(ctx, input, output));

    const int rank = input.dims();
    const Shape expected_paddings_shape = {rank, 2};
    if (paddings.shape() != expected_paddings_shape) {
      return ctx.Error("paddings " + Describe("input", 1, paddings) + " must have shape " +
                       ShapeToString(expected_paddings_shape));
    }
    EF_ASSIGN_OR_RETURN(std::vector<int64_t> values, shape_util::ConstantInts(ctx, 1, "paddings"));
    params_.input_shape = input.shape();
    params_.before.assign(static_cast<size_t>(rank), 0);
    params_.after.assign(static_cast<size_t>(rank), 0);
    for (int d = 0; d < rank; ++d) {
      const int64_t before = values[static_cast<size_t>(2 * d)];
      const int64_t after = values[static_cast<size_t>(2 * d + 1)];
      if (before < 0 || after < 0) {
        return ctx.Error("paddings of dimension " + std::to_string(d) + " are (" +
                         std::to_string(before) + ", " + std::to_string(after) +
                         "); they must not be negative");
      }
      const int64_t padded = input.dim(d) + before + after;
      if (output.dims() != rank || padded != output.dim(d)) {
        return ctx.Error(Describe("output", 0, output) + " does not match " +
                         Describe("input", 0, input) + " padded by the paddings input");
      }
      params_.before[static_cast<size_t>(d)] = static_cast<int32_t>(before);
      params_.after[static_cast<size_t>(d)] = static_cast<int32_t>(after);
    }
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    // Quantized tensors pad with the output's zero point, i.e. the real value 0.
    const int32_t zero = shape_util::ZeroPoint(out);
    switch (dtype_) {
      case DType::kFloat32: ref::Pad<float>(params_, in.as<float>(), 0.0f, out.as<float>()); break;
      case DType::kInt8:
        ref::Pad<int8_t>(params_, in.as<int8_t>(), static_cast<int8_t>(zero), out.as<int8_t>());
        break;
      case DType::kUInt8:
        ref::Pad<uint8_t>(params_, in.as<uint8_t>(), static_cast<uint8_t>(zero), out.as<uint8_t>());
        break;
      case DType::kInt16:
        ref::Pad<int16_t>(params_, in.as<int16_t>(), static_cast<int16_t>(zero), out.as<int16_t>());
        break;
      case DType::kInt32: ref::Pad<int32_t>(params_, in.as<int32_t>(), 0, out.as<int32_t>()); break;
      case DType::kInt64: ref::Pad<int64_t>(params_, in.as<int64_t>(), 0, out.as<int64_t>()); break;
      default: return ctx.Error("Eval before a successful Prepare");
    }
    return Status::Ok();
  }

 private:
  DType dtype_ = DType::kFloat16;  // "not prepared"
  ref::PadParams params_;
};

}  // namespace

std::unique_ptr<OpKernel> MakePad() { return std::make_unique<PadKernel>(); }

}  // namespace edgeforge::runtime::ops
