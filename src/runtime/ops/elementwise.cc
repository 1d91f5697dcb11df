// ADD, SUB, MUL with broadcasting: float32, uint8, int8 (all three tensors the same dtype).
// Quantized arithmetic picks the path the TFLite runtime takes (XNNPACK when its scale checks
// pass, else TFLite's own kernel); see kernels/reference/elementwise.h.
#include <variant>

#include "kernels/reference/elementwise.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;

enum class BinaryOp { kAdd, kSub, kMul };

class ElementwiseKernel final : public OpKernel {
 public:
  explicit ElementwiseKernel(BinaryOp op) : op_(op) {}

  Status Prepare(OpContext& ctx) override {
    // Some converters omit the options table of ADD / MUL: no fused activation then.
    ir::Activation fused = ir::Activation::kNone;
    if (!std::holds_alternative<std::monostate>(ctx.op().options)) {
      EF_ASSIGN_OR_RETURN(const ir::ElementwiseOptions* options,
                          OptionsOf<ir::ElementwiseOptions>(ctx, "ElementwiseOptions"));
      fused = options->activation;
    }
    EF_ASSIGN_OR_RETURN(const RtTensor* a, RequiredInput(ctx, 0, "input"));
    EF_ASSIGN_OR_RETURN(const RtTensor* b, RequiredInput(ctx, 1, "second input"));
    EF_ASSIGN_OR_RETURN(RtTensor* output, RequiredOutput(ctx, 0));
    EF_RETURN_IF_ERROR(
        ExpectDType(ctx, *a, "input", {DType::kFloat32, DType::kUInt8, DType::kInt8}));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *b, "second input", *a, "input"));
    EF_RETURN_IF_ERROR(ExpectSameDType(ctx, *output, "output", *a, "input"));
    if (!kr::BroadcastsTo(a->shape(), b->shape(), output->shape())) {
      return ctx.Error("input shapes " + ShapeToString(a->shape()) + " and " +
                       ShapeToString(b->shape()) + " do not broadcast to " +
                       Describe("output", *output) + " shape " + ShapeToString(output->shape()));
    }
    layout_ = kr::MakeBroadcastLayout(a->shape(), b->shape(), output->shape());
    EF_ASSIGN_OR_RETURN(const kr::FusedActivation activation, FusedActivationOf(ctx, fused));

    dtype_ = a->dtype();
    if (dtype_ == DType::kFloat32) {
      float_clamp_ = kr::FloatActivationRange(activation);
      return Status::Ok();
    }
    EF_ASSIGN_OR_RETURN(const TensorQuant qa, PerTensorQuant(ctx, *a, "input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant qb, PerTensorQuant(ctx, *b, "second input"));
    EF_ASSIGN_OR_RETURN(const TensorQuant qo, PerTensorQuant(ctx, *output, "output"));
    const kr::BinaryQuantization quant{qa.scale, qa.zero_point, qb.scale,
                                       qb.zero_point, qo.scale, qo.zero_point};
    const int32_t qmin = QMin(dtype_);
    const int32_t qmax = QMax(dtype_);
    if (op_ == BinaryOp::kMul) {
      mul_ = kr::MakeQuantizedMulParams(quant, activation, qmin, qmax);
      return Status::Ok();
    }
    const kr::AddOrSub add_or_sub = op_ == BinaryOp::kAdd ? kr::AddOrSub::kAdd : kr::AddOrSub::kSub;
    use_xnnpack_add_ = kr::XnnpackAddSupportsScales(quant);
    if (use_xnnpack_add_) {
      xnnpack_add_ = kr::MakeXnnpackAddParams(add_or_sub, quant, activation, qmin, qmax);
    } else {
      tflite_add_ = kr::MakeTfliteAddParams(add_or_sub, quant, activation, qmin, qmax);
    }
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    const RtTensor& a = *ctx.input(0);
    const RtTensor& b = *ctx.input(1);
    RtTensor& out = *ctx.output(0);
    switch (dtype_) {
      case DType::kFloat32:
        if (op_ == BinaryOp::kMul) {
          kr::MulFloat32(layout_, float_clamp_, a.as<float>(), b.as<float>(), out.as<float>());
        } else {
          kr::AddSubFloat32(op_ == BinaryOp::kAdd ? kr::AddOrSub::kAdd : kr::AddOrSub::kSub,
                            layout_, float_clamp_, a.as<float>(), b.as<float>(), out.as<float>());
        }
        return Status::Ok();
      case DType::kUInt8:
        EvalQuantized(a.as<uint8_t>(), b.as<uint8_t>(), out.as<uint8_t>());
        return Status::Ok();
      case DType::kInt8:
        EvalQuantized(a.as<int8_t>(), b.as<int8_t>(), out.as<int8_t>());
        return Status::Ok();
      default:
        return ctx.Error("Eval before a successful Prepare");
    }
  }

 private:
  void EvalQuantized(const uint8_t* a, const uint8_t* b, uint8_t* out) const {
    if (op_ == BinaryOp::kMul) {
      kr::MulUint8(layout_, mul_, a, b, out);
    } else if (use_xnnpack_add_) {
      kr::AddXnnpackUint8(layout_, xnnpack_add_, a, b, out);
    } else {
      kr::AddTfliteUint8(layout_, tflite_add_, a, b, out);
    }
  }
  void EvalQuantized(const int8_t* a, const int8_t* b, int8_t* out) const {
    if (op_ == BinaryOp::kMul) {
      kr::MulInt8(layout_, mul_, a, b, out);
    } else if (use_xnnpack_add_) {
      kr::AddXnnpackInt8(layout_, xnnpack_add_, a, b, out);
    } else {
      kr::AddTfliteInt8(layout_, tflite_add_, a, b, out);
    }
  }

  BinaryOp op_;
  DType dtype_ = DType::kBool;  // set by Prepare
  kr::BroadcastLayout layout_;
  kr::FloatRange float_clamp_{0.0f, 0.0f};
  bool use_xnnpack_add_ = false;
  kr::XnnpackAddParams xnnpack_add_;
  kr::TfliteAddParams tflite_add_;
  kr::QuantizedMulParams mul_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeAdd() { return std::make_unique<ElementwiseKernel>(BinaryOp::kAdd); }
std::unique_ptr<OpKernel> MakeSub() { return std::make_unique<ElementwiseKernel>(BinaryOp::kSub); }
std::unique_ptr<OpKernel> MakeMul() { return std::make_unique<ElementwiseKernel>(BinaryOp::kMul); }

}  // namespace edgeforge::runtime::ops
