// One executable step per IR op for GraphModule: everything that can be decided from the graph
// (padding splits, axes in ATen terms, scalar constants, weight roles) is decided once when the
// step is built, so Forward only dispatches ATen calls.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::train::internal {

// Values of the graph's tensors during one forward pass, indexed like ir::Graph::tensors, in the
// layout of ops_layout.h. Parameters, buffers and constants are filled in before the steps run.
using Values = std::vector<torch::Tensor>;

struct Step {
  int op_index = 0;
  // `training`: batch statistics for BATCH_NORM, dropout active.
  std::function<void(Values& values, bool training)> run;
};

struct StepOptions {
  torch::ScalarType dtype = torch::kFloat32;
  torch::Device device = torch::kCPU;
  // A standalone activation may overwrite its input (it is the only reader and the producer's
  // backward does not need its output), saving an allocation per activation as PyTorch's
  // inplace=True modules do.
  bool in_place = false;
};

// Fails with Unimplemented for ops / options GraphModule cannot execute (the caller adds the op
// index and name).
StatusOr<Step> BuildStep(const ir::Graph& graph, int op_index, const StepOptions& options);

// Whether BuildStep knows the op type at all (for error messages before details are checked).
bool IsExecutableOpType(ir::OpType type);

}  // namespace edgeforge::train::internal
