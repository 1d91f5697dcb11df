// CAST between float32, int32, int64, uint8, int8, int16 and bool (raw values; quantization
// parameters are ignored, as in TFLite).
#include "kernels/reference/cast.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/shape_ops_util.h"

namespace edgeforge::runtime::ops {

namespace {

namespace ref = kernels::reference;
using shape_util::Describe;

class CastKernel final : public OpKernel {
 public:
  Status Prepare(OpContext& ctx) override {
    EF_RETURN_IF_ERROR(shape_util::CheckArity(ctx, 1, 1, 1));
    const RtTensor& input = *ctx.input(0);
    const RtTensor& output = *ctx.output(0);
    if (!ref::CastSupported(input.dtype())) {
      return ctx.UnsupportedError(Describe("input", 0, input) +
                                  ": supported dtypes are float32, int32, int64, uint8, int8, int16, bool");
    }
    if (!ref::CastSupported(output.dtype())) {
      return ctx.UnsupportedError(Describe("output", 0, output) +
                                  ": supported dtypes are float32, int32, int64, uint8, int8, int16, bool");
    }
    if (input.num_elements() != output.num_elements()) {
      return ctx.Error(Describe("input", 0, input) + " and " + Describe("output", 0, output) +
                       " must have the same number of elements");
    }
    from_ = input.dtype();
    to_ = output.dtype();
    return Status::Ok();
  }

  Status Eval(OpContext& ctx) override {
    RtTensor& out = *ctx.output(0);
    ref::Cast(from_, ctx.input(0)->data, to_, out.data, out.num_elements());
    return Status::Ok();
  }

 private:
  DType from_ = DType::kFloat32;
  DType to_ = DType::kFloat32;
};

}  // namespace

std::unique_ptr<OpKernel> MakeCast() { return std::make_unique<CastKernel>(); }

}  // namespace edgeforge::runtime::ops
