#include "ir/training_passes.h"

#include <cmath>
#include <string>
#include <vector>

#include "ir/verifier.h"

namespace edgeforge::ir {

namespace {

std::string OpLabel(const Op& op, size_t index) {
  return "op " + std::to_string(index) + " (" + OpName(op) + ")";
}

// How many ops read each tensor; graph outputs count as one more reader, so a tensor the
// caller sees is never folded away.
std::vector<int> CountReaders(const Graph& g) {
  std::vector<int> readers(g.tensors.size(), 0);
  for (const Op& op : g.ops) {
    for (int t : op.inputs) {
      if (t >= 0) ++readers[static_cast<size_t>(t)];
    }
  }
  for (int t : g.outputs) ++readers[static_cast<size_t>(t)];
  return readers;
}

// DROPOUT is the identity at inference: its readers read its input instead.
void RemoveDropout(Graph& g) {
  std::vector<int> alias(g.tensors.size());
  for (size_t t = 0; t < alias.size(); ++t) alias[t] = static_cast<int>(t);
  std::vector<Op> kept;
  for (Op& op : g.ops) {
    for (int& t : op.inputs) {
      if (t >= 0) t = alias[static_cast<size_t>(t)];
    }
    if (op.type == OpType::kDropout && !op.inputs.empty() && op.inputs[0] >= 0 && op.outputs.size() == 1) {
      alias[static_cast<size_t>(op.outputs[0])] = op.inputs[0];
      continue;
    }
    kept.push_back(std::move(op));
  }
  for (int& t : g.outputs) t = alias[static_cast<size_t>(t)];
  g.ops = std::move(kept);
}

// A BATCH_NORM's per-channel affine map y = x * scale + shift.
struct ChannelAffine {
  std::vector<double> scale, shift;
};

StatusOr<std::vector<float>> FloatConstant(const Graph& g, int t, size_t channels, const std::string& what) {
  if (t < 0) return InvalidArgument(what + " is missing");
  const Tensor& tensor = g.tensor(t);
  if (!tensor.is_constant() || tensor.dtype != DType::kFloat32) {
    return InvalidArgument(what + " '" + tensor.name + "' must be a float32 constant");
  }
  if (NumElements(tensor.shape) != static_cast<int64_t>(channels) ||
      tensor.data.size() != channels * sizeof(float)) {
    return InvalidArgument(what + " '" + tensor.name + "' has shape " + ShapeToString(tensor.shape) + ", expected [" +
                           std::to_string(channels) + "] (one value per channel)");
  }
  auto v = tensor.values<float>();
  return std::vector<float>(v.begin(), v.end());
}

StatusOr<ChannelAffine> BatchNormAffine(const Graph& g, const Op& bn) {
  if (bn.inputs.size() != 5) {
    return InvalidArgument("has " + std::to_string(bn.inputs.size()) +
                           " inputs, expected 5 (x, gamma, beta, moving_mean, moving_variance)");
  }
  const Shape& x_shape = g.tensor(bn.inputs[0]).shape;
  if (x_shape.empty()) return InvalidArgument("input is a scalar; batch norm needs a channel axis");
  const size_t c = static_cast<size_t>(x_shape.back());
  EF_ASSIGN_OR_RETURN(auto gamma, FloatConstant(g, bn.inputs[1], c, "gamma"));
  EF_ASSIGN_OR_RETURN(auto beta, FloatConstant(g, bn.inputs[2], c, "beta"));
  EF_ASSIGN_OR_RETURN(auto mean, FloatConstant(g, bn.inputs[3], c, "moving_mean"));
  EF_ASSIGN_OR_RETURN(auto var, FloatConstant(g, bn.inputs[4], c, "moving_variance"));
  const double epsilon = std::holds_alternative<BatchNormOptions>(bn.options) ? bn.opts<BatchNormOptions>().epsilon
                                                                               : BatchNormOptions{}.epsilon;
  ChannelAffine a;
  a.scale.resize(c);
  a.shift.resize(c);
  for (size_t i = 0; i < c; ++i) {
    if (!(var[i] >= 0.0f) || !std::isfinite(var[i])) {
      return InvalidArgument("moving_variance[" + std::to_string(i) + "] is " + std::to_string(var[i]) +
                             ", expected a finite value >= 0");
    }
    a.scale[i] = gamma[i] / std::sqrt(static_cast<double>(var[i]) + epsilon);
    a.shift[i] = beta[i] - mean[i] * a.scale[i];
  }
  return a;
}

Activation* FusedActivationOf(Op& op) {
  switch (op.type) {
    case OpType::kConv2D: return &op.opts<Conv2DOptions>().activation;
    case OpType::kDepthwiseConv2D: return &op.opts<DepthwiseConv2DOptions>().activation;
    case OpType::kFullyConnected: return &op.opts<FullyConnectedOptions>().activation;
    case OpType::kAdd:
      if (std::holds_alternative<std::monostate>(op.options)) op.options = ElementwiseOptions{};
      return &op.opts<ElementwiseOptions>().activation;
    default: return nullptr;
  }
}

bool HasOptionsOf(const Op& op) {
  switch (op.type) {
    case OpType::kConv2D: return std::holds_alternative<Conv2DOptions>(op.options);
    case OpType::kDepthwiseConv2D: return std::holds_alternative<DepthwiseConv2DOptions>(op.options);
    case OpType::kFullyConnected: return std::holds_alternative<FullyConnectedOptions>(op.options);
    case OpType::kAdd:
      return std::holds_alternative<ElementwiseOptions>(op.options) ||
             std::holds_alternative<std::monostate>(op.options);
    default: return false;
  }
}

// Output channel of element `i` of a conv (OHWI), depthwise (1HWC) or dense ([out, in]) filter.
size_t OutputChannelOf(const Op& op, const Shape& w, int64_t i) {
  if (op.type == OpType::kDepthwiseConv2D) return static_cast<size_t>(i % w.back());
  const int64_t per_channel = NumElements(w) / w[0];
  return static_cast<size_t>(i / per_channel);
}

int OutputChannels(const Op& op, const Shape& w) {
  return op.type == OpType::kDepthwiseConv2D ? w.back() : w[0];
}

// Scales the producer's weights per output channel and adds the shift to its bias. The
// weights are rewritten in place when only this op reads them, else copied into a new tensor.
Status FoldInto(Graph& g, Op& producer, const ChannelAffine& a, const std::vector<int>& readers) {
  const int w_index = producer.inputs[1];
  const Tensor& w = g.tensor(w_index);
  if (!w.is_constant() || w.dtype != DType::kFloat32) {
    return InvalidArgument("weights '" + w.name + "' of the op before it must be a float32 constant");
  }
  if (w.shape.empty() || static_cast<size_t>(OutputChannels(producer, w.shape)) != a.scale.size()) {
    return InvalidArgument("weights '" + w.name + "' " + ShapeToString(w.shape) + " do not have " +
                           std::to_string(a.scale.size()) + " output channels");
  }
  auto w_values = w.values<float>();
  std::vector<float> folded(w_values.size());
  for (size_t i = 0; i < folded.size(); ++i) {
    folded[i] = static_cast<float>(w_values[i] * a.scale[OutputChannelOf(producer, w.shape, static_cast<int64_t>(i))]);
  }
  if (readers[static_cast<size_t>(w_index)] > 1) {
    Tensor copy = w;
    copy.name = w.name + "/folded";
    copy.SetValues(folded);
    producer.inputs[1] = g.AddTensor(std::move(copy));
  } else {
    g.tensor(w_index).SetValues(folded);
  }

  const size_t c = a.scale.size();
  std::vector<float> bias(c, 0.0f);
  const int b_index = producer.inputs.size() > 2 ? producer.inputs[2] : kNoTensor;
  if (b_index >= 0) {
    EF_ASSIGN_OR_RETURN(auto old_bias, FloatConstant(g, b_index, c, "bias"));
    for (size_t i = 0; i < c; ++i) bias[i] = static_cast<float>(old_bias[i] * a.scale[i] + a.shift[i]);
  } else {
    for (size_t i = 0; i < c; ++i) bias[i] = static_cast<float>(a.shift[i]);
  }
  if (b_index >= 0 && readers[static_cast<size_t>(b_index)] == 1) {
    g.tensor(b_index).SetValues(bias);
  } else {
    Tensor b;
    const std::string& wn = g.tensor(producer.inputs[1]).name;
    const size_t slash = wn.rfind("/weights");
    b.name = (slash != std::string::npos ? wn.substr(0, slash) : wn) + "/bias";
    if (b_index >= 0) b.name += "/folded";
    b.dtype = DType::kFloat32;
    b.shape = {static_cast<int32_t>(c)};
    b.SetValues(bias);
    const int new_b = g.AddTensor(std::move(b));
    if (producer.inputs.size() < 3) producer.inputs.resize(3, kNoTensor);
    producer.inputs[2] = new_b;
  }
  return Status::Ok();
}

int AddFloatConstant(Graph& g, const std::string& name, const std::vector<double>& values) {
  Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = {static_cast<int32_t>(values.size())};
  std::vector<float> f(values.begin(), values.end());
  t.SetValues(f);
  return g.AddTensor(std::move(t));
}

Status RemoveBatchNorm(Graph& g) {
  const std::vector<int> readers = CountReaders(g);
  std::vector<Op> ops = std::move(g.ops);
  g.ops.clear();
  std::vector<int> producer(g.tensors.size(), -1);  // index into g.ops (the kept ops)
  for (size_t i = 0; i < ops.size(); ++i) {
    Op op = std::move(ops[i]);
    if (op.type == OpType::kBatchNorm) {
      const std::string where = OpLabel(op, i);
      if (op.inputs.empty() || op.inputs[0] < 0 || op.outputs.size() != 1) {
        return InvalidArgument(where + ": needs an input and one output");
      }
      auto affine = BatchNormAffine(g, op);
      if (!affine.ok()) return affine.status().WithContext(where);
      const int x = op.inputs[0];
      const int y = op.outputs[0];
      const int p = producer[static_cast<size_t>(x)];
      Op* prev = p >= 0 ? &g.ops[static_cast<size_t>(p)] : nullptr;
      const bool foldable = prev && readers[static_cast<size_t>(x)] == 1 && HasOptionsOf(*prev) &&
                            prev->type != OpType::kAdd && prev->inputs.size() >= 2 && prev->inputs[1] >= 0 &&
                            *FusedActivationOf(*prev) == Activation::kNone && prev->outputs.size() == 1;
      if (foldable) {
        Status s = FoldInto(g, *prev, *affine, readers);
        if (!s.ok()) return s.WithContext(where);
        prev->outputs[0] = y;
        producer[static_cast<size_t>(y)] = p;
        continue;
      }
      // Not after a convolution of its own: y = x * scale + shift as MUL and ADD.
      const std::string y_name = g.tensor(y).name;  // a copy: AddFloatConstant grows g.tensors
      const int scale = AddFloatConstant(g, y_name + "/bn_scale", affine->scale);
      const int shift = AddFloatConstant(g, y_name + "/bn_shift", affine->shift);
      Tensor scaled = g.tensor(y);
      scaled.name = y_name + "/bn_scaled";
      const int scaled_index = g.AddTensor(std::move(scaled));
      producer.resize(g.tensors.size(), -1);
      Op mul;
      mul.type = OpType::kMul;
      mul.builtin_code = 18;
      mul.inputs = {x, scale};
      mul.outputs = {scaled_index};
      mul.options = ElementwiseOptions{};
      producer[static_cast<size_t>(scaled_index)] = static_cast<int>(g.ops.size());
      g.ops.push_back(std::move(mul));
      Op add;
      add.type = OpType::kAdd;
      add.builtin_code = 0;
      add.inputs = {scaled_index, shift};
      add.outputs = {y};
      add.options = ElementwiseOptions{};
      producer[static_cast<size_t>(y)] = static_cast<int>(g.ops.size());
      g.ops.push_back(std::move(add));
      continue;
    }
    producer.resize(g.tensors.size(), -1);
    for (int t : op.outputs) producer[static_cast<size_t>(t)] = static_cast<int>(g.ops.size());
    g.ops.push_back(std::move(op));
  }
  return Status::Ok();
}

// RELU / RELU6 become the fused activation of the op before them when that op's output has
// no other reader (TFLite's fused activations clamp the op's only output).
void FuseActivations(Graph& g) {
  const std::vector<int> readers = CountReaders(g);
  std::vector<Op> ops = std::move(g.ops);
  g.ops.clear();
  std::vector<int> producer(g.tensors.size(), -1);
  for (Op& op : ops) {
    if ((op.type == OpType::kRelu || op.type == OpType::kRelu6) && op.inputs.size() == 1 && op.inputs[0] >= 0 &&
        op.outputs.size() == 1) {
      const int x = op.inputs[0];
      const int p = producer[static_cast<size_t>(x)];
      if (p >= 0 && readers[static_cast<size_t>(x)] == 1) {
        Op& prev = g.ops[static_cast<size_t>(p)];
        if (HasOptionsOf(prev) && prev.outputs.size() == 1) {
          Activation* act = FusedActivationOf(prev);
          if (act && *act == Activation::kNone) {
            *act = op.type == OpType::kRelu ? Activation::kRelu : Activation::kRelu6;
            prev.outputs[0] = op.outputs[0];
            producer[static_cast<size_t>(op.outputs[0])] = p;
            continue;
          }
        }
      }
    }
    for (int t : op.outputs) producer[static_cast<size_t>(t)] = static_cast<int>(g.ops.size());
    g.ops.push_back(std::move(op));
  }
}

// Drops tensors nothing reads or writes any more, keeping the order of the rest.
void RemoveUnusedTensors(Graph& g) {
  std::vector<bool> used(g.tensors.size(), false);
  auto mark = [&](int t) {
    if (t >= 0) used[static_cast<size_t>(t)] = true;
  };
  for (const Op& op : g.ops) {
    for (int t : op.inputs) mark(t);
    for (int t : op.outputs) mark(t);
  }
  for (int t : g.inputs) mark(t);
  for (int t : g.outputs) mark(t);
  std::vector<int> remap(g.tensors.size(), -1);
  std::vector<Tensor> kept;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (!used[t]) continue;
    remap[t] = static_cast<int>(kept.size());
    kept.push_back(std::move(g.tensors[t]));
  }
  auto apply = [&](int& t) {
    if (t >= 0) t = remap[static_cast<size_t>(t)];
  };
  for (Op& op : g.ops) {
    for (int& t : op.inputs) apply(t);
    for (int& t : op.outputs) apply(t);
  }
  for (int& t : g.inputs) apply(t);
  for (int& t : g.outputs) apply(t);
  g.tensors = std::move(kept);
}

}  // namespace

StatusOr<Graph> ToInferenceForm(const Graph& training_graph) {
  EF_RETURN_IF_ERROR(Verify(training_graph, "training graph"));
  Graph g = training_graph;
  RemoveDropout(g);
  EF_RETURN_IF_ERROR(RemoveBatchNorm(g).WithContext("training graph"));
  FuseActivations(g);
  RemoveUnusedTensors(g);
  Status verified = Verify(g, "inference form");
  if (!verified.ok()) return Internal("ToInferenceForm produced an invalid graph: " + verified.message());
  return g;
}

}  // namespace edgeforge::ir
