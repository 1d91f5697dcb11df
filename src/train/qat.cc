#include "train/qat.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "core/affine_quantization.h"
#include "ir/training_passes.h"
#include "quant/edgetpu_target.h"
#include "quant/int8_op_rules.h"

namespace edgeforge::train {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Round half away from zero (TFLite's converter and core::QuantizeValues use std::lround),
// exactly: t + trunc(2 * (v - t)) with t = trunc(v); every step is exact in float, unlike
// floor(|v| + 0.5), which rounds 0.49999997 up.
torch::Tensor RoundHalfAway(const torch::Tensor& v) {
  torch::Tensor t = torch::trunc(v);
  return t + torch::trunc((v - t) * 2);
}

class FakeQuantFunction : public torch::autograd::Function<FakeQuantFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& scale,
                               const torch::Tensor& zero_point, double qmin, double qmax) {
    torch::Tensor q = RoundHalfAway(x / scale) + zero_point;
    // Straight-through where the value is representable; clipped values get no gradient.
    ctx->save_for_backward({q.ge(qmin).logical_and_(q.le(qmax))});
    return (q.clamp_(qmin, qmax) - zero_point) * scale;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const torch::Tensor mask = ctx->get_saved_variables()[0];
    return {grad[0] * mask, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor FakeQuantize(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& zero_point,
                           double qmin, double qmax) {
  return FakeQuantFunction::apply(x, scale, zero_point, qmin, qmax);
}

torch::Tensor FakeQuantizeActivation(const torch::Tensor& x, float min, float max) {
  const QuantParams p = core::ChooseAsymmetric(min, max, DType::kInt8);
  // Without autograd (a frozen prefix, evaluation): one fused pass instead of a dozen tensor
  // operations, with the same float operations in the same order (std::round rounds half away
  // from zero exactly as RoundHalfAway does), so the values are bit-identical.
  if (!(torch::GradMode::is_enabled() && x.requires_grad()) && x.device().is_cpu() &&
      x.scalar_type() == torch::kFloat32 && x.is_non_overlapping_and_dense()) {
    torch::Tensor y = torch::empty_like(x);
    if (y.strides().equals(x.strides())) {
      const float scale = p.scale[0], zero_point = static_cast<float>(p.zero_point[0]);
      const float* in = x.data_ptr<float>();
      float* out = y.data_ptr<float>();
      at::parallel_for(0, x.numel(), 16384, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const float q = std::clamp(std::round(in[i] / scale) + zero_point, -128.0f, 127.0f);
          out[i] = (q - zero_point) * scale;
        }
      });
      return y;
    }
  }
  const auto options = torch::TensorOptions().dtype(x.scalar_type()).device(x.device());
  return FakeQuantize(x, torch::full({}, p.scale[0], options),
                      torch::full({}, static_cast<double>(p.zero_point[0]), options), -128, 127);
}

torch::Tensor FakeQuantizeWeights(const torch::Tensor& w) {
  torch::Tensor scale;
  {
    torch::NoGradGuard no_grad;
    // Float32 max|w| / 127 as quant::SymmetricScales computes it; an all-zero slice gets 1.
    scale = w.detach().abs().reshape({w.size(0), -1}).amax(1).div(127.0f);
    scale = torch::where(scale.gt(0), scale, torch::ones_like(scale));
    std::vector<int64_t> shape(static_cast<size_t>(w.dim()), 1);
    shape[0] = w.size(0);
    scale = scale.reshape(shape);
  }
  return FakeQuantize(w, scale, torch::zeros({}, scale.options()), -127, 127);
}

// --- QatRuntime ------------------------------------------------------------------------------

namespace {

enum class RangeKind { kNone, kTracked, kFixed, kAlias };

// A convolution (or dense op) followed by the BATCH_NORM that ToInferenceForm folds into it.
struct Fold {
  int bn_op = -1;
  int weights = -1, bias = -1;
  int gamma = -1, beta = -1, mean = -1, variance = -1;
  int bn_input = -1, bn_output = -1;
  double epsilon = 1e-3;
};

bool IsWeightedOp(ir::OpType t) {
  return t == ir::OpType::kConv2D || t == ir::OpType::kDepthwiseConv2D || t == ir::OpType::kFullyConnected;
}

}  // namespace

struct QatRuntime::Impl {
  QatOptions options;
  int input = -1;
  std::vector<std::string> names;
  std::map<std::string, int> by_name;  // computed tensors of the training graph
  std::vector<RangeKind> kind;
  std::vector<int> alias_of;
  std::vector<float> min, max;
  std::vector<bool> seen;
  std::vector<std::vector<int>> after_op;  // per training op: outputs to fake-quantize
  std::vector<int> plain_weights;          // weight tensors fake-quantized as they are
  std::vector<Fold> folds;
  std::vector<int> fold_of_bn_op;          // per op: index into folds, -1
  std::vector<torch::Tensor> fold_shift;   // b' - b per fold, set by BeforeSteps

  // The range fake quantization uses for tensor t; false when none is known yet.
  bool RangeOf(int t, float* lo, float* hi) const {
    if (kind[t] == RangeKind::kAlias) t = alias_of[t];
    if (kind[t] == RangeKind::kNone || (kind[t] == RangeKind::kTracked && !seen[t])) return false;
    *lo = min[t];
    *hi = max[t];
    return true;
  }
};

QatRuntime::QatRuntime() : impl_(std::make_unique<Impl>()) {}
QatRuntime::~QatRuntime() = default;

StatusOr<std::unique_ptr<QatRuntime>> QatRuntime::Create(const ir::Graph& g, const QatOptions& options) {
  if (g.inputs.size() != 1) return InvalidArgument("QAT: expected a graph with one input");
  EF_ASSIGN_OR_RETURN(ir::Graph inference, ir::ToInferenceForm(g));
  std::unique_ptr<QatRuntime> runtime(new QatRuntime());
  Impl& m = *runtime->impl_;
  const size_t n = g.tensors.size();
  m.options = options;
  m.input = g.inputs[0];
  m.kind.assign(n, RangeKind::kNone);
  m.alias_of.assign(n, -1);
  m.min.assign(n, 0.0f);
  m.max.assign(n, 0.0f);
  m.seen.assign(n, false);
  m.after_op.assign(g.ops.size(), {});
  m.fold_of_bn_op.assign(g.ops.size(), -1);
  std::vector<int> producer(n, -1), readers(n, 0);
  for (size_t k = 0; k < g.ops.size(); ++k) {
    for (int o : g.ops[k].outputs) if (o >= 0) producer[o] = static_cast<int>(k);
    for (int i : g.ops[k].inputs) if (i >= 0) ++readers[i];
  }
  for (int o : g.outputs) ++readers[o];
  for (size_t t = 0; t < n; ++t) {
    m.names.push_back(g.tensors[t].name);
    if (!g.tensors[t].is_constant()) m.by_name[g.tensors[t].name] = static_cast<int>(t);
  }
  m.kind[m.input] = RangeKind::kFixed;
  m.min[m.input] = std::min(options.input_range.min, 0.0f);
  m.max[m.input] = std::max(options.input_range.max, 0.0f);

  // Activations: the computed tensors of the inference form, by name.
  auto training_tensor = [&](int inference_tensor) -> StatusOr<int> {
    const std::string& name = inference.tensor(inference_tensor).name;
    auto it = m.by_name.find(name);
    if (it == m.by_name.end()) {
      return Unimplemented("QAT: the inference form's tensor '" + name +
                           "' has no counterpart in the training graph (a BATCH_NORM that does not "
                           "follow a convolution becomes MUL + ADD); fake quantization cannot be placed");
    }
    return it->second;
  };
  for (const ir::Op& op : inference.ops) {
    const std::optional<quant::Int8OpRule> rule = quant::Int8RuleFor(op);
    if (!rule) {
      return Unimplemented(std::string("QAT: op ") + ir::OpName(op) + " has no int8 kernel, so the model "
                           "cannot be exported as int8");
    }
    for (int o : op.outputs) {
      if (o < 0) continue;
      EF_ASSIGN_OR_RETURN(const int t, training_tensor(o));
      switch (rule->output) {
        case quant::OutputParams::kNotQuantized: continue;
        case quant::OutputParams::kFixed:
          m.kind[t] = RangeKind::kFixed;
          m.min[t] = (-128 - static_cast<float>(rule->fixed_zero_point)) * rule->fixed_scale;
          m.max[t] = (127 - static_cast<float>(rule->fixed_zero_point)) * rule->fixed_scale;
          break;
        case quant::OutputParams::kSameAsInput: {
          // One data input (pooling, reshape, pad): the output is on the input's grid. A
          // concatenation's group is the union of its parts, so it tracks its own range.
          const int in = op.inputs[quant::DataInputSlot(op)];
          if (op.type != ir::OpType::kConcatenation && in >= 0 && !inference.tensor(in).is_constant()) {
            EF_ASSIGN_OR_RETURN(const int src, training_tensor(in));
            m.kind[t] = RangeKind::kAlias;
            m.alias_of[t] = m.kind[src] == RangeKind::kAlias ? m.alias_of[src] : src;
          } else {
            m.kind[t] = RangeKind::kTracked;
          }
          break;
        }
        case quant::OutputParams::kCalibrated: m.kind[t] = RangeKind::kTracked; break;
      }
      if (producer[t] >= 0) m.after_op[producer[t]].push_back(t);
    }
  }

  // Weights, folded with the batch norm that follows where ToInferenceForm folds it.
  std::vector<int> weight_uses(n, 0);
  for (const ir::Op& op : g.ops) {
    if (IsWeightedOp(op.type) && op.inputs.size() >= 2 && op.inputs[1] >= 0) ++weight_uses[op.inputs[1]];
  }
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const ir::Op& op = g.ops[k];
    if (!IsWeightedOp(op.type) || op.inputs.size() < 2 || op.inputs[1] < 0) continue;
    const int w = op.inputs[1];
    const int y = op.outputs.empty() ? -1 : op.outputs[0];
    int bn = -1;
    if (y >= 0 && readers[y] == 1 && op.outputs.size() == 1 && quant::FusedActivation(op) == ir::Activation::kNone) {
      for (size_t j = k + 1; j < g.ops.size() && bn < 0; ++j) {
        if (g.ops[j].type == ir::OpType::kBatchNorm && !g.ops[j].inputs.empty() && g.ops[j].inputs[0] == y) {
          bn = static_cast<int>(j);
        }
      }
    }
    if (weight_uses[w] > 1) {
      return Unimplemented("QAT: weights '" + g.tensor(w).name + "' are shared by several ops");
    }
    if (bn < 0) {
      m.plain_weights.push_back(w);
      continue;
    }
    const ir::Op& b = g.ops[bn];
    if (b.inputs.size() != 5 || b.outputs.size() != 1) {
      return InvalidArgument("QAT: BATCH_NORM '" + g.tensor(b.outputs[0]).name +
                             "' needs inputs [x, gamma, beta, mean, variance]");
    }
    Fold f;
    f.bn_op = bn;
    f.weights = w;
    f.bias = op.inputs.size() > 2 ? op.inputs[2] : -1;
    f.gamma = b.inputs[1];
    f.beta = b.inputs[2];
    f.mean = b.inputs[3];
    f.variance = b.inputs[4];
    f.bn_input = y;
    f.bn_output = b.outputs[0];
    f.epsilon = std::holds_alternative<ir::BatchNormOptions>(b.options) ? b.opts<ir::BatchNormOptions>().epsilon
                                                                        : ir::BatchNormOptions{}.epsilon;
    m.fold_of_bn_op[bn] = static_cast<int>(m.folds.size());
    m.folds.push_back(f);
  }
  m.fold_shift.assign(m.folds.size(), torch::Tensor());
  return runtime;
}

void QatRuntime::BeforeSteps(internal::Values& v, bool /*training*/) {
  Impl& m = *impl_;
  v[m.input] = FakeQuantizeActivation(v[m.input], m.min[m.input], m.max[m.input]);
  for (int w : m.plain_weights) v[w] = FakeQuantizeWeights(v[w]);
  for (size_t i = 0; i < m.folds.size(); ++i) {
    const Fold& f = m.folds[i];
    // Gradients reach gamma through the folded weights; the frozen statistics are constants.
    const torch::Tensor scale = v[f.gamma] * torch::rsqrt(v[f.variance].detach() + f.epsilon);
    const torch::Tensor w = v[f.weights];
    std::vector<int64_t> shape(static_cast<size_t>(w.dim()), 1);
    shape[0] = w.size(0);
    v[f.weights] = FakeQuantizeWeights(w * scale.reshape(shape));
    torch::Tensor shift = v[f.beta] - v[f.mean].detach() * scale;
    // The op still adds its own bias b; the folded op adds b * scale instead.
    if (f.bias >= 0) shift = shift + v[f.bias] * scale - v[f.bias];
    m.fold_shift[i] = shift;
  }
}

bool QatRuntime::RunInstead(int op_index, internal::Values& v) const {
  const Impl& m = *impl_;
  const int i = m.fold_of_bn_op[static_cast<size_t>(op_index)];
  if (i < 0) return false;
  const Fold& f = m.folds[static_cast<size_t>(i)];
  const torch::Tensor& x = v[f.bn_input];
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[1] = x.size(1);  // ATen layout: channels on dim 1
  v[f.bn_output] = x + m.fold_shift[static_cast<size_t>(i)].reshape(shape);
  return true;
}

void QatRuntime::AfterOp(int op_index, internal::Values& v, bool training) {
  Impl& m = *impl_;
  for (int t : m.after_op[static_cast<size_t>(op_index)]) {
    if (!v[t].defined()) continue;
    if (training && m.kind[t] == RangeKind::kTracked) {
      torch::NoGradGuard no_grad;
      auto [lo_t, hi_t] = torch::aminmax(v[t].detach());
      const float lo = std::min(lo_t.item<float>(), 0.0f), hi = std::max(hi_t.item<float>(), 0.0f);
      if (!m.seen[t]) {
        m.min[t] = lo;
        m.max[t] = hi;
        m.seen[t] = true;
      } else {
        const float d = static_cast<float>(m.options.decay);
        m.min[t] = d * m.min[t] + (1 - d) * lo;
        m.max[t] = d * m.max[t] + (1 - d) * hi;
      }
    }
    float lo = 0, hi = 0;
    if (m.RangeOf(t, &lo, &hi)) v[t] = FakeQuantizeActivation(v[t], lo, hi);
  }
}

torch::Tensor QatRuntime::State() const {
  const Impl& m = *impl_;
  torch::Tensor s = torch::zeros({static_cast<int64_t>(m.kind.size()), 3}, torch::kFloat32);
  auto a = s.accessor<float, 2>();
  for (size_t t = 0; t < m.kind.size(); ++t) {
    a[t][0] = m.min[t];
    a[t][1] = m.max[t];
    a[t][2] = m.seen[t] ? 1.0f : 0.0f;
  }
  return s;
}

Status QatRuntime::LoadState(const torch::Tensor& state) {
  Impl& m = *impl_;
  if (!state.defined() || state.dim() != 2 || state.size(0) != static_cast<int64_t>(m.kind.size()) ||
      state.size(1) != 3) {
    return InvalidArgument("QAT state: expected [" + std::to_string(m.kind.size()) +
                           ", 3] ranges (min, max, seen), a checkpoint of another model?");
  }
  torch::Tensor s = state.to(torch::kCPU, torch::kFloat32).contiguous();
  auto a = s.accessor<float, 2>();
  for (size_t t = 0; t < m.kind.size(); ++t) {
    if (m.kind[t] != RangeKind::kTracked) continue;  // fixed ranges are not state
    m.min[t] = a[t][0];
    m.max[t] = a[t][1];
    m.seen[t] = a[t][2] > 0.5f;
  }
  return Status::Ok();
}

StatusOr<quant::TensorRanges> QatRuntime::RangesFor(const ir::Graph& inference) const {
  const Impl& m = *impl_;
  quant::TensorRanges ranges(inference.tensors.size());
  for (size_t i = 0; i < inference.tensors.size(); ++i) {
    const ir::Tensor& t = inference.tensors[i];
    if (t.is_constant()) continue;
    auto it = m.by_name.find(t.name);
    if (it == m.by_name.end()) {
      return NotFound("QAT export: tensor '" + t.name + "' of the inference form is not in the training graph");
    }
    float lo = 0, hi = 0;
    if (m.kind[it->second] == RangeKind::kNone) continue;
    if (!m.RangeOf(it->second, &lo, &hi)) {
      return FailedPrecondition("QAT export: no range for tensor '" + t.name +
                                "' (no QAT training step has run)");
    }
    ranges[i] = quant::ValueRange{lo, hi};
  }
  return ranges;
}

std::vector<std::string> QatRuntime::QuantizedTensorNames() const {
  const Impl& m = *impl_;
  std::vector<std::string> names;
  for (size_t t = 0; t < m.kind.size(); ++t) {
    if (m.kind[t] != RangeKind::kNone) names.push_back(m.names[t]);
  }
  return names;
}

StatusOr<ir::Graph> ExportQatInt8(const ir::Graph& inference, const QatRuntime& qat, quant::IoType io) {
  EF_ASSIGN_OR_RETURN(quant::TensorRanges ranges, qat.RangesFor(inference));
  // As every int8 model edgeforge writes: HARD_SWISH in ops the Edge TPU maps. QAT trained the
  // single op, so the two tensors the rewrite adds take ranges derived from its input's.
  ir::Graph graph = inference;
  const std::vector<quant::HardSwishRewrite> rewrites = quant::DecomposeHardSwish(graph);
  quant::DeriveHardSwishRanges(rewrites, graph.tensors.size(), ranges);
  EF_RETURN_IF_ERROR(quant::CheckInt8Support(graph, "QAT export"));
  quant::Int8Options options;
  options.io = io;
  EF_ASSIGN_OR_RETURN(quant::QuantizedGraph q, quant::QuantizeInt8(graph, ranges, options, "QAT export"));
  q.graph.metadata.input_mean = inference.metadata.input_mean;
  q.graph.metadata.input_std = inference.metadata.input_std;
  quant::MakeBatchStatic(q.graph);
  return std::move(q.graph);
}

}  // namespace edgeforge::train
