// Structural and per-op checks of a Graph, run before anything executes it: tensor indices in
// range, every activation produced once and before it is read, and for each op we support the
// output shapes and dtypes its inputs imply (shape inference), compared with the declared ones.
#pragma once

#include <string>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::ir {

// `source` (a file name) prefixes error messages.
Status Verify(const Graph& graph, const std::string& source);

// Output shapes of one op from its input shapes (and constant inputs such as RESHAPE's shape,
// MEAN's axes, PAD's paddings). Unsupported/custom ops: returns the declared shapes.
StatusOr<std::vector<Shape>> InferOutputShapes(const Graph& graph, const Op& op);

// Padding TFLite computes for one spatial dimension (SAME: out = ceil(in/stride), total =
// max((out-1)*stride + effective_k - in, 0), before = total/2; VALID: out = ceil((in -
// effective_k + 1)/stride), no padding). effective_k = (k-1)*dilation + 1.
struct PaddingResult {
  int32_t out = 0;
  int32_t before = 0;
  int32_t after = 0;
};
PaddingResult ComputePadding(Padding padding, int32_t in, int32_t k, int32_t stride, int32_t dilation);

}  // namespace edgeforge::ir
