// L2_NORMALIZATION over the last dimension: float32, uint8 and int8. TFLite fixes the 8-bit
// output quantization at scale 1/128 with zero point 128 (uint8) or 0 (int8), and supports no
// fused activation.
#include <sstream>
#include <variant>

#include "kernels/reference/l2_normalization.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

class L2NormalizationKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 1, 1, 1));
    const RtTensor& input = *ctx.input(0);
    const RtTensor& output = *ctx.output(0);
    if (const auto* options = std::get_if<ir::L2NormOptions>(&ctx.op().options);
        options != nullptr && options->activation != ir::Activation::kNone) {
      return ctx.UnsupportedError(std::string("fused activation ") +
                                  ir::ActivationName(options->activation) +
                                  " (TFLite supports none)");
    }
    if (input.dtype() != output.dtype() || input.shape() != output.shape()) {
      return ctx.Error(Describe("input", 0, input) + " and " + Describe("output", 0, output) +
                       " must have the same dtype and shape");
    }
    if (input.dims() < 1) return ctx.Error(Describe("input", 0, input) + " must have rank >= 1");
    dtype_ = input.dtype();
    depth_ = input.dim(input.dims() - 1);
    outer_ = depth_ == 0 ? 0 : input.num_elements() / depth_;
    if (dtype_ == DType::kFloat32) return Status::Ok();
    if (!shape_util::IsQuantized8(dtype_)) {
      return ctx.UnsupportedError(Describe("input", 0, input) +
                                  ": supported dtypes are float32, int8 and uint8");
    }
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "input", 0, input));
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "output", 0, output));
    const int32_t required_zero_point = dtype_ == DType::kUInt8 ? 128 : 0;
    if (shape_util::Scale(output) != 1.0f / 128 ||
        shape_util::ZeroPoint(output) != required_zero_point) {
      std::ostringstream os;
      os << Describe("output", 0, output) << " must have scale 1/128 and zero point "
         << required_zero_point << " (TFLite's fixed L2_NORMALIZATION output quantization), got "
         << QuantToString(output.quant());
      return ctx.Error(os.str());
    }
    input_zero_point_ = shape_util::ZeroPoint(input);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    switch (dtype_) {
      case DType::kFloat32: ref::L2Normalization(outer_, depth_, in.as<float>(), out.as<float>()); break;
      case DType::kUInt8:
        ref::L2Normalization(outer_, depth_, input_zero_point_, in.as<uint8_t>(), out.as<uint8_t>());
        break;
      case DType::kInt8:
        ref::L2Normalization(outer_, depth_, input_zero_point_, in.as<int8_t>(), out.as<int8_t>());
        break;
      default: return ctx.Error("Eval before a successful Prepare");
    }
    return Status::Ok();
  }

 private:
  DType dtype_ = DType::kFloat16;  // "not prepared"
  int64_t outer_ = 0;
  int64_t depth_ = 0;
  int32_t input_zero_point_ = 0;
};

}  // namespace

std::unique_ptr<OpKernel> MakeL2Normalization() { return std::make_unique<L2NormalizationKernel>(); }

}  // namespace edgeforge::runtime::ops
