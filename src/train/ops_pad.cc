#include "train/ops_pad.h"

namespace edgeforge::train::internal {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

class PadSpatialFunction : public torch::autograd::Function<PadSpatialFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, int64_t top,
                               int64_t bottom, int64_t left, int64_t right, double value) {
    const int64_t h = x.size(2), w = x.size(3);
    ctx->saved_data["top"] = top;
    ctx->saved_data["left"] = left;
    ctx->saved_data["h"] = h;
    ctx->saved_data["w"] = w;
    torch::Tensor y = at::empty({x.size(0), x.size(1), h + top + bottom, w + left + right},
                                x.options().memory_format(x.suggest_memory_format()));
    if (top > 0) y.narrow(2, 0, top).fill_(value);
    if (bottom > 0) y.narrow(2, top + h, bottom).fill_(value);
    torch::Tensor rows = y.narrow(2, top, h);
    if (left > 0) rows.narrow(3, 0, left).fill_(value);
    if (right > 0) rows.narrow(3, left + w, right).fill_(value);
    rows.narrow(3, left, w).copy_(x);
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const int64_t top = ctx->saved_data["top"].toInt(), left = ctx->saved_data["left"].toInt();
    const int64_t h = ctx->saved_data["h"].toInt(), w = ctx->saved_data["w"].toInt();
    return {grad[0].narrow(2, top, h).narrow(3, left, w), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor PadSpatial(const torch::Tensor& x, const SpatialPads& pads, double value) {
  return PadSpatialFunction::apply(x, pads.top, pads.bottom, pads.left, pads.right, value);
}

}  // namespace edgeforge::train::internal
