// ARG_MAX: the index of the largest value along one axis (input 1, a constant int32/int64
// scalar), written as int32 or int64. Ties give the smallest index.
#include <variant>

#include "kernels/reference/arg_max.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

class ArgMaxKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 2, 2, 1));
    const RtTensor& input = *ctx.input(0);
    const RtTensor& axis_tensor = *ctx.input(1);
    const RtTensor& output = *ctx.output(0);
    input_dtype_ = input.dtype();
    switch (input_dtype_) {
      case DType::kFloat32: case DType::kInt8: case DType::kUInt8: case DType::kInt16:
      case DType::kInt32: case DType::kInt64: break;
      default:
        return ctx.UnsupportedError(Describe("input", 0, input) +
                                    ": supported dtypes are float32, int8, uint8, int16, int32, int64");
    }
    output_dtype_ = output.dtype();
    if (output_dtype_ != DType::kInt32 && output_dtype_ != DType::kInt64) {
      return ctx.Error(Describe("output", 0, output) + " must be int32 or int64");
    }
    if (const auto* options = std::get_if<ir::ArgMaxOptions>(&ctx.op().options);
        options != nullptr && options->output_int64 != (output_dtype_ == DType::kInt64)) {
      return ctx.Error(std::string("options ask for an ") +
                       (options->output_int64 ? "int64" : "int32") + " output but " +
                       Describe("output", 0, output) + " disagrees");
    }
    // Real values order like raw values only for one positive scale per tensor.
    EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "input", 0, input));
    if (axis_tensor.num_elements() != 1) {
      return ctx.Error("axis " + Describe("input", 1, axis_tensor) + " must hold one value");
    }
    EF_ASSIGN_OR_RETURN(std::vector<int64_t> axis_values, shape_util::ConstantInts(ctx, 1, "axis"));
    EF_ASSIGN_OR_RETURN(int axis, shape_util::NormalizeAxis(ctx, axis_values[0], input.dims(), "axis"));
    if (input.dim(axis) < 1) {
      return ctx.Error(Describe("input", 0, input) + " is empty along axis " + std::to_string(axis));
    }
    Shape expected;
    params_ = ref::ArgMaxParams();
    params_.outer = 1;
    params_.inner = 1;
    for (int d = 0; d < input.dims(); ++d) {
      if (d < axis) params_.outer *= input.dim(d);
      if (d > axis) params_.inner *= input.dim(d);
      if (d != axis) expected.push_back(input.dim(d));
    }
    params_.axis_size = input.dim(axis);
    if (output.shape() != expected) {
      return ctx.Error(Describe("output", 0, output) + " must have shape " +
                       ShapeToString(expected));
    }
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const uint8_t* in = ctx.input(0)->data;
    uint8_t* out = ctx.output(0)->data;
    if (output_dtype_ == DType::kInt32) {
      Dispatch(in, reinterpret_cast<int32_t*>(out));
    } else {
      Dispatch(in, reinterpret_cast<int64_t*>(out));
    }
    return Status::Ok();
  }

 private:
  template <typename Out>
  void Dispatch(const uint8_t* in, Out* out) const {
    switch (input_dtype_) {
      case DType::kFloat32: ref::ArgMax(params_, reinterpret_cast<const float*>(in), out); break;
      case DType::kInt8: ref::ArgMax(params_, reinterpret_cast<const int8_t*>(in), out); break;
      case DType::kUInt8: ref::ArgMax(params_, in, out); break;
      case DType::kInt16: ref::ArgMax(params_, reinterpret_cast<const int16_t*>(in), out); break;
      case DType::kInt32: ref::ArgMax(params_, reinterpret_cast<const int32_t*>(in), out); break;
      case DType::kInt64: ref::ArgMax(params_, reinterpret_cast<const int64_t*>(in), out); break;
      default: break;  // rejected in Prepare
    }
  }

  DType input_dtype_ = DType::kFloat16;
  DType output_dtype_ = DType::kInt64;
  ref::ArgMaxParams params_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeArgMax() { return std::make_unique<ArgMaxKernel>(); }

}  // namespace edgeforge::runtime::ops
