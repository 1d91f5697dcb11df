// What full-integer quantization does with each op: where its output's scale and zero point
// come from (TFLite's 8-bit quantization spec, tensorflow.org/lite/performance/
// quantization_spec), and the op version TFLite's converter writes for the int8 form
// (tensorflow/lite/tools/versioning/op_version.cc).
#pragma once

#include <cstdint>
#include <optional>

#include "ir/graph.h"

namespace edgeforge::quant {

enum class OutputParams {
  kCalibrated,    // from the calibrated range (narrowed by a fused activation)
  kSameAsInput,   // the input's scale and zero point (pooling, reshape, pad, resize, split,
                  // concatenation: inputs and output share one pair)
  kFixed,         // fixed by the spec (softmax, logistic, tanh, L2 normalization)
  kNotQuantized,  // an integer result (ARG_MAX)
};

struct Int8OpRule {
  OutputParams output = OutputParams::kCalibrated;
  float fixed_scale = 0;  // kFixed
  int64_t fixed_zero_point = 0;
};

// The rule for `op`, or std::nullopt when the quantizer does not support it.
std::optional<Int8OpRule> Int8RuleFor(const ir::Op& op);

// Input slot that carries the data (SPLIT: 1, its axis is input 0; every other op: 0).
size_t DataInputSlot(const ir::Op& op);

// The fused activation of an op's options (kNone when it has none).
ir::Activation FusedActivation(const ir::Op& op);

// TFLite's op version for `op` in `graph` once its tensors are int8 (QUANTIZE and DEQUANTIZE
// included).
int32_t Int8OpVersion(const ir::Graph& graph, const ir::Op& op);

}  // namespace edgeforge::quant
