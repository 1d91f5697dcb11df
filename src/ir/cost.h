// Multiply-accumulate counts per op: what `edgeforge bench` divides by time to report GMAC/s,
// and what `edgeforge models` lists for architectures.
#pragma once

#include <cstdint>

#include "ir/graph.h"

namespace edgeforge::ir {

// MACs of one op (0 for ops without multiply-accumulates such as RESHAPE). Elementwise and
// pooling ops count one MAC per output element (per window tap for pooling).
int64_t OpMacs(const Graph& graph, const Op& op);
int64_t GraphMacs(const Graph& graph);
// Number of constant parameters (elements of constant tensors read by compute ops).
int64_t GraphParameters(const Graph& graph);

}  // namespace edgeforge::ir
