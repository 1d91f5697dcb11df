// The "Known limitations" column of Coral's supported-operations table, one check per entry.
// Each check looks at one op that is otherwise supported (8-bit types, known op, accepted
// version) and returns what breaks the limitation, in words that name the tensor and the
// values, or std::nullopt when the op is within it. The table in supported_ops.cc says which
// check applies to which op and runtime version.
//
// Axes follow the Edge TPU's view of a tensor as [y][x][z] (Coral's wording): the innermost
// dimension is z (channels), the two before it x and y; a 4-D NHWC tensor adds the batch
// dimension in front. Tensors of rank 3 or less are taken to have no batch dimension.
#pragma once

#include <optional>
#include <string>

#include "ir/graph.h"

namespace edgeforge::edgetpu::constraints {

using Violation = std::optional<std::string>;

// AVERAGE_POOL_2D, MAX_POOL_2D: "No fused activation function."
Violation PoolWithoutActivation(const ir::Graph& graph, const ir::Op& op);

// CONCATENATION: "No fused activation function. If any input is a compile-time constant
// tensor, there must be only 2 inputs, and this constant tensor must be all zeros."
Violation Concatenation(const ir::Graph& graph, const ir::Op& op);

// CONV_2D: "Must use the same dilation in x and y dimensions." Filter and bias must be
// compile-time constants (model requirement "Model parameters ... are constant").
Violation Conv2D(const ir::Graph& graph, const ir::Op& op);

// DEPTHWISE_CONV_2D, runtime <= 12: "Dilated conv kernels are not supported."
Violation DepthwiseConv2DWithoutDilation(const ir::Graph& graph, const ir::Op& op);
// DEPTHWISE_CONV_2D, runtime >= 13: "Must use the same dilation in x and y dimensions."
Violation DepthwiseConv2DSameDilation(const ir::Graph& graph, const ir::Op& op);

// FULLY_CONNECTED: "Only the default format is supported for fully-connected weights. Output
// tensor is one-dimensional." (one-dimensional per batch of one: [1, N]).
Violation FullyConnected(const ir::Graph& graph, const ir::Op& op);

// TRANSPOSE_CONV: filter and bias constant.
Violation TransposeConv(const ir::Graph& graph, const ir::Op& op);

// MEAN, runtime <= 12: "No reduction in batch dimension. Supports reduction along x- and/or
// y-dimensions only."
Violation ReduceOverXYOnly(const ir::Graph& graph, const ir::Op& op);
// MEAN and SUM, runtime >= 13: "No reduction in batch dimension. If a z-reduction, the
// z-dimension must be multiple of 4."
Violation ReduceNoBatchZMultipleOf4(const ir::Graph& graph, const ir::Op& op);
// REDUCE_MAX, REDUCE_MIN: "Cannot operate on the batch dimension."
Violation ReduceNoBatch(const ir::Graph& graph, const ir::Op& op);

// PAD, runtime <= 12: "Supports padding along x- and/or y-dimensions only."
Violation PadXYOnly(const ir::Graph& graph, const ir::Op& op);
// PAD, runtime >= 13: "No padding in batch dimension."
Violation PadNoBatch(const ir::Graph& graph, const ir::Op& op);

// PRELU: "Alpha must be 1-dimensional (only the innermost dimension can be >1 size)."
Violation PreluAlphaInnermost(const ir::Graph& graph, const ir::Op& op);

// RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR: "Input/output is a 3-dimensional tensor." The
// output size must be a compile-time constant.
Violation Resize(const ir::Graph& graph, const ir::Op& op);

// SOFTMAX: "Supports only 1-D input tensor with a max of 16,000 elements."
Violation Softmax(const ir::Graph& graph, const ir::Op& op);

// SPLIT: "No splitting in batch dimension."
Violation SplitNoBatch(const ir::Graph& graph, const ir::Op& op);

// SQUEEZE, runtime <= 12: "Supported only when input tensor dimensions that have leading 1s
// (that is, no relayout needed)": [y][x][z] = 1,1,10 or 1,5,10 is ok, 5,1,10 is not.
Violation SqueezeLeadingOnes(const ir::Graph& graph, const ir::Op& op);

// STRIDED_SLICE: "Supported only when all strides are equal to 1 ... and with
// ellipsis-axis-mask == 0, and new-axis-mask == 0" (the masks raise the op version to 6, so
// the version check of the table catches them).
Violation StridedSliceUnitStrides(const ir::Graph& graph, const ir::Op& op);

// TRANSPOSE: "No transpose in batch dimension."
Violation TransposeKeepsBatch(const ir::Graph& graph, const ir::Op& op);

// "tensor 12 'name' [1,7,7,1280]": how every message names a tensor.
std::string DescribeTensor(const ir::Graph& graph, int tensor_index);

}  // namespace edgeforge::edgetpu::constraints
