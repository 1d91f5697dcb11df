// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on NHWC tensors; the output size comes from
// input 1, a constant int32 [2] (height, width).
#include <variant>

#include "kernels/reference/resize.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

class ResizeKernel final : public OpKernel {
 public:
  explicit ResizeKernel(bool bilinear) : bilinear_(bilinear) {}

  Status Prepare(OpContext& ctx) override {
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 2, 2, 1));
    const RtTensor& input = *ctx.input(0);
    const RtTensor& size = *ctx.input(1);
    const RtTensor& output = *ctx.output(0);
    const auto* options = std::get_if<ir::ResizeOptions>(&ctx.op().options);
    if (options == nullptr) return ctx.Error("missing ResizeOptions");
    if (bilinear_ && options->align_corners && options->half_pixel_centers) {
      return ctx.Error("align_corners and half_pixel_centers cannot both be true");
    }
    if (input.dims() != 4) {
      return ctx.Error(Describe("input", 0, input) + " must have rank 4 (NHWC)");
    }
    if (input.dtype() != output.dtype()) {
      return ctx.Error(Describe("input", 0, input) + " and " + Describe("output", 0, output) +
                       " must have the same dtype");
    }
    dtype_ = input.dtype();
    const bool supported = dtype_ == DType::kFloat32 || shape_util::IsQuantized8(dtype_) ||
                           (!bilinear_ && (dtype_ == DType::kInt16 || dtype_ == DType::kInt32 ||
                                           dtype_ == DType::kInt64));
    if (!supported) {
      return ctx.UnsupportedError(Describe("input", 0, input) +
                                  (bilinear_ ? ": supported dtypes are float32, int8 and uint8"
                                             : ": supported dtypes are float32, int8, uint8, "
                                               "int16, int32 and int64"));
    }
    if (size.dtype() != DType::kInt32 || size.shape() != Shape{2}) {
      return ctx.Error("size " + Describe("input", 1, size) + " must be int32 [2]");
    }
    EF_ASSIGN_OR_RETURN(std::vector<int64_t> hw, shape_util::ConstantInts(ctx, 1, "size"));
    if (hw[0] <= 0 || hw[1] <= 0) {
      return ctx.Error("size (" + std::to_string(hw[0]) + ", " + std::to_string(hw[1]) +
                       ") must be positive");
    }
    const Shape expected = {input.dim(0), static_cast<int32_t>(hw[0]), static_cast<int32_t>(hw[1]),
                            input.dim(3)};
    if (output.shape() != expected) {
      return ctx.Error(Describe("output", 0, output) + " must have shape " +
                       ShapeToString(expected));
    }
    if (shape_util::IsQuantized8(dtype_)) {
      EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "input", 0, input));
      EF_RETURN_IF_ERROR(shape_util::CheckPerTensorQuant(ctx, "output", 0, output));
      // Both resizes interpolate raw values, so the real values survive only if the
      // quantization does.
      EF_RETURN_IF_ERROR(shape_util::CheckSameQuant(ctx, input, output));
    }
    params_.batch = input.dim(0);
    params_.input_height = input.dim(1);
    params_.input_width = input.dim(2);
    params_.channels = input.dim(3);
    params_.output_height = expected[1];
    params_.output_width = expected[2];
    params_.align_corners = options->align_corners;
    params_.half_pixel_centers = options->half_pixel_centers;
    if (input.num_elements() == 0 && output.num_elements() != 0) {
      return ctx.Error(Describe("input", 0, input) + " is empty but the output is not");
    }
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    if (!bilinear_) {
      ref::ResizeNearestNeighbor(params_, DTypeSize(dtype_), in.data, out.data);
      return Status::Ok();
    }
    switch (dtype_) {
      case DType::kFloat32: ref::ResizeBilinear(params_, in.as<float>(), out.as<float>()); break;
      case DType::kUInt8: ref::ResizeBilinear(params_, in.as<uint8_t>(), out.as<uint8_t>()); break;
      case DType::kInt8: ref::ResizeBilinear(params_, in.as<int8_t>(), out.as<int8_t>()); break;
      default: return ctx.Error("Eval before a successful Prepare");
    }
    return Status::Ok();
  }

 private:
  bool bilinear_;
  DType dtype_ = DType::kFloat16;  // "not prepared"
  ref::ResizeParams params_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeResizeBilinear() { return std::make_unique<ResizeKernel>(true); }
std::unique_ptr<OpKernel> MakeResizeNearestNeighbor() {
  return std::make_unique<ResizeKernel>(false);
}

}  // namespace edgeforge::runtime::ops
