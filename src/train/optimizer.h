// Optimizers with TensorFlow's update rules (the MnasNet recipe was tuned with them):
// RMSProp as tf.compat.v1.train.RMSPropOptimizer (mean square initialised to 1, epsilon inside
// the square root, momentum on the scaled gradient), SGD with (Nesterov) momentum, AdamW
// (decoupled weight decay). L2 weight decay is added to the gradient of every trainable
// parameter except batch-norm gamma/beta (RMSProp, SGD); frozen parameters are not touched.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "edgeforge/status.h"
#include "train/graph_module.h"

namespace edgeforge::train {

enum class OptimizerKind { kRmsProp, kSgd, kAdamW };
StatusOr<OptimizerKind> ParseOptimizerKind(const std::string& name);  // "rmsprop"|"sgd"|"adamw"

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::kRmsProp;
  double momentum = 0.9;
  double rms_decay = 0.9;
  double epsilon = 1e-3;
  double weight_decay = 1e-5;
  bool nesterov = true;             // SGD
  double beta1 = 0.9, beta2 = 0.999; // AdamW (epsilon 1e-8 is used for AdamW unless set)
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // `parameters` must outlive the optimizer.
  static std::unique_ptr<Optimizer> Create(const OptimizerOptions& options,
                                           std::vector<Parameter>* parameters);
  // One update with learning rate `lr` from the parameters' .grad() (then the caller zeroes
  // them). Parameters without a gradient are skipped.
  virtual void Step(double lr) = 0;
  // Slots ("<param name>/rms", "<param name>/momentum", "step") for checkpoints.
  virtual std::vector<std::pair<std::string, torch::Tensor>> State() = 0;
  virtual Status LoadState(const std::vector<std::pair<std::string, torch::Tensor>>& state) = 0;
};

}  // namespace edgeforge::train
