#include "quant/activation_params.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "core/affine_quantization.h"
#include "quant/graph_surgery.h"
#include "quant/int8_op_rules.h"

namespace edgeforge::quant {

namespace {

// Union-find over tensors; each root holds the group's fixed parameters (if any) and the union
// of its members' ranges.
class ParamGroups {
 public:
  explicit ParamGroups(size_t n) : parent_(n), fixed_(n), range_(n) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }

  size_t Find(size_t t) {
    while (parent_[t] != t) t = parent_[t] = parent_[parent_[t]];
    return t;
  }

  void SetFixed(size_t t, const QuantParams& q) { fixed_[Find(t)] = q; }
  const std::optional<QuantParams>& fixed(size_t t) { return fixed_[Find(t)]; }

  void AddRange(size_t t, ValueRange r) {
    auto& mine = range_[Find(t)];
    mine = mine ? ValueRange{std::min(mine->min, r.min), std::max(mine->max, r.max)} : r;
  }
  const std::optional<ValueRange>& range(size_t t) { return range_[Find(t)]; }

  // Joins the groups of a and b; false (and nothing changes) when both have different fixed
  // parameters.
  bool Join(size_t a, size_t b) {
    a = Find(a), b = Find(b);
    if (a == b) return true;
    if (fixed_[a] && fixed_[b] && !(*fixed_[a] == *fixed_[b])) return false;
    parent_[b] = a;
    if (!fixed_[a]) fixed_[a] = fixed_[b];
    if (range_[b]) AddRange(a, *range_[b]);
    return true;
  }

 private:
  std::vector<size_t> parent_;
  std::vector<std::optional<QuantParams>> fixed_;
  std::vector<std::optional<ValueRange>> range_;
};

QuantParams PerTensor(float scale, int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

}  // namespace

ValueRange NarrowByActivation(ValueRange r, ir::Activation activation) {
  auto clamp_to = [&r](float lo, float hi) {
    r.min = std::clamp(r.min, lo, hi);
    r.max = std::clamp(r.max, lo, hi);
  };
  switch (activation) {
    case ir::Activation::kRelu: clamp_to(0.0f, std::max(r.max, 0.0f)); break;
    case ir::Activation::kRelu6: clamp_to(0.0f, 6.0f); break;
    case ir::Activation::kReluN1To1: clamp_to(-1.0f, 1.0f); break;
    default: break;
  }
  return r;
}

StatusOr<ActivationPlan> PlanActivationParams(const ir::Graph& g, const TensorRanges& ranges,
                                              const std::string& source) {
  const size_t n = g.tensors.size();
  ParamGroups groups(n);
  std::vector<bool> quantized(n, false);  // float activations that become int8
  for (int t : ActivationTensors(g)) {
    quantized[static_cast<size_t>(t)] = g.tensor(t).dtype == DType::kFloat32;
  }
  std::vector<Int8OpRule> rules;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    auto rule = Int8RuleFor(g.ops[i]);
    if (!rule) {
      return Unimplemented(source + ": op " + std::to_string(i) + " is " + ir::OpName(g.ops[i]) +
                           ", which int8 quantization does not support");
    }
    rules.push_back(*rule);
  }

  // Ranges and fixed pairs first, so that joining groups sees them.
  for (int t : g.inputs) {
    if (quantized[static_cast<size_t>(t)] && ranges[static_cast<size_t>(t)]) {
      groups.AddRange(static_cast<size_t>(t), *ranges[static_cast<size_t>(t)]);
    }
  }
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const ir::Op& op = g.ops[i];
    for (int t : op.outputs) {
      const size_t ti = static_cast<size_t>(t);
      if (!quantized[ti]) continue;
      if (rules[i].output == OutputParams::kFixed) {
        groups.SetFixed(ti, PerTensor(rules[i].fixed_scale, rules[i].fixed_zero_point));
      } else if (ranges[ti]) {
        ValueRange r = *ranges[ti];
        if (rules[i].output == OutputParams::kCalibrated) r = NarrowByActivation(r, FusedActivation(op));
        groups.AddRange(ti, r);
      }
    }
  }

  ActivationPlan plan;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    if (rules[i].output != OutputParams::kSameAsInput) continue;
    const ir::Op& op = g.ops[i];
    const int out = op.outputs[0];
    for (int o : op.outputs) groups.Join(static_cast<size_t>(out), static_cast<size_t>(o));
    const bool all_inputs = op.type == ir::OpType::kConcatenation;
    for (size_t slot = 0; slot < op.inputs.size(); ++slot) {
      if (!all_inputs && slot != DataInputSlot(op)) continue;
      const int in = op.inputs[slot];
      if (in < 0 || !quantized[static_cast<size_t>(in)]) continue;
      if (!groups.Join(static_cast<size_t>(out), static_cast<size_t>(in))) {
        plan.requantized_inputs.push_back({static_cast<int>(i), slot});
      }
    }
  }

  plan.params.resize(n);
  for (size_t t = 0; t < n; ++t) {
    if (!quantized[t]) continue;
    if (const auto& fixed = groups.fixed(t)) {
      plan.params[t] = *fixed;
    } else if (const auto& r = groups.range(t)) {
      plan.params[t] = core::ChooseAsymmetric(r->min, r->max, DType::kInt8);
    } else {
      return FailedPrecondition(source + ": calibration gave no range for tensor " + std::to_string(t) +
                                " '" + g.tensors[t].name + "' (it held no finite value)");
    }
  }
  return plan;
}

}  // namespace edgeforge::quant
