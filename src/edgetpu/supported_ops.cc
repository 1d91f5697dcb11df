#include "edgetpu/supported_ops.h"

#include <array>

namespace edgeforge::edgetpu {

namespace {

namespace c = constraints;

constexpr int kAll = 0;  // marker for readability: no runtime bound on that side

constexpr int Min(int v) { return v == kAll ? kOldestRuntimeVersion : v; }
constexpr int Max(int v) { return v == kAll ? kNewestRuntimeVersion : v; }

constexpr OpRule Row(std::string_view op, int min_runtime, int max_runtime, int max_op_version,
                     ConstraintCheck constraint = nullptr) {
  return OpRule{op, Min(min_runtime), Max(max_runtime), max_op_version, constraint};
}

// Source of the ops, runtime versions and limitations: Coral, "TensorFlow models on the Edge
// TPU", table "Supported operations" (coral.ai/docs/edgetpu/models-intro/#supported-operations),
// whose "Runtime version" column reads "All", "<= 12", ">= 13" or ">= 14". Its "Known
// limitations" are the constraint checks (op_constraints.h quotes each). Op versions: the
// version TFLite's tools/versioning/op_version.cc gives the op's 8-bit kernel (see OpRule).
// Not in the table, so never mapped: DEQUANTIZE, HARD_SWISH, ARG_MAX, CAST, GATHER,
// BIDIRECTIONAL_SEQUENCE_LSTM ("Unidirectional LSTM only"), every custom op, and the
// training-only BATCH_NORM and DROPOUT.
constexpr std::array kRules = {
    Row("ADD", kAll, kAll, 2),
    Row("AVERAGE_POOL_2D", kAll, kAll, 2, c::PoolWithoutActivation),
    Row("CONCATENATION", kAll, kAll, 2, c::Concatenation),
    Row("CONV_2D", kAll, kAll, 3, c::Conv2D),
    Row("DEPTHWISE_CONV_2D", kAll, 12, 3, c::DepthwiseConv2DWithoutDilation),
    Row("DEPTHWISE_CONV_2D", 13, kAll, 3, c::DepthwiseConv2DSameDilation),
    Row("EXPAND_DIMS", 13, kAll, 1),
    Row("FULLY_CONNECTED", kAll, kAll, 4, c::FullyConnected),
    Row("L2_NORMALIZATION", kAll, kAll, 2),
    Row("LOGISTIC", kAll, kAll, 2),
    // Coral's "LSTM" row; TFLite's converter writes a Keras LSTM as this op. Its 8-bit form
    // keeps the cell state in int16 (TFLite's quantization spec), which breaks the "int8 or
    // uint8 tensors" requirement: we apply that rule strictly, so such an LSTM stays on the CPU
    // ("Operation is working on an unsupported data type").
    Row("UNIDIRECTIONAL_SEQUENCE_LSTM", 14, kAll, 1),
    Row("MAXIMUM", kAll, kAll, 2),
    Row("MAX_POOL_2D", kAll, kAll, 2, c::PoolWithoutActivation),
    Row("MEAN", kAll, 12, 2, c::ReduceOverXYOnly),
    Row("MEAN", 13, kAll, 2, c::ReduceNoBatchZMultipleOf4),
    Row("MINIMUM", kAll, kAll, 2),
    Row("MUL", kAll, kAll, 3),  // v3: 8-bit with a rescale >= 1
    Row("PACK", 13, kAll, 2),   // "No packing in batch dimension": the axis is not in the IR
    Row("PAD", kAll, 12, 2, c::PadXYOnly),
    Row("PAD", 13, kAll, 2, c::PadNoBatch),
    Row("PRELU", 13, kAll, 1, c::PreluAlphaInnermost),
    // Requantization (int8 <-> uint8, new scale); a float input is refused in op_checks.cc.
    Row("QUANTIZE", 13, kAll, 1),
    Row("REDUCE_MAX", 14, kAll, 2, c::ReduceNoBatch),
    Row("REDUCE_MIN", 14, kAll, 2, c::ReduceNoBatch),
    Row("RELU", kAll, kAll, 2),
    Row("RELU6", kAll, kAll, 2),
    Row("RELU_N1_TO_1", kAll, kAll, 1),
    Row("RESHAPE", kAll, kAll, 1),  // "Certain reshapes might not be mapped for large tensor sizes."
    // "Depending on input/output size, this operation may not be mapped to the Edge TPU to
    // avoid loss in precision": not predictable from the documentation, so not checked.
    Row("RESIZE_BILINEAR", kAll, kAll, 2, c::Resize),
    Row("RESIZE_NEAREST_NEIGHBOR", kAll, kAll, 2, c::Resize),
    Row("RSQRT", 14, kAll, 2),
    Row("SLICE", kAll, kAll, 2),
    Row("SOFTMAX", kAll, kAll, 2, c::Softmax),
    Row("SPACE_TO_DEPTH", kAll, kAll, 2),
    Row("SPLIT", kAll, kAll, 2, c::SplitNoBatch),
    Row("SQUEEZE", kAll, 12, 1, c::SqueezeLeadingOnes),
    Row("SQUEEZE", 13, kAll, 1),
    Row("SQUARED_DIFFERENCE", 14, kAll, 2),
    Row("STRIDED_SLICE", kAll, kAll, 2, c::StridedSliceUnitStrides),
    Row("SUB", kAll, kAll, 2),
    Row("SUM", 13, kAll, 2, c::ReduceNoBatchZMultipleOf4),
    Row("TANH", kAll, kAll, 2),
    Row("TRANSPOSE", 14, kAll, 2, c::TransposeKeepsBatch),
    Row("TRANSPOSE_CONV", 13, kAll, 3, c::TransposeConv),  // v3: with a bias input
};

}  // namespace

std::span<const OpRule> SupportedOpRules() { return kRules; }

const OpRule* FindOpRule(std::string_view op, int runtime_version) {
  for (const OpRule& rule : kRules) {
    if (rule.op == op && rule.min_runtime <= runtime_version && runtime_version <= rule.max_runtime) {
      return &rule;
    }
  }
  return nullptr;
}

int FirstRuntimeVersionFor(std::string_view op) {
  int first = 0;
  for (const OpRule& rule : kRules) {
    if (rule.op == op && (first == 0 || rule.min_runtime < first)) first = rule.min_runtime;
  }
  return first;
}

}  // namespace edgeforge::edgetpu
