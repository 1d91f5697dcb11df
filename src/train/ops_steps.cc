#include "train/ops_steps.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "ir/verifier.h"
#include "train/ops_layout.h"
#include "train/ops_pad.h"

namespace edgeforge::train::internal {
namespace {

using ir::Activation;
using ir::Op;
using ir::OpType;

// An op's options, or the defaults when a hand-built graph left them unset.
template <typename T>
T OptionsOf(const Op& op) {
  if (const T* options = std::get_if<T>(&op.options)) return *options;
  return T{};
}

size_t RankOf(const ir::Graph& g, int tensor) { return g.tensor(tensor).shape.size(); }

Status CheckFusedActivation(Activation a) {
  if (a == Activation::kSignBit) {
    return Unimplemented("fused activation " + std::string(ir::ActivationName(a)) +
                         " is not supported in training");
  }
  return Status::Ok();
}

// In-place clamp to [lo, hi] whose backward reads the clamped output, not the input. ATen's
// autograd for hardtanh_ / clamp_ derives from the input, so it clones the whole activation
// before clamping it: profiled on MobileNetV2 (1 thread, batch 128) those 35 clones cost
// ~20 ms per step, more than PyTorch's out-of-place ReLU6 (~17 ms), against ~3 ms for the
// clamp itself. The output carries the same information: lo < y < hi exactly when lo < x < hi.
class ClampInPlaceFunction : public torch::autograd::Function<ClampInPlaceFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               double lo, double hi) {
    x.clamp_(lo, hi);  // below autograd here: no clone
    ctx->mark_dirty({x});
    ctx->save_for_backward({x});
    ctx->saved_data["lo"] = lo;
    ctx->saved_data["hi"] = hi;
    return x;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const torch::Tensor y = ctx->get_saved_variables()[0];
    return {torch::hardtanh_backward(grad[0], y, ctx->saved_data["lo"].toDouble(),
                                     ctx->saved_data["hi"].toDouble()),
            torch::Tensor(), torch::Tensor()};
  }
};

// Overwrites `x`: only for an activation that is the sole reader of a value whose producer's
// backward does not need it.
torch::Tensor ClampInPlace(const torch::Tensor& x, double lo, double hi) {
  return ClampInPlaceFunction::apply(x, lo, hi);
}

// In place: every caller passes a freshly computed output whose producer's backward does not
// need it (convolution, linear, add, pooling, ...), as PyTorch's inplace=True activations do.
void ApplyFusedActivation(torch::Tensor& y, Activation a) {
  switch (a) {
    case Activation::kNone: break;
    case Activation::kRelu: y.relu_(); break;  // relu_'s autograd already uses the output
    case Activation::kRelu6: y = ClampInPlace(y, 0, 6); break;
    case Activation::kReluN1To1: y = ClampInPlace(y, -1, 1); break;
    case Activation::kTanh: y.tanh_(); break;
    case Activation::kSignBit: break;  // refused by CheckFusedActivation
  }
}

// TF's SAME/VALID split for one spatial dimension of the runtime input (the batch may have
// another image size than the graph declares).
struct Pads {
  ir::PaddingResult h, w;
  bool symmetric() const { return h.before == h.after && w.before == w.after; }
  SpatialPads spatial() const { return {h.before, h.after, w.before, w.after}; }
};
Pads ComputePads(ir::Padding padding, const torch::Tensor& x, int kh, int kw, int sh, int sw,
                 int dh, int dw) {
  return {ir::ComputePadding(padding, static_cast<int32_t>(x.size(2)), kh, sh, dh),
          ir::ComputePadding(padding, static_cast<int32_t>(x.size(3)), kw, sw, dw)};
}

// ATen sends a convolution down oneDNN's channels_last path when the input or the weight is
// channels_last. A 1x1 image [N, C, 1, 1] is ambiguous and ATen calls it contiguous, and a
// depthwise weight [C, 1, H, W] is held contiguous (graph_module.cc), so at 1x1 (the last stage
// of MobileNetV2 / MnasNet at 32x32) oneDNN fell back to its NCHW gemm for the weight gradient:
// ~35 ms per layer per step, a third of a training step. Since dimension 1 has size 1, the same
// bytes are also a channels_last weight; this view says so (squeeze/unsqueeze/permute: views
// with trivial backwards) and the layer takes the same jit kernels as PyTorch's channels_last
// model, whose depthwise weights are channels_last.
torch::Tensor DepthwiseWeightFor(const torch::Tensor& x, const torch::Tensor& w, bool depthwise) {
  if (!depthwise || w.dim() != 4 || w.size(1) != 1 ||
      x.suggest_memory_format() == torch::MemoryFormat::ChannelsLast ||
      w.suggest_memory_format() == torch::MemoryFormat::ChannelsLast || !w.is_contiguous()) {
    return w;
  }
  return w.squeeze(1).unsqueeze(3).permute({0, 3, 1, 2});
}

struct ConvParams {
  ir::Padding padding;
  int sh, sw, dh, dw;
  Activation activation;
  bool depthwise;
};

StatusOr<Step> BuildConv(const ir::Graph& g, const Op& op, const ConvParams& p) {
  EF_RETURN_IF_ERROR(CheckFusedActivation(p.activation));
  if (op.inputs.size() < 2 || RankOf(g, op.inputs[0]) != 4 || RankOf(g, op.inputs[1]) != 4) {
    return InvalidArgument("expected a rank-4 input and rank-4 weights");
  }
  const Shape& w = g.tensor(op.inputs[1]).shape;  // OHWI or 1HWC
  const int kh = w[1], kw = w[2];
  const int x_i = op.inputs[0], w_i = op.inputs[1];
  const int b_i = op.inputs.size() > 2 ? op.inputs[2] : ir::kNoTensor;
  const int y_i = op.outputs[0];
  Step step;
  step.run = [=](Values& v, bool) {
    torch::Tensor x = v[x_i];
    const Pads pads = ComputePads(p.padding, x, kh, kw, p.sh, p.sw, p.dh, p.dw);
    const int64_t groups = p.depthwise ? x.size(1) : 1;
    std::vector<int64_t> padding = {pads.h.before, pads.w.before};
    if (!pads.symmetric()) {
      x = PadSpatial(x, pads.spatial(), 0);
      padding = {0, 0};
    }
    torch::Tensor y = torch::conv2d(x, DepthwiseWeightFor(x, v[w_i], p.depthwise),
                                    b_i >= 0 ? v[b_i] : torch::Tensor(), {p.sh, p.sw}, padding,
                                    {p.dh, p.dw}, groups);
    ApplyFusedActivation(y, p.activation);
    v[y_i] = std::move(y);
  };
  return step;
}

StatusOr<Step> BuildFullyConnected(const ir::Graph& g, const Op& op) {
  const auto& o = OptionsOf<ir::FullyConnectedOptions>(op);
  EF_RETURN_IF_ERROR(CheckFusedActivation(o.activation));
  if (op.inputs.size() < 2 || RankOf(g, op.inputs[1]) != 2) {
    return InvalidArgument("expected weights [units, depth]");
  }
  const int64_t depth = g.tensor(op.inputs[1]).shape[1];
  const int x_i = op.inputs[0], w_i = op.inputs[1];
  const int b_i = op.inputs.size() > 2 ? op.inputs[2] : ir::kNoTensor;
  const int y_i = op.outputs[0];
  const Shape out_shape = g.tensor(y_i).shape;
  const bool keep_dims = o.keep_num_dims && out_shape.size() != 2;
  const Activation act = o.activation;
  Step step;
  step.run = [=](Values& v, bool) {
    // TFLite flattens the input in NHWC order; channels_last makes this permute free.
    torch::Tensor x = ToIrOrder(v[x_i]);
    const int64_t batch = x.size(0);
    torch::Tensor y = torch::linear(x.reshape({-1, depth}), v[w_i],
                                    b_i >= 0 ? v[b_i] : torch::Tensor());
    if (keep_dims) {
      std::vector<int64_t> sizes = ToSizes(out_shape);
      sizes[0] = batch;
      y = FromIrOrder(y.reshape(sizes));
    }
    ApplyFusedActivation(y, act);
    v[y_i] = std::move(y);
  };
  return step;
}

// A constant operand of an elementwise op or concatenation, converted once: a scalar, or a
// tensor in GraphModule's layout that broadcasts against an output of rank `out_rank`.
struct ConstantOperand {
  bool present = false;
  bool scalar = false;
  double scalar_value = 0;
  torch::Tensor tensor;
};

// An operand of IR rank `rank` as ATen broadcasts it against an output of rank `out_rank`:
// TFLite aligns shapes on the right in NHWC; a lower-rank operand of a rank-4 output is
// padded to rank 4 in NHWC and then permuted like the output.
torch::Tensor AsBroadcastOperand(const torch::Tensor& t, size_t rank, size_t out_rank) {
  if (!IsImageRank(out_rank) || IsImageRank(rank)) return t;
  std::vector<int64_t> sizes(4 - rank, 1);
  for (int64_t s : t.sizes()) sizes.push_back(s);
  return t.reshape(sizes).permute({0, 3, 1, 2});
}

ConstantOperand MakeConstantOperand(const ir::Tensor& t, size_t out_rank, const StepOptions& o,
                                    bool allow_scalar) {
  ConstantOperand c;
  c.present = true;
  torch::Tensor value = ConstantToTorch(t);
  if (allow_scalar && value.numel() == 1) {
    c.scalar = true;
    c.scalar_value = value.item<float>();
    return c;
  }
  value = FromIrOrder(value.to(o.dtype));
  c.tensor = AsBroadcastOperand(value, t.shape.size(), out_rank).to(o.device);
  return c;
}

StatusOr<Step> BuildElementwise(const ir::Graph& g, const Op& op, const StepOptions& o) {
  const auto& opts = OptionsOf<ir::ElementwiseOptions>(op);
  EF_RETURN_IF_ERROR(CheckFusedActivation(opts.activation));
  if (op.inputs.size() != 2) return InvalidArgument("expected 2 inputs");
  const int y_i = op.outputs[0];
  const size_t out_rank = RankOf(g, y_i);
  ConstantOperand constants[2];
  for (int j = 0; j < 2; ++j) {
    const ir::Tensor& t = g.tensor(op.inputs[j]);
    if (t.is_constant()) constants[j] = MakeConstantOperand(t, out_rank, o, /*allow_scalar=*/true);
  }
  if (constants[0].present && constants[1].present) {
    return Unimplemented("both inputs are constants (fold them before training)");
  }
  const int a_i = op.inputs[0], b_i = op.inputs[1];
  const size_t a_rank = RankOf(g, a_i), b_rank = RankOf(g, b_i);
  const OpType type = op.type;
  const Activation act = opts.activation;
  Step step;
  step.run = [=](Values& v, bool) {
    torch::Tensor y;
    if (constants[1].scalar) {
      const torch::Tensor a = AsBroadcastOperand(v[a_i], a_rank, out_rank);
      const double s = constants[1].scalar_value;
      y = type == OpType::kAdd ? a.add(s) : type == OpType::kSub ? a.sub(s) : a.mul(s);
    } else if (constants[0].scalar) {
      const torch::Tensor b = AsBroadcastOperand(v[b_i], b_rank, out_rank);
      const double s = constants[0].scalar_value;
      y = type == OpType::kAdd ? b.add(s) : type == OpType::kSub ? torch::rsub(b, s) : b.mul(s);
    } else {
      const torch::Tensor a =
          constants[0].present ? constants[0].tensor : AsBroadcastOperand(v[a_i], a_rank, out_rank);
      const torch::Tensor b =
          constants[1].present ? constants[1].tensor : AsBroadcastOperand(v[b_i], b_rank, out_rank);
      y = type == OpType::kAdd ? torch::add(a, b)
          : type == OpType::kSub ? torch::sub(a, b)
                                 : torch::mul(a, b);
    }
    ApplyFusedActivation(y, act);
    v[y_i] = std::move(y);
  };
  return step;
}

// TF's AVERAGE_POOL_2D divides by the number of taps inside the image. With an uneven split the
// input is padded explicitly, so ATen would count the padded taps: its averages are rescaled by
// k*k / valid_taps, a map that depends only on the image size (cached).
struct AverageScaleCache {
  int64_t h = -1, w = -1;
  torch::Tensor scale;
};

StatusOr<Step> BuildPool(const ir::Graph& g, const Op& op, const StepOptions& o) {
  const auto& p = OptionsOf<ir::Pool2DOptions>(op);
  EF_RETURN_IF_ERROR(CheckFusedActivation(p.activation));
  if (RankOf(g, op.inputs[0]) != 4) return InvalidArgument("expected a rank-4 input");
  const int x_i = op.inputs[0], y_i = op.outputs[0];
  const bool average = op.type == OpType::kAveragePool2D;
  auto cache = std::make_shared<AverageScaleCache>();
  const StepOptions so = o;
  Step step;
  step.run = [=](Values& v, bool) {
    torch::Tensor x = v[x_i];
    const Pads pads = ComputePads(p.padding, x, p.filter_h, p.filter_w, p.stride_h, p.stride_w, 1, 1);
    const std::vector<int64_t> kernel = {p.filter_h, p.filter_w}, stride = {p.stride_h, p.stride_w};
    torch::Tensor y;
    if (pads.symmetric()) {
      const std::vector<int64_t> padding = {pads.h.before, pads.w.before};
      y = average ? torch::avg_pool2d(x, kernel, stride, padding, /*ceil_mode=*/false,
                                      /*count_include_pad=*/false)
                  : torch::max_pool2d(x, kernel, stride, padding);
    } else if (!average) {
      y = torch::max_pool2d(
          PadSpatial(x, pads.spatial(), -std::numeric_limits<double>::infinity()), kernel,
          stride);
    } else {
      if (cache->h != x.size(2) || cache->w != x.size(3)) {
        torch::Tensor ones = torch::ones({1, 1, x.size(2), x.size(3)},
                                         torch::TensorOptions().dtype(so.dtype).device(x.device()));
        torch::Tensor fraction = torch::avg_pool2d(PadSpatial(ones, pads.spatial(), 0),
                                                   kernel, stride);
        cache->scale = fraction.reciprocal();
        cache->h = x.size(2);
        cache->w = x.size(3);
      }
      y = torch::avg_pool2d(PadSpatial(x, pads.spatial(), 0), kernel, stride) *
          cache->scale;
    }
    ApplyFusedActivation(y, p.activation);
    v[y_i] = std::move(y);
  };
  return step;
}

StatusOr<Step> BuildMean(const ir::Graph& g, const Op& op) {
  if (op.inputs.size() != 2 || !g.tensor(op.inputs[1]).is_constant()) {
    return Unimplemented("MEAN needs constant axes (input 1)");
  }
  const size_t rank = RankOf(g, op.inputs[0]);
  std::vector<int64_t> dims;
  for (int64_t axis : ConstantInts(g.tensor(op.inputs[1]))) {
    if (axis < -static_cast<int64_t>(rank) || axis >= static_cast<int64_t>(rank)) {
      return InvalidArgument("MEAN axis " + std::to_string(axis) + " out of range for rank " +
                             std::to_string(rank));
    }
    const int64_t d = IrAxisToTorch(axis, rank);
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) dims.push_back(d);
  }
  const bool keep_dims = OptionsOf<ir::ReducerOptions>(op).keep_dims;
  // Without keep_dims a reduced image is no longer rank 4, so its remaining dimensions must
  // come out in NHWC order (e.g. [N,C] from MEAN over H,W needs nothing; over H alone, a permute).
  std::vector<int64_t> permutation;
  if (IsImageRank(rank) && !keep_dims) {
    std::vector<int64_t> remaining_nhwc;  // NHWC axis of each remaining ATen dim, in ATen order
    for (int64_t d = 0; d < 4; ++d) {
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) remaining_nhwc.push_back(TorchDimToNhwc(d));
    }
    std::vector<int64_t> order(remaining_nhwc.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](int64_t a, int64_t b) { return remaining_nhwc[a] < remaining_nhwc[b]; });
    if (!std::is_sorted(remaining_nhwc.begin(), remaining_nhwc.end())) permutation = order;
  }
  const int x_i = op.inputs[0], y_i = op.outputs[0];
  Step step;
  step.run = [=](Values& v, bool) {
    torch::Tensor y = v[x_i].mean(dims, keep_dims);
    if (!permutation.empty()) y = y.permute(permutation);
    v[y_i] = std::move(y);
  };
  return step;
}

// RESHAPE and SQUEEZE are defined on NHWC order: go to IR order, reshape to the declared output
// shape (its batch dimension follows the runtime batch when it is the input's), come back.
StatusOr<Step> BuildReshape(const ir::Graph& g, const Op& op) {
  const int x_i = op.inputs[0], y_i = op.outputs[0];
  const Shape& in = g.tensor(x_i).shape;
  const std::vector<int64_t> out = ToSizes(g.tensor(y_i).shape);
  const bool batch_follows = !in.empty() && !out.empty() && in[0] == out[0];
  Step step;
  step.run = [=](Values& v, bool) {
    torch::Tensor x = ToIrOrder(v[x_i]);
    std::vector<int64_t> sizes = out;
    if (batch_follows) sizes[0] = x.size(0);
    v[y_i] = FromIrOrder(x.reshape(sizes));
  };
  return step;
}

StatusOr<Step> BuildPad(const ir::Graph& g, const Op& op) {
  if (op.inputs.size() < 2 || !g.tensor(op.inputs[1]).is_constant()) {
    return Unimplemented("PAD needs constant paddings (input 1)");
  }
  if (op.inputs.size() > 2) return Unimplemented("PAD with a constant value (PADV2)");
  const size_t rank = RankOf(g, op.inputs[0]);
  const std::vector<int64_t> paddings = ConstantInts(g.tensor(op.inputs[1]));
  if (paddings.size() != 2 * rank) {
    return InvalidArgument("paddings must be [" + std::to_string(rank) + ", 2]");
  }
  std::vector<int64_t> pad_list;  // constant_pad_nd: last ATen dimension first
  for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
    const int64_t axis = IsImageRank(rank) ? TorchDimToNhwc(d) : d;
    pad_list.push_back(paddings[2 * axis]);
    pad_list.push_back(paddings[2 * axis + 1]);
  }
  const int x_i = op.inputs[0], y_i = op.outputs[0];
  Step step;
  step.run = [=](Values& v, bool) { v[y_i] = torch::constant_pad_nd(v[x_i], pad_list, 0); };
  return step;
}

StatusOr<Step> BuildConcatenation(const ir::Graph& g, const Op& op, const StepOptions& o) {
  const auto& opts = OptionsOf<ir::ConcatenationOptions>(op);
  EF_RETURN_IF_ERROR(CheckFusedActivation(opts.activation));
  const size_t rank = RankOf(g, op.outputs[0]);
  if (opts.axis < -static_cast<int64_t>(rank) || opts.axis >= static_cast<int64_t>(rank)) {
    return InvalidArgument("axis " + std::to_string(opts.axis) + " out of range");
  }
  const int64_t dim = IrAxisToTorch(opts.axis, rank);
  std::vector<ConstantOperand> constants(op.inputs.size());
  for (size_t j = 0; j < op.inputs.size(); ++j) {
    const ir::Tensor& t = g.tensor(op.inputs[j]);
    if (t.is_constant()) constants[j] = MakeConstantOperand(t, rank, o, /*allow_scalar=*/false);
  }
  const std::vector<int> inputs = op.inputs;
  const int y_i = op.outputs[0];
  const Activation act = opts.activation;
  Step step;
  step.run = [=](Values& v, bool) {
    std::vector<torch::Tensor> parts;
    parts.reserve(inputs.size());
    int64_t batch = 1;
    for (size_t j = 0; j < inputs.size(); ++j) {
      if (!constants[j].present) batch = v[inputs[j]].size(0);
    }
    for (size_t j = 0; j < inputs.size(); ++j) {
      if (!constants[j].present) {
        parts.push_back(v[inputs[j]]);
        continue;
      }
      // The IR's batch is 1; a constant part follows the runtime batch (a view, no copy).
      torch::Tensor c = constants[j].tensor;
      if (dim != 0 && c.dim() > 0 && c.size(0) != batch) {
        std::vector<int64_t> sizes = c.sizes().vec();
        sizes[0] = batch;
        c = c.expand(sizes);
      }
      parts.push_back(c);
    }
    torch::Tensor y = torch::cat(parts, dim);
    ApplyFusedActivation(y, act);
    v[y_i] = std::move(y);
  };
  return step;
}

StatusOr<Step> BuildBatchNorm(const Op& op) {
  if (op.inputs.size() != 5) return InvalidArgument("expected [x, gamma, beta, mean, variance]");
  const auto& o = OptionsOf<ir::BatchNormOptions>(op);
  const int x_i = op.inputs[0], gamma_i = op.inputs[1], beta_i = op.inputs[2];
  const int mean_i = op.inputs[3], var_i = op.inputs[4], y_i = op.outputs[0];
  // ATen's momentum weighs the new batch statistic: TF's 0.99 is ATen's 0.01. ATen updates the
  // moving variance with the unbiased (Bessel-corrected) batch variance and normalises with the
  // biased one, which is what TF's fused batch norm (Keras BatchNormalization, fused=True, as the
  // MnasNet reference trains) does too.
  const double momentum = 1.0 - static_cast<double>(o.momentum);
  const double epsilon = o.epsilon;
  Step step;
  step.run = [=](Values& v, bool training) {
    v[y_i] = torch::batch_norm(v[x_i], v[gamma_i], v[beta_i], v[mean_i], v[var_i], training,
                               momentum, epsilon, /*cudnn_enabled=*/true);
  };
  return step;
}

// Unary ops on the channel axis (last in NHWC, dimension 1 of an image in ATen).
int64_t ChannelDim(const ir::Graph& g, int tensor) { return IsImageRank(RankOf(g, tensor)) ? 1 : -1; }

StatusOr<Step> BuildUnary(const ir::Graph& g, const Op& op, const StepOptions& o) {
  const int x_i = op.inputs[0], y_i = op.outputs[0];
  const bool in_place = o.in_place;
  Step step;
  switch (op.type) {
    case OpType::kRelu:
      step.run = [=](Values& v, bool) { v[y_i] = in_place ? v[x_i].relu_() : v[x_i].relu(); };
      break;
    case OpType::kRelu6:
      step.run = [=](Values& v, bool) {
        v[y_i] = in_place ? ClampInPlace(v[x_i], 0, 6) : torch::hardtanh(v[x_i], 0, 6);
      };
      break;
    case OpType::kHardSwish:
      step.run = [=](Values& v, bool) { v[y_i] = torch::hardswish(v[x_i]); };
      break;
    case OpType::kLogistic:
      step.run = [=](Values& v, bool) { v[y_i] = torch::sigmoid(v[x_i]); };
      break;
    case OpType::kTanh:
      step.run = [=](Values& v, bool) { v[y_i] = torch::tanh(v[x_i]); };
      break;
    case OpType::kQuantize:
    case OpType::kDequantize:  // float in, float out (checked by GraphModule): identity
      step.run = [=](Values& v, bool) { v[y_i] = v[x_i]; };
      break;
    case OpType::kSoftmax: {
      const double beta = OptionsOf<ir::SoftmaxOptions>(op).beta;
      const int64_t dim = ChannelDim(g, x_i);
      step.run = [=](Values& v, bool) {
        v[y_i] = torch::softmax(beta == 1.0 ? v[x_i] : v[x_i] * beta, dim);
      };
      break;
    }
    case OpType::kL2Normalization: {
      const Activation act = OptionsOf<ir::L2NormOptions>(op).activation;
      EF_RETURN_IF_ERROR(CheckFusedActivation(act));
      const int64_t dim = ChannelDim(g, x_i);
      step.run = [=](Values& v, bool) {
        const torch::Tensor& x = v[x_i];
        // TFLite: x / max(||x||, 1e-6), the epsilon on the norm (kernels/reference).
        torch::Tensor y = x / x.norm(2, {dim}, /*keepdim=*/true).clamp_min(1e-6);
        ApplyFusedActivation(y, act);
        v[y_i] = std::move(y);
      };
      break;
    }
    case OpType::kDropout: {
      const double rate = OptionsOf<ir::DropoutOptions>(op).rate;
      step.run = [=](Values& v, bool training) { v[y_i] = torch::dropout(v[x_i], rate, training); };
      break;
    }
    default:
      return Unimplemented("not executable in training");
  }
  return step;
}

}  // namespace

bool IsExecutableOpType(OpType type) {
  switch (type) {
    case OpType::kConv2D: case OpType::kDepthwiseConv2D: case OpType::kFullyConnected:
    case OpType::kAdd: case OpType::kSub: case OpType::kMul:
    case OpType::kAveragePool2D: case OpType::kMaxPool2D: case OpType::kMean:
    case OpType::kReshape: case OpType::kSqueeze: case OpType::kSoftmax:
    case OpType::kLogistic: case OpType::kTanh: case OpType::kRelu: case OpType::kRelu6:
    case OpType::kHardSwish: case OpType::kPad: case OpType::kConcatenation:
    case OpType::kQuantize: case OpType::kDequantize: case OpType::kL2Normalization:
    case OpType::kBatchNorm: case OpType::kDropout:
      return true;
    default:
      return false;
  }
}

StatusOr<Step> BuildStep(const ir::Graph& graph, int op_index, const StepOptions& options) {
  const Op& op = graph.ops.at(static_cast<size_t>(op_index));
  if (!IsExecutableOpType(op.type) || op.inputs.empty() || op.outputs.size() != 1 ||
      op.inputs[0] < 0) {
    return Unimplemented("not executable in training");
  }
  StatusOr<Step> step = Unimplemented("not executable in training");
  switch (op.type) {
    case OpType::kConv2D: {
      const auto& o = OptionsOf<ir::Conv2DOptions>(op);
      step = BuildConv(graph, op, {o.padding, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w,
                                   o.activation, /*depthwise=*/false});
      break;
    }
    case OpType::kDepthwiseConv2D: {
      const auto& o = OptionsOf<ir::DepthwiseConv2DOptions>(op);
      step = BuildConv(graph, op, {o.padding, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w,
                                   o.activation, /*depthwise=*/true});
      break;
    }
    case OpType::kFullyConnected: step = BuildFullyConnected(graph, op); break;
    case OpType::kAdd: case OpType::kSub: case OpType::kMul:
      step = BuildElementwise(graph, op, options);
      break;
    case OpType::kAveragePool2D: case OpType::kMaxPool2D: step = BuildPool(graph, op, options); break;
    case OpType::kMean: step = BuildMean(graph, op); break;
    case OpType::kReshape: case OpType::kSqueeze: step = BuildReshape(graph, op); break;
    case OpType::kPad: step = BuildPad(graph, op); break;
    case OpType::kConcatenation: step = BuildConcatenation(graph, op, options); break;
    case OpType::kBatchNorm: step = BuildBatchNorm(op); break;
    default: step = BuildUnary(graph, op, options); break;
  }
  if (step.ok()) step->op_index = op_index;
  return step;
}

}  // namespace edgeforge::train::internal
