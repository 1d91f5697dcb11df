#include "quant/graph_surgery.h"

#include <algorithm>

namespace edgeforge::quant {

std::vector<int> ProducerOps(const ir::Graph& graph) {
  std::vector<int> producer(graph.tensors.size(), -1);
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    for (int t : graph.ops[i].outputs) {
      if (t >= 0) producer[static_cast<size_t>(t)] = static_cast<int>(i);
    }
  }
  return producer;
}

std::vector<int> ActivationTensors(const ir::Graph& graph) {
  std::vector<int> out;
  std::vector<bool> seen(graph.tensors.size(), false);
  auto add = [&](int t) {
    if (t < 0 || seen[static_cast<size_t>(t)] || graph.tensor(t).is_constant()) return;
    seen[static_cast<size_t>(t)] = true;
    out.push_back(t);
  };
  for (int t : graph.inputs) add(t);
  for (const ir::Op& op : graph.ops) {
    for (int t : op.outputs) add(t);
  }
  return out;
}

std::vector<int> RemoveUnusedTensors(ir::Graph& graph) {
  std::vector<bool> used(graph.tensors.size(), false);
  auto mark = [&](int t) {
    if (t >= 0) used[static_cast<size_t>(t)] = true;
  };
  for (int t : graph.inputs) mark(t);
  for (int t : graph.outputs) mark(t);
  for (const ir::Op& op : graph.ops) {
    for (int t : op.inputs) mark(t);
    for (int t : op.outputs) mark(t);
  }
  std::vector<int> remap(graph.tensors.size(), -1);
  std::vector<ir::Tensor> kept;
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(graph.tensors[i]));
  }
  graph.tensors = std::move(kept);
  auto renumber = [&](int& t) {
    if (t >= 0) t = remap[static_cast<size_t>(t)];
  };
  for (int& t : graph.inputs) renumber(t);
  for (int& t : graph.outputs) renumber(t);
  for (ir::Op& op : graph.ops) {
    for (int& t : op.inputs) renumber(t);
    for (int& t : op.outputs) renumber(t);
  }
  return remap;
}

ir::Graph WithEveryActivationAsOutput(const ir::Graph& graph) {
  ir::Graph copy = graph;
  std::vector<int> outputs = graph.outputs;
  for (const ir::Op& op : graph.ops) {
    for (int t : op.outputs) {
      if (t >= 0 && std::find(outputs.begin(), outputs.end(), t) == outputs.end()) {
        outputs.push_back(t);
      }
    }
  }
  copy.outputs = std::move(outputs);
  return copy;
}

}  // namespace edgeforge::quant
