// Runs a model in edgeforge's runtime and lets the caller read every activation afterwards, as
// float values (8-bit tensors dequantized with their own scale and zero point). Calibration
// reads the float model's activations this way, the report both models'.
//
// The interpreter shares arena memory between intermediate tensors whose lifetimes do not
// overlap, so the tap runs a copy of the graph whose outputs list every activation (graph
// outputs live until the end of an Invoke).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "runtime/interpreter.h"

namespace edgeforge::quant {

class ActivationTap {
 public:
  // `source` names the model in errors. The graph must have exactly one input.
  static StatusOr<std::unique_ptr<ActivationTap>> Create(const ir::Graph& graph,
                                                         const std::string& source,
                                                         int num_threads = 1);

  // The graph as run (its tensor indices are the original graph's).
  const ir::Graph& graph() const { return *graph_; }
  const ir::Tensor& input_tensor() const { return graph_->tensor(graph_->inputs[0]); }

  // Runs the model on `input` (exactly the input tensor's bytes).
  Status Run(std::span<const uint8_t> input);

  // The values of activation `tensor` after the last Run, as float32 (float32 tensors as they
  // are, int8/uint8 dequantized). Other dtypes (an ARG_MAX's int32) are converted as numbers.
  void ReadFloat(int tensor, std::vector<float>& out) const;

 private:
  ActivationTap() = default;
  std::shared_ptr<const ir::Graph> graph_;
  std::unique_ptr<runtime::Interpreter> interpreter_;
};

}  // namespace edgeforge::quant
