// Exponential moving average of the weights (and batch-norm moving statistics), as
// tf.train.ExponentialMovingAverage with num_updates: decay_t = min(decay, (1 + t) / (10 + t)).
// The averaged weights are what evaluation and export use.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "edgeforge/status.h"
#include "train/graph_module.h"

namespace edgeforge::train {

class WeightAverage {
 public:
  WeightAverage(GraphModule* module, double decay);
  void Update(int64_t step);  // after each optimizer step
  // Swaps the averaged values into the module (and back); evaluate/export between the two.
  void SwapIn();
  void SwapOut();
  std::vector<std::pair<std::string, torch::Tensor>> State() const;  // "<name>/ema"
  Status LoadState(const std::vector<std::pair<std::string, torch::Tensor>>& state);

 private:
  GraphModule* module_;
  double decay_;
  std::vector<torch::Tensor> shadow_;  // parameters then buffers, in module order
  bool swapped_ = false;
};

}  // namespace edgeforge::train
