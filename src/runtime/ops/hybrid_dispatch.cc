#include "runtime/ops/hybrid_ops.h"

namespace edgeforge::runtime::ops {

namespace {

class HybridDispatchKernel final : public OpKernel {
 public:
  HybridDispatchKernel(std::unique_ptr<OpKernel> regular, std::unique_ptr<OpKernel> hybrid,
                       int32_t first_hybrid_version)
      : regular_(std::move(regular)), hybrid_(std::move(hybrid)), first_hybrid_version_(first_hybrid_version) {}

  Status Prepare(OpContext& ctx) override {
    const RtTensor* input = ctx.input(0);
    const RtTensor* weights = ctx.input(1);
    const bool hybrid = input != nullptr && weights != nullptr && input->dtype() == DType::kFloat32 &&
                        weights->dtype() == DType::kInt8 && ctx.op().version >= first_hybrid_version_;
    chosen_ = hybrid ? hybrid_.get() : regular_.get();
    return chosen_->Prepare(ctx);
  }

  Status Eval(OpContext& ctx) override {
    if (chosen_ == nullptr) return ctx.Error("Eval before a successful Prepare");
    return chosen_->Eval(ctx);
  }

 private:
  std::unique_ptr<OpKernel> regular_;
  std::unique_ptr<OpKernel> hybrid_;
  int32_t first_hybrid_version_;
  OpKernel* chosen_ = nullptr;
};

}  // namespace

std::unique_ptr<OpKernel> WithHybrid(std::unique_ptr<OpKernel> regular, std::unique_ptr<OpKernel> hybrid,
                                     int32_t first_hybrid_version) {
  return std::make_unique<HybridDispatchKernel>(std::move(regular), std::move(hybrid), first_hybrid_version);
}

}  // namespace edgeforge::runtime::ops
