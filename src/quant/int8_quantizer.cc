#include "quant/int8_quantizer.h"

#include <algorithm>
#include <cstring>

#include "core/affine_quantization.h"
#include "ir/verifier.h"
#include "quant/activation_params.h"
#include "quant/graph_surgery.h"
#include "quant/int8_op_rules.h"
#include "quant/weight_quantization.h"

namespace edgeforge::quant {

namespace {

std::string OpLabel(const std::string& source, size_t index, const ir::Op& op) {
  return source + ": op " + std::to_string(index) + " (" + ir::OpName(op) + ")";
}

bool IsLinearOp(ir::OpType type) {
  return type == ir::OpType::kConv2D || type == ir::OpType::kDepthwiseConv2D ||
         type == ir::OpType::kFullyConnected;
}

bool IsFloatConstant(const ir::Tensor& t) { return t.is_constant() && t.dtype == DType::kFloat32; }

// Output channel axis of the weights, or -1 for one scale per tensor.
int WeightAxis(const ir::Op& op, const Int8Options& options) {
  switch (op.type) {
    case ir::OpType::kConv2D: return 0;
    case ir::OpType::kDepthwiseConv2D: return 3;
    default: return options.per_channel_fully_connected ? 0 : -1;
  }
}

// Output channels: the weights' dimension that the bias follows.
int32_t OutputChannels(const ir::Op& op, const ir::Tensor& weights) {
  return op.type == ir::OpType::kDepthwiseConv2D ? weights.shape.back() : weights.shape.front();
}

int AddConstantTensor(ir::Graph& g, std::string name, DType dtype, Shape shape, QuantParams quant,
                      std::vector<uint8_t> bytes) {
  ir::Tensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quant = std::move(quant);
  t.SetData(std::move(bytes));
  return g.AddTensor(std::move(t));
}

// Replaces the float weights and bias of a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED with
// int8 weights and an int32 bias (new tensors: the float ones may be shared).
void QuantizeLinearOp(ir::Graph& g, ir::Op& op, const Int8Options& options) {
  const float input_scale = g.tensor(op.inputs[0]).quant.scale[0];
  const ir::Tensor weights = g.tensor(op.inputs[1]);
  const int axis = WeightAxis(op, options);
  const int32_t channels = OutputChannels(op, weights);
  const bool has_bias = op.inputs.size() > 2 && op.inputs[2] != ir::kNoTensor;
  std::vector<float> bias(static_cast<size_t>(channels), 0.0f);
  std::string bias_name = g.tensor(op.outputs[0]).name + "/bias";
  if (has_bias) {
    auto values = g.tensor(op.inputs[2]).values<float>();
    bias.assign(values.begin(), values.end());
    bias_name = g.tensor(op.inputs[2]).name;
  }

  std::vector<float> scales = SymmetricScales(weights.values<float>(), weights.shape, axis);
  WidenScalesForBias(bias, input_scale, scales);
  const int w = AddConstantTensor(g, weights.name, DType::kInt8, weights.shape, SymmetricParams(scales, axis),
                                  QuantizeSymmetric(weights.values<float>(), weights.shape, axis, scales));
  const std::vector<float> bias_scales = BiasScales(input_scale, scales);
  const std::vector<int32_t> bias_values = QuantizeBiasValues(bias, bias_scales);
  std::vector<uint8_t> bias_bytes(bias_values.size() * sizeof(int32_t));
  std::memcpy(bias_bytes.data(), bias_values.data(), bias_bytes.size());
  const int b = AddConstantTensor(g, bias_name, DType::kInt32, {channels}, SymmetricParams(bias_scales, 0),
                                  std::move(bias_bytes));
  op.inputs.resize(3);
  op.inputs[1] = w;
  op.inputs[2] = b;
}

// A float constant read by an op other than as weights: int8 with `quant`, or with its own
// asymmetric parameters when `quant` is empty.
int QuantizeOtherConstant(ir::Graph& g, int tensor, QuantParams quant) {
  const ir::Tensor t = g.tensor(tensor);
  auto values = t.values<float>();
  if (quant.empty()) {
    float lo = 0, hi = 0;
    if (!values.empty()) {
      auto [mn, mx] = std::minmax_element(values.begin(), values.end());
      lo = *mn, hi = *mx;
    }
    quant = core::ChooseAsymmetric(lo, hi, DType::kInt8);
  }
  std::vector<uint8_t> bytes = core::QuantizeValues(values, quant, DType::kInt8);
  return AddConstantTensor(g, t.name, DType::kInt8, t.shape, quant, std::move(bytes));
}

int AddActivationLike(ir::Graph& g, const ir::Tensor& like, std::string name, DType dtype, QuantParams quant) {
  ir::Tensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.shape = like.shape;
  t.shape_signature = like.shape_signature;
  t.quant = std::move(quant);
  return g.AddTensor(std::move(t));
}

ir::Op MakeOp(ir::OpType type, int input, int output) {
  ir::Op op;
  op.type = type;
  op.inputs = {input};
  op.outputs = {output};
  return op;
}

// The parameters of the uint8 twin of an int8 tensor: same scale, zero point + 128.
QuantParams Uint8Twin(const QuantParams& q) {
  QuantParams u = q;
  for (int64_t& zp : u.zero_point) zp += 128;
  return u;
}

// Puts the model's I/O in `io`: new I/O tensors converted from/to the int8 ones.
void ConvertModelIo(ir::Graph& g, IoType io) {
  if (io == IoType::kInt8) return;
  const DType external = io == IoType::kUInt8 ? DType::kUInt8 : DType::kFloat32;
  std::vector<ir::Op> front, back;
  for (int& input : g.inputs) {
    ir::Tensor& inner = g.tensor(input);
    if (inner.dtype != DType::kInt8) continue;
    const std::string name = inner.name;
    inner.name += "/int8";
    const QuantParams quant = io == IoType::kUInt8 ? Uint8Twin(inner.quant) : QuantParams{};
    const int outer = AddActivationLike(g, g.tensor(input), name, external, quant);
    front.push_back(MakeOp(ir::OpType::kQuantize, outer, input));
    input = outer;
  }
  for (int& output : g.outputs) {
    ir::Tensor& inner = g.tensor(output);
    if (inner.dtype != DType::kInt8) continue;
    const std::string name = inner.name;
    inner.name += "/int8";
    const QuantParams quant = io == IoType::kUInt8 ? Uint8Twin(inner.quant) : QuantParams{};
    const int outer = AddActivationLike(g, g.tensor(output), name, external, quant);
    back.push_back(MakeOp(io == IoType::kUInt8 ? ir::OpType::kQuantize : ir::OpType::kDequantize, output, outer));
    output = outer;
  }
  front.insert(front.end(), g.ops.begin(), g.ops.end());
  front.insert(front.end(), back.begin(), back.end());
  g.ops = std::move(front);
}

}  // namespace

const char* IoTypeName(IoType io) {
  switch (io) {
    case IoType::kInt8: return "int8";
    case IoType::kUInt8: return "uint8";
    case IoType::kFloat32: return "float";
  }
  return "?";
}

Status CheckInt8Support(const ir::Graph& g, const std::string& source) {
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const ir::Op& op = g.ops[i];
    if (!Int8RuleFor(op)) {
      return Unimplemented(source + ": op " + std::to_string(i) + " is " + ir::OpName(op) +
                           ", which int8 quantization does not support");
    }
    const ir::Activation activation = FusedActivation(op);
    if (activation == ir::Activation::kTanh || activation == ir::Activation::kSignBit) {
      return Unimplemented(OpLabel(source, i, op) + ": fused activation " + ir::ActivationName(activation) +
                           " has no int8 kernel");
    }
    if (IsLinearOp(op.type)) {
      if (op.inputs.empty() || op.inputs[0] < 0 || g.tensor(op.inputs[0]).is_constant()) {
        return Unimplemented(OpLabel(source, i, op) + ": the input (input 0) is a constant; "
                             "int8 quantization needs an activation there");
      }
      if (op.inputs.size() < 2 || op.inputs[1] < 0 || !IsFloatConstant(g.tensor(op.inputs[1]))) {
        return Unimplemented(OpLabel(source, i, op) + ": the filter (input 1) is not a float32 constant; "
                             "int8 quantization needs constant weights");
      }
      if (op.inputs.size() > 2 && op.inputs[2] != ir::kNoTensor && !IsFloatConstant(g.tensor(op.inputs[2]))) {
        return Unimplemented(OpLabel(source, i, op) + ": the bias (input 2) is not a float32 constant");
      }
    }
  }
  return Status::Ok();
}

StatusOr<QuantizedGraph> QuantizeInt8(const ir::Graph& float_graph, const TensorRanges& ranges,
                                      const Int8Options& options, const std::string& source) {
  EF_RETURN_IF_ERROR(CheckInt8Support(float_graph, source));
  if (ranges.size() != float_graph.tensors.size()) {
    return Internal(source + ": ranges for " + std::to_string(ranges.size()) + " tensors, the graph has " +
                    std::to_string(float_graph.tensors.size()));
  }
  EF_ASSIGN_OR_RETURN(ActivationPlan plan, PlanActivationParams(float_graph, ranges, source));

  ir::Graph g = float_graph;
  for (size_t t = 0; t < plan.params.size(); ++t) {
    if (plan.params[t].empty()) continue;
    g.tensors[t].dtype = DType::kInt8;
    g.tensors[t].quant = plan.params[t];
  }

  for (ir::Op& op : g.ops) {
    if (IsLinearOp(op.type)) {
      QuantizeLinearOp(g, op, options);
      continue;
    }
    const auto rule = Int8RuleFor(op);
    for (int& input : op.inputs) {
      if (input < 0 || !IsFloatConstant(g.tensor(input))) continue;
      // Tied ops read constants at the group's parameters; others at the constant's own.
      QuantParams quant = rule->output == OutputParams::kSameAsInput ? g.tensor(op.outputs[0]).quant : QuantParams{};
      input = QuantizeOtherConstant(g, input, std::move(quant));
    }
  }

  // Requantizations, each right before the op that needs it.
  if (!plan.requantized_inputs.empty()) {
    std::vector<ir::Op> ops;
    for (size_t i = 0; i < g.ops.size(); ++i) {
      for (const auto& [op_index, slot] : plan.requantized_inputs) {
        if (static_cast<size_t>(op_index) != i) continue;
        const int from = g.ops[i].inputs[slot];
        const int to = AddActivationLike(g, g.tensor(from), g.tensor(from).name + "/requantized", DType::kInt8,
                                         g.tensor(g.ops[i].outputs[0]).quant);
        ops.push_back(MakeOp(ir::OpType::kQuantize, from, to));
        g.ops[i].inputs[slot] = to;
      }
      ops.push_back(std::move(g.ops[i]));
    }
    g.ops = std::move(ops);
  }

  ConvertModelIo(g, options.io);
  for (ir::Op& op : g.ops) op.version = Int8OpVersion(g, op);
  g.description = "edgeforge post-training quantization (int8)";

  const std::vector<int> remap = RemoveUnusedTensors(g);
  QuantizedGraph out;
  out.tensor_map.assign(float_graph.tensors.size(), -1);
  for (size_t t = 0; t < float_graph.tensors.size(); ++t) out.tensor_map[t] = remap[t];
  Status verified = ir::Verify(g, source + " (int8)");
  if (!verified.ok()) return Internal("the quantized graph is malformed: " + verified.message());
  out.graph = std::move(g);
  return out;
}

}  // namespace edgeforge::quant
