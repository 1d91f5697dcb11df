// The scale and zero point of every int8 activation, from the calibrated float ranges and the
// ops' rules (int8_op_rules.h):
//   * calibrated outputs take ChooseAsymmetric(range) for int8, the range first narrowed by a
//     fused activation (RELU: [0, max], RELU6: [0, 6], RELU_N1_TO_1: [-1, 1]);
//   * fixed outputs take the spec's pair (SOFTMAX 1/256 and -128, ...);
//   * ops whose inputs and outputs must share a pair (pooling, reshape, squeeze, pad, resize,
//     split, concatenation) join their tensors into one group whose range is the union of its
//     members' ranges. Where a group would need two different fixed pairs (a concatenation of
//     two softmaxes with other ranges, say), the input keeps its own pair and is requantized
//     by a QUANTIZE op in front of the op that needs it otherwise.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "quant/calibrate.h"

namespace edgeforge::quant {

struct ActivationPlan {
  // Per tensor of the float graph: the int8 parameters of each activation to quantize; empty
  // for constants and for integer results (ARG_MAX).
  std::vector<QuantParams> params;
  // (op index, input slot) pairs whose input must be requantized to the parameters of the op's
  // output before the op reads it.
  std::vector<std::pair<int, size_t>> requantized_inputs;
};

// Every op of `float_graph` must have an Int8RuleFor. Errors name `source` and the tensor
// that calibration left without a range.
StatusOr<ActivationPlan> PlanActivationParams(const ir::Graph& float_graph, const TensorRanges& ranges,
                                              const std::string& source);

// `range` narrowed to what `activation` lets through.
ValueRange NarrowByActivation(ValueRange range, ir::Activation activation);

}  // namespace edgeforge::quant
