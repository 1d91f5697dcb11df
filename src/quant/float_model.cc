#include "quant/float_model.h"

#include "ir/dequantize_pass.h"
#include "quant/graph_surgery.h"

namespace edgeforge::quant {

namespace {

bool IsIntegerQuantizedType(DType d) {
  return d == DType::kInt8 || d == DType::kUInt8 || d == DType::kInt16;
}

// The float32 values of a constant int8/uint8/int16 (quantized) or float16 tensor, computed
// by the same pass `edgeforge dequantize` uses, on a graph holding just that tensor.
StatusOr<ir::Tensor> DequantizedConstant(const ir::Tensor& constant) {
  ir::Graph single;
  single.tensors = {constant};
  EF_ASSIGN_OR_RETURN(ir::Graph floated, ir::DequantizeGraph(single));
  return floated.tensors[0];
}

const char* kStartFromFloat =
    "quantize takes a float32 model; to re-quantize a quantized model, first write its float "
    "counterpart with 'edgeforge dequantize'";

}  // namespace

StatusOr<ir::Graph> PrepareFloatModel(const ir::Graph& model, const std::string& source) {
  if (model.inputs.size() != 1) {
    return InvalidArgument(source + ": has " + std::to_string(model.inputs.size()) +
                           " inputs; quantize takes image classifiers with one input");
  }
  for (int t : ActivationTensors(model)) {
    const ir::Tensor& tensor = model.tensor(t);
    if (IsIntegerQuantizedType(tensor.dtype) || tensor.dtype == DType::kFloat16) {
      return InvalidArgument(source + ": is already quantized (tensor " + std::to_string(t) + " '" +
                             tensor.name + "' is " + DTypeName(tensor.dtype) + "); " + kStartFromFloat);
    }
  }

  ir::Graph g = model;
  std::vector<ir::Op> kept;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    ir::Op& op = g.ops[i];
    const bool folds = op.type == ir::OpType::kDequantize && op.inputs.size() == 1 &&
                       op.outputs.size() == 1 && op.inputs[0] >= 0 &&
                       g.tensor(op.inputs[0]).is_constant();
    if (!folds) {
      kept.push_back(std::move(op));
      continue;
    }
    auto floated = DequantizedConstant(g.tensor(op.inputs[0]));
    if (!floated.ok()) {
      return floated.status().WithContext(source + ": op " + std::to_string(i) + " (DEQUANTIZE)");
    }
    ir::Tensor& out = g.tensor(op.outputs[0]);
    if (floated->dtype != DType::kFloat32 || floated->data.size() != out.byte_size()) {
      return InvalidArgument(source + ": op " + std::to_string(i) + " (DEQUANTIZE) of constant '" +
                             g.tensor(op.inputs[0]).name + "' does not give float32 " +
                             ShapeToString(out.shape) + " values");
    }
    out.data = floated->data;
    out.data_owner = floated->data_owner;
    out.quant = {};
  }
  g.ops = std::move(kept);

  // What is left must read float32 weights: an op reading quantized constants directly is a
  // dynamic-range (hybrid) model.
  for (size_t i = 0; i < g.ops.size(); ++i) {
    for (int t : g.ops[i].inputs) {
      if (t < 0) continue;
      const ir::Tensor& tensor = g.tensor(t);
      if (tensor.is_constant() && (IsIntegerQuantizedType(tensor.dtype) || tensor.dtype == DType::kFloat16 ||
                                   (tensor.dtype == DType::kInt32 && !tensor.quant.empty()))) {
        return InvalidArgument(source + ": is already quantized (op " + std::to_string(i) + " (" +
                               ir::OpName(g.ops[i]) + ") reads the " + DTypeName(tensor.dtype) +
                               " constant '" + tensor.name + "'); " + kStartFromFloat);
      }
    }
  }
  RemoveUnusedTensors(g);
  return g;
}

}  // namespace edgeforge::quant
