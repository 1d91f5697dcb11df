#include "edgetpu/op_checks.h"

#include <optional>

#include "edgetpu/compiler_messages.h"
#include "edgetpu/supported_ops.h"

namespace edgeforge::edgetpu {

namespace {

using constraints::DescribeTensor;

OpCheck Fail(const char* reason, std::string detail) { return {false, reason, std::move(detail)}; }

bool IsEightBit(DType d) { return d == DType::kInt8 || d == DType::kUInt8; }
bool IsFloat(DType d) { return d == DType::kFloat32 || d == DType::kFloat16; }

// Input slot of the bias, which must be int32 (the 8-bit spec's bias type), or -1.
int BiasSlot(const std::string& op) {
  if (op == "CONV_2D" || op == "DEPTHWISE_CONV_2D" || op == "FULLY_CONNECTED") return 2;
  if (op == "TRANSPOSE_CONV") return 3;
  return -1;
}

// Step 2: "full 8-bit quantization (int8 or uint8 tensors, int32 biases)". Returns what breaks
// it, naming the tensor.
std::optional<std::string> FindUnsupportedType(const ir::Graph& graph, const ir::Op& op,
                                               const std::string& name) {
  int bias_slot = BiasSlot(name);
  for (size_t slot = 0; slot < op.inputs.size(); ++slot) {
    int index = op.inputs[slot];
    if (index == ir::kNoTensor) continue;
    const ir::Tensor& t = graph.tensor(index);
    std::string where = "input " + std::to_string(slot) + " (" + DescribeTensor(graph, index) + ")";
    if (static_cast<int>(slot) == bias_slot) {
      if (t.dtype != DType::kInt32) {
        return where + " is a " + DTypeName(t.dtype) + " bias; 8-bit models have int32 biases";
      }
      continue;
    }
    if (t.is_constant()) {
      // Weights are 8-bit; int32/int64 constants are parameters (shapes, axes, paddings).
      if (!IsEightBit(t.dtype) && t.dtype != DType::kInt32 && t.dtype != DType::kInt64) {
        return where + " is a " + DTypeName(t.dtype) + " constant; weights must be int8 or uint8";
      }
      continue;
    }
    if (!IsEightBit(t.dtype)) {
      return where + " is " + DTypeName(t.dtype) + "; activations must be int8 or uint8";
    }
    if (t.quant.empty()) return where + " is " + DTypeName(t.dtype) + " without quantization";
  }
  for (int index : op.outputs) {
    const ir::Tensor& t = graph.tensor(index);
    std::string where = "output " + DescribeTensor(graph, index);
    if (!IsEightBit(t.dtype)) {
      return where + " is " + DTypeName(t.dtype) + "; activations must be int8 or uint8";
    }
    if (t.quant.empty()) return where + " is " + DTypeName(t.dtype) + " without quantization";
  }
  return std::nullopt;
}

// Step 5, model requirement: "If a tensor has more than 3 dimensions, then only the 3
// innermost dimensions may have a size greater than 1." Constants (a filter is [O,H,W,I]) are
// parameters, not tensors the Edge TPU streams, so only activations are checked.
std::optional<std::string> FindUnsupportedRank(const ir::Graph& graph, const ir::Op& op) {
  auto check = [&](int index) -> std::optional<std::string> {
    if (index == ir::kNoTensor) return std::nullopt;
    const ir::Tensor& t = graph.tensor(index);
    if (t.is_constant()) return std::nullopt;
    for (size_t d = 0; d + 3 < t.shape.size(); ++d) {
      if (t.shape[d] > 1) {
        return DescribeTensor(graph, index) + " has size " + std::to_string(t.shape[d]) +
               " in dimension " + std::to_string(d) +
               "; only the 3 innermost dimensions may exceed 1 (batch size 1)";
      }
    }
    return std::nullopt;
  };
  for (int index : op.inputs) {
    if (auto v = check(index)) return v;
  }
  for (int index : op.outputs) {
    if (auto v = check(index)) return v;
  }
  return std::nullopt;
}

// A QUANTIZE that turns a float input into 8 bits: what a float-input model starts with. The
// compiler leaves it on the CPU with "otherwise supported, but not mapped" (compiler logs in
// f0cal/google-coral#20 and retinanet-model-tflite's tiny_yolo_edgetpu.log).
bool IsQuantizeOfFloat(const ir::Graph& graph, const ir::Op& op, const std::string& name) {
  return name == "QUANTIZE" && !op.inputs.empty() && op.inputs[0] != ir::kNoTensor &&
         IsFloat(graph.tensor(op.inputs[0]).dtype);
}

}  // namespace

OpCheck CheckOp(const ir::Graph& graph, const ir::Op& op, int runtime_version) {
  const std::string name = ir::OpName(op);
  if (op.type == ir::OpType::kCustom) {
    return Fail(kNotSupported, "custom op '" + op.custom_code + "' is not an Edge TPU operation");
  }
  if (IsQuantizeOfFloat(graph, op, name)) {
    return Fail(kUnspecifiedLimitation,
                "quantizes the float32 " + DescribeTensor(graph, op.inputs[0]) +
                    "; float inputs are quantized on the CPU (only 8-bit requantization maps)");
  }
  // An op the target runtime cannot have at all is reported as such, before its data types.
  const OpRule* rule = FindOpRule(name, runtime_version);
  const int first = rule == nullptr ? FirstRuntimeVersionFor(name) : 0;
  if (rule == nullptr && first > runtime_version) {
    return Fail(kNotSupported, name + " needs Edge TPU runtime " + std::to_string(first) +
                                   " or later; the target is runtime " +
                                   std::to_string(runtime_version));
  }
  if (auto bad_type = FindUnsupportedType(graph, op, name)) {
    return Fail(kUnsupportedDataType, *bad_type);
  }
  if (rule == nullptr) return Fail(kNotSupported, name + " is not in the Edge TPU's supported operations");
  if (op.version > rule->max_op_version) {
    return Fail(kVersionNotSupported, name + " version " + std::to_string(op.version) +
                                          "; the Edge TPU compiler accepts up to version " +
                                          std::to_string(rule->max_op_version));
  }
  if (auto bad_rank = FindUnsupportedRank(graph, op)) return Fail(kUnsupportedRank, *bad_rank);
  if (rule->constraint != nullptr) {
    if (auto violation = rule->constraint(graph, op)) return Fail(kUnspecifiedLimitation, *violation);
  }
  return {true, kMapped, ""};
}

}  // namespace edgeforge::edgetpu
