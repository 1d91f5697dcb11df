// QUANTIZE: float32 -> uint8 / int8, and requantization between any two of uint8 / int8 (the
// uint8 <-> int8 conversions at the edges of TF2 models, or a scale change). The arithmetic
// of each case is in kernels/reference/quantize.h.

#include "kernels/optimized/lookup_table.h"
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
    // 8-bit -> 8-bit: tabulate the reference arithmetic over all 256 inputs once.
    uint8_t all_bytes[256];
    for (int v = 0; v < 256; ++v) all_bytes[v] = static_cast<uint8_t>(v);
    RtTensor in_view = *input, out_view = *output;
    in_view.data = all_bytes;
    out_view.data = table_.data();
    RequantizeReference(256, in_view, out_view);
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    const int64_t n = in.num_elements();
    if (input_dtype_ == DType::kFloat32) {
      if (output_dtype_ == DType::kInt8) {
        kr::QuantizeFloat32ToInt8(n, affine_, in.as<float>(), out.as<int8_t>());
      } else {
        kr::QuantizeFloat32ToUint8(n, affine_, in.as<float>(), out.as<uint8_t>());
      }
      return Status::Ok();
    }
    kernels::optimized::ApplyByteTable(n, table_, in.data, out.data);
    return Status::Ok();
  }

 private:
  DType input_dtype_ = DType::kBool;  // set by Prepare
  DType output_dtype_ = DType::kBool;
  kr::AffineQuantizeParams affine_;
  kr::RequantizeParams requantize_;
  kernels::optimized::ByteTable table_{};

  // The reference requantization of `count` values (the specification the table reproduces).
  void RequantizeReference(int64_t count, const RtTensor& in, RtTensor& out) const {
    const bool to_int8 = output_dtype_ == DType::kInt8;
    if (input_dtype_ == DType::kUInt8) {
      if (to_int8) {
        kr::RequantizeUint8ToInt8(count, requantize_, in.as<uint8_t>(), out.as<int8_t>());
      } else {
        kr::RequantizeUint8ToUint8(count, requantize_, in.as<uint8_t>(), out.as<uint8_t>());
      }
    } else if (to_int8) {
      kr::RequantizeInt8ToInt8(count, requantize_, in.as<int8_t>(), out.as<int8_t>());
    } else {
      kr::RequantizeInt8ToUint8(count, requantize_, in.as<int8_t>(), out.as<uint8_t>());
    }
  }
};

}  // namespace

std::unique_ptr<OpKernel> MakeQuantize() { return std::make_unique<QuantizeKernel>(); }

}  // namespace edgeforge::runtime::ops
