// The model: tensors, ops in execution order, graph inputs/outputs, and metadata.
// One subgraph (what mobile vision models have; the reader keeps subgraph 0 of a file with more
// and records the count in subgraph_count).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "edgeforge/status.h"
#include "ir/op.h"
#include "ir/tensor.h"

namespace edgeforge::ir {

// What a user needs to feed a model and read its answer, beyond tensor quantization.
struct Metadata {
  std::string name;
  std::string description;
  std::vector<std::string> labels;  // index = class index
  // Float preprocessing: input = (pixel - mean) / std per channel; empty when unknown.
  std::vector<float> input_mean;
  std::vector<float> input_std;
  // Other TFLite metadata entries ("min_runtime_version", "TFLITE_METADATA", ...), kept as
  // name + raw bytes so a read/write round trip preserves them.
  std::vector<std::pair<std::string, std::vector<uint8_t>>> extra;
  bool operator==(const Metadata&) const = default;
};

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Op> ops;  // execution order
  std::vector<int> inputs;
  std::vector<int> outputs;
  Metadata metadata;
  std::string description;  // TFLite Model.description ("TOCO Converted.", ...)
  int32_t schema_version = 3;
  // Subgraphs in the file this graph was read from; only subgraph 0 is read (control-flow
  // bodies and the like are not), so a value above 1 means the file held more than this.
  int32_t subgraph_count = 1;

  int AddTensor(Tensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int>(tensors.size()) - 1;
  }
  Op& AddOp(Op op) {
    ops.push_back(std::move(op));
    return ops.back();
  }
  const Tensor& tensor(int i) const { return tensors.at(static_cast<size_t>(i)); }
  Tensor& tensor(int i) { return tensors.at(static_cast<size_t>(i)); }
};

// Structural equality: same tensors (bytes of constants included), ops, I/O and metadata.
// Returns an empty string when equal, else a description of the first difference.
std::string DescribeDifference(const Graph& a, const Graph& b);

}  // namespace edgeforge::ir
