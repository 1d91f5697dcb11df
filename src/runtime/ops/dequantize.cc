// DEQUANTIZE to float32 from uint8 / int8 (per tensor; int8 also per channel, as weights of
// dynamic-range models are) and from float16 (float16-quantized models keep their weights as
// float16 constants followed by DEQUANTIZE).
#include <vector>

#include "kernels/reference/quantize.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;

class DequantizeKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_ASSIGN_OR_RETURN(const RtTensor* input, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *input, "input", {DType::kUInt8, DType::kInt8, DType::kFloat16}));
    EF_RETURN_IF_ERROR(ExpectDType(ctx, *output, "output", {DType::kFloat32}));
    if (output->num_elements() != input->num_elements()) {
      return ctx.Error(Describe("output", *output) + " shape " + ShapeToString(output->shape()) +
                       " does not match " + Describe("input", *input) + " shape " +
                       ShapeToString(input->shape()));
    }
    input_dtype_ = input->dtype();
    per_channel_ = false;
    if (input_dtype_ == DType::kFloat16) return Status::Ok();
    const QuantParams& q = input->quant();
    if (input_dtype_ == DType::kInt8 && q.per_channel()) return PreparePerChannel(ctx, *input);
    EF_ASSIGN_OR_RETURN(quant_, PerTensorQuant(ctx, *input, "input"));
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& in = *ctx.input(0);
    RtTensor& out = *ctx.output(0);
    const int64_t n = in.num_elements();
    switch (input_dtype_) {
      case DType::kFloat16:
        kr::DequantizeFloat16(n, in.as<uint16_t>(), out.as<float>());
        return Status::Ok();
      case DType::kUInt8:
        kr::DequantizeUint8(n, quant_.scale, quant_.zero_point, in.as<uint8_t>(), out.as<float>());
        return Status::Ok();
      case DType::kInt8:
        if (per_channel_) {
          kr::DequantizePerChannelInt8(layout_, scales_.data(), zero_points_.data(),
                                       in.as<int8_t>(), out.as<float>());
        } else {
          kr::DequantizeInt8(n, quant_.scale, quant_.zero_point, in.as<int8_t>(), out.as<float>());
        }
        return Status::Ok();
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
  }

 private:
  Status PreparePerChannel(const OpContext& ctx, const RtTensor& input) {
    const QuantParams& q = input.quant();
    const int axis = q.quantized_dimension;
    if (axis < 0 || axis >= input.dims() ||
        q.scale.size() != static_cast<size_t>(input.dim(axis))) {
      return ctx.Error(Describe("input", input) + " has " + std::to_string(q.scale.size()) +
                       " per-channel scales along dimension " + std::to_string(axis) +
                       " of shape " + ShapeToString(input.shape()));
    }
    if (!q.zero_point.empty() && q.zero_point.size() != 1 &&
        q.zero_point.size() != q.scale.size()) {
      return ctx.Error(Describe("input", input) + " has " + std::to_string(q.scale.size()) +
                       " scales but " + std::to_string(q.zero_point.size()) + " zero points");
    }
    layout_ = kr::PerChannelLayout{};
    for (int d = 0; d < axis; ++d) layout_.outer *= input.dim(d);
    layout_.channels = input.dim(axis);
    for (int d = axis + 1; d < input.dims(); ++d) layout_.inner *= input.dim(d);
    scales_ = q.scale;
    zero_points_.clear();
    for (size_t c = 0; c < q.scale.size(); ++c) {
      const int64_t zp = q.zero_point.empty()       ? 0
                         : q.zero_point.size() == 1 ? q.zero_point[0]
                                                    : q.zero_point[c];
      zero_points_.push_back(static_cast<int32_t>(zp));
    }
    per_channel_ = true;
    return Status::Ok();
  }

  DType input_dtype_ = DType::kBool;  // set by Prepare
  TensorQuant quant_;
  bool per_channel_ = false;
  kr::PerChannelLayout layout_;
  std::vector<float> scales_;
  std::vector<int32_t> zero_points_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeDequantize() { return std::make_unique<DequantizeKernel>(); }

}  // namespace edgeforge::runtime::ops
