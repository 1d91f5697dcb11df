// ADD, SUB, MUL with broadcasting: float32, uint8, int8 (all three tensors the same dtype).
// Quantized arithmetic picks the path the TFLite runtime takes (XNNPACK when its scale checks
// pass, else TFLite's own kernel); see kernels/reference/elementwise.h.
//
// ADD and SUB without broadcasting (or with a single-value operand) run the optimized kernels
// of kernels/optimized/vadd.h for float32 and for XNNPACK's 8-bit arithmetic (identical
// results); everything else runs the reference.
#include <variant>

#include "core/cpu_features.h"
#include "kernels/optimized/vadd.h"
#include "kernels/reference/elementwise.h"
#include "runtime/ops/numeric_op_checks.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime::ops {

namespace {

namespace kr = kernels::reference;
namespace ko = kernels::optimized;

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
    // The optimized kernels walk the output linearly: each operand is either the whole output
    // shape's worth of elements in the same order, or one value.
    const int64_t count = output->num_elements();
    a_is_scalar_ = a->num_elements() == 1 && count != 1;
    b_is_scalar_ = b->num_elements() == 1 && count != 1;
    const bool linear = (a_is_scalar_ || a->num_elements() == count) &&
                        (b_is_scalar_ || b->num_elements() == count) && count > 0;
    optimized_ = linear && op_ != BinaryOp::kMul;
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
    optimized_ = optimized_ && use_xnnpack_add_;
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
    if (optimized_) {
      EvalOptimized(ctx, a, b, out);
      return Status::Ok();
    }
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
  void EvalOptimized(OpContext& ctx, const RtTensor& a, const RtTensor& b, RtTensor& out) const {
    if (dtype_ == DType::kFloat32) {
      ko::F32VaddProblem problem;
      problem.a = a.as<float>();
      problem.a_is_scalar = a_is_scalar_;
      problem.b = b.as<float>();
      problem.b_is_scalar = b_is_scalar_;
      problem.output = out.as<float>();
      problem.count = out.num_elements();
      problem.subtract = op_ == BinaryOp::kSub;
      ko::RunFloatVadd(float_clamp_, problem, ctx.thread_pool());
      return;
    }
    ko::Q8VaddProblem problem;
    problem.is_uint8 = dtype_ == DType::kUInt8;
    problem.a = a.data;
    problem.a_is_scalar = a_is_scalar_;
    problem.b = b.data;
    problem.b_is_scalar = b_is_scalar_;
    problem.output = out.data;
    problem.count = out.num_elements();
    ko::RunQuantizedVadd(xnnpack_add_, problem, core::BestIsa(), ctx.thread_pool());
  }

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
  // ADD / SUB without real broadcasting run kernels/optimized/vadd.h.
  bool optimized_ = false;
  bool a_is_scalar_ = false;
  bool b_is_scalar_ = false;
  kr::XnnpackAddParams xnnpack_add_;
  kr::TfliteAddParams tflite_add_;
  kr::QuantizedMulParams mul_;
};

}  // namespace

std::unique_ptr<OpKernel> MakeAdd() { return std::make_unique<ElementwiseKernel>(BinaryOp::kAdd); }
std::unique_ptr<OpKernel> MakeSub() { return std::make_unique<ElementwiseKernel>(BinaryOp::kSub); }
std::unique_ptr<OpKernel> MakeMul() { return std::make_unique<ElementwiseKernel>(BinaryOp::kMul); }

}  // namespace edgeforge::runtime::ops
