// Small edits of an ir::Graph that the quantizer needs more than once: finding who produces a
// tensor, dropping tensors nothing refers to any more (after constants were replaced or ops
// folded), and a copy of a graph that keeps every activation alive for inspection.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace edgeforge::quant {

// For each tensor, the index of the op that writes it, or -1 (constants, graph inputs).
std::vector<int> ProducerOps(const ir::Graph& graph);

// Activations in the order they come to exist: graph inputs first, then each op's outputs.
// Constants are not activations.
std::vector<int> ActivationTensors(const ir::Graph& graph);

// Removes tensors that no op, graph input or graph output refers to, renumbering the rest in
// their old order. Returns old index -> new index (-1 for removed tensors).
std::vector<int> RemoveUnusedTensors(ir::Graph& graph);

// A copy of `graph` whose outputs are every activation (graph inputs excepted): the
// interpreter keeps graph outputs alive until the end of an Invoke, so after running it every
// intermediate tensor can be read. The original outputs stay first, in their order.
ir::Graph WithEveryActivationAsOutput(const ir::Graph& graph);

}  // namespace edgeforge::quant
