#include "train/ema.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <map>

namespace edgeforge::train {
namespace {

// The module's averaged tensors in the shadow's order: parameters, then buffers.
std::vector<std::pair<std::string, torch::Tensor>> Averaged(GraphModule* module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const Parameter& p : module->parameters()) out.emplace_back(p.name, p.value);
  for (auto& b : module->buffers()) out.push_back(std::move(b));
  return out;
}

// shadow += (1 - decay) * (value - shadow) in one pass when both are dense CPU tensors of the
// same layout (ATen's lerp_ otherwise, which measured about half as fast on CPU here).
void MoveTowards(torch::Tensor& shadow, const torch::Tensor& value, double weight) {
  if (shadow.device().is_cpu() && value.device().is_cpu() &&
      shadow.scalar_type() == value.scalar_type() && shadow.is_non_overlapping_and_dense() &&
      shadow.strides().equals(value.strides()) && shadow.sizes().equals(value.sizes()) &&
      (value.scalar_type() == torch::kFloat32 || value.scalar_type() == torch::kFloat64)) {
    AT_DISPATCH_FLOATING_TYPES(value.scalar_type(), "MoveTowards", [&] {
      scalar_t* s = shadow.data_ptr<scalar_t>();
      const scalar_t* v = value.data_ptr<scalar_t>();
      const scalar_t w = static_cast<scalar_t>(weight);
      at::parallel_for(0, value.numel(), 32768, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) s[i] += w * (v[i] - s[i]);
      });
    });
    return;
  }
  shadow.lerp_(value, weight);
}

}  // namespace

// The shadow starts at the current values, as tf.train.ExponentialMovingAverage initialises its
// shadow variables from the variables' initial values.
WeightAverage::WeightAverage(GraphModule* module, double decay) : module_(module), decay_(decay) {
  torch::NoGradGuard no_grad;
  for (const auto& [name, value] : Averaged(module_)) {
    shadow_.push_back(value.detach().clone(torch::MemoryFormat::Preserve));
  }
}

// TF with num_updates: decay_t = min(decay, (1 + t) / (10 + t));
// shadow -= (1 - decay_t) * (shadow - value). `step` is the number of optimizer steps done
// (the trainer's global step after the increment, as TF's global_step at ema.apply).
void WeightAverage::Update(int64_t step) {
  // While swapped in, the module holds the averages and the shadow the live values.
  if (swapped_) return;
  torch::NoGradGuard no_grad;
  const double t = static_cast<double>(step);
  const double decay = std::min(decay_, (1 + t) / (10 + t));
  const auto values = Averaged(module_);
  for (size_t i = 0; i < shadow_.size(); ++i) MoveTowards(shadow_[i], values[i].second, 1 - decay);
}

void WeightAverage::SwapIn() {
  if (swapped_) return;
  torch::NoGradGuard no_grad;
  const auto values = Averaged(module_);
  for (size_t i = 0; i < shadow_.size(); ++i) {
    torch::Tensor live = values[i].second.detach().clone(torch::MemoryFormat::Preserve);
    torch::Tensor target = values[i].second;
    target.copy_(shadow_[i]);
    shadow_[i] = live;
  }
  swapped_ = true;
}

void WeightAverage::SwapOut() {
  if (!swapped_) return;
  swapped_ = false;
  torch::NoGradGuard no_grad;
  const auto values = Averaged(module_);
  for (size_t i = 0; i < shadow_.size(); ++i) {
    torch::Tensor averaged = values[i].second.detach().clone(torch::MemoryFormat::Preserve);
    torch::Tensor target = values[i].second;
    target.copy_(shadow_[i]);
    shadow_[i] = averaged;
  }
}

std::vector<std::pair<std::string, torch::Tensor>> WeightAverage::State() const {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  const auto values = Averaged(module_);
  for (size_t i = 0; i < shadow_.size(); ++i) {
    // The averages, wherever they are right now.
    state.emplace_back(values[i].first + "/ema", swapped_ ? values[i].second.detach() : shadow_[i]);
  }
  return state;
}

Status WeightAverage::LoadState(const std::vector<std::pair<std::string, torch::Tensor>>& state) {
  if (swapped_) return FailedPrecondition("WeightAverage::LoadState while the averages are swapped in");
  std::map<std::string, const torch::Tensor*> by_name;
  for (const auto& [name, t] : state) by_name[name] = &t;
  const auto values = Averaged(module_);
  for (size_t i = 0; i < shadow_.size(); ++i) {
    auto it = by_name.find(values[i].first + "/ema");
    if (it == by_name.end()) return InvalidArgument("EMA state has no '" + values[i].first + "/ema'");
    if (!it->second->sizes().equals(shadow_[i].sizes())) {
      return InvalidArgument("EMA state '" + values[i].first + "/ema' has another shape");
    }
  }
  try {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < shadow_.size(); ++i) shadow_[i].copy_(*by_name[values[i].first + "/ema"]);
  } catch (const c10::Error& e) {
    return InvalidArgument(std::string("EMA state: ") + e.what_without_backtrace());
  }
  return Status::Ok();
}

}  // namespace edgeforge::train
