#include "train/graph_module.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "train/ops_layout.h"
#include "train/ops_steps.h"
#include "train/qat.h"

namespace edgeforge::train {
namespace {

using internal::Step;
using ir::OpType;

// How a parameter's IR layout maps to the ATen one (undone by WriteBack).
enum class WeightLayout {
  kPlain,  // bias, FC [out, in], BN gamma / beta: same in both
  kOhwi,   // CONV_2D filter: ATen [O, I, H, W] in channels_last memory (OHWI bytes)
  k1hwc,   // DEPTHWISE_CONV_2D filter: ATen [C, 1, H, W]
};

std::string DescribeOp(const ir::Graph& g, int index) {
  const ir::Op& op = g.ops[static_cast<size_t>(index)];
  std::string s = "op " + std::to_string(index) + " (" + ir::OpName(op);
  if (!op.outputs.empty() && op.outputs[0] >= 0) s += ", output '" + g.tensor(op.outputs[0]).name + "'";
  return s + ")";
}

std::string SizesToString(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + "]";
}

// A float32 IR constant in ATen layout, on `device` in `dtype`, as a fresh leaf tensor.
torch::Tensor ToTorchWeight(const ir::Tensor& t, WeightLayout layout, torch::ScalarType dtype,
                            torch::Device device) {
  torch::Tensor v = internal::ConstantToTorch(t).to(dtype);
  switch (layout) {
    case WeightLayout::kPlain: break;
    case WeightLayout::kOhwi:
      // OHWI bytes are exactly an OIHW tensor in channels_last memory: no reorder at all.
      v = v.permute({0, 3, 1, 2});
      break;
    case WeightLayout::k1hwc: v = v.permute({3, 0, 1, 2}).contiguous(); break;
  }
  return v.to(device).detach().clone(torch::MemoryFormat::Preserve);
}

// Back to the IR's layout as float32 bytes.
std::vector<uint8_t> ToIrBytes(const torch::Tensor& value, WeightLayout layout) {
  torch::Tensor v = value.detach().to(torch::kCPU, torch::kFloat32);
  switch (layout) {
    case WeightLayout::kPlain: break;
    case WeightLayout::kOhwi: v = v.permute({0, 2, 3, 1}); break;
    case WeightLayout::k1hwc: v = v.permute({1, 2, 3, 0}); break;
  }
  v = v.contiguous();
  std::vector<uint8_t> bytes(static_cast<size_t>(v.numel()) * sizeof(float));
  if (!bytes.empty()) std::memcpy(bytes.data(), v.data_ptr(), bytes.size());
  return bytes;
}

// Producers whose backward does not read their output, so an activation may overwrite it.
bool OutputFreeForInPlace(OpType producer) {
  switch (producer) {
    case OpType::kConv2D: case OpType::kDepthwiseConv2D: case OpType::kFullyConnected:
    case OpType::kBatchNorm: case OpType::kAdd: case OpType::kSub: case OpType::kMul:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct GraphModule::Impl {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat32;

  std::vector<Parameter> parameters;
  std::vector<WeightLayout> parameter_layouts;   // parallel to parameters
  std::vector<int> parameter_first_op;           // first op that uses each parameter
  std::vector<std::pair<std::string, torch::Tensor>> buffers;
  std::vector<int> buffer_tensors;               // graph tensor index of each buffer

  std::vector<Step> steps;
  std::vector<int> step_is_batch_norm;           // per step: 1 when a BATCH_NORM
  std::vector<std::string> step_names;           // per step: "op 7 (CONV_2D, output '...')"
  std::vector<std::vector<int>> released_after;  // per step: tensors read for the last time
  int frozen_before_op = 0;                      // BATCH_NORM ops before it run in inference mode

  std::vector<std::string> tensor_names;
  std::vector<int> producer;                     // op index per tensor, -1 when none
  std::vector<std::vector<int>> consumer_ops;    // per tensor (all ops)
  int num_tensors = 0;
  int input_tensor = -1;
  Shape input_shape;
  int logits_tensor = -1;
  internal::Values values;  // reused between Forward calls (so Forward is not re-entrant)
  std::unique_ptr<QatRuntime> qat;  // set by EnableQat
};

GraphModule::GraphModule() : impl_(std::make_unique<Impl>()) {}
GraphModule::~GraphModule() = default;

std::vector<Parameter>& GraphModule::parameters() { return impl_->parameters; }

std::vector<std::pair<std::string, torch::Tensor>> GraphModule::buffers() { return impl_->buffers; }

StatusOr<std::unique_ptr<GraphModule>> GraphModule::Create(const ir::Graph& graph,
                                                           torch::Device device,
                                                           torch::ScalarType dtype) {
  if (dtype != torch::kFloat32 && dtype != torch::kFloat64) {
    return InvalidArgument("GraphModule computes in float32 or float64 only");
  }
  if (graph.inputs.empty() || graph.outputs.empty()) {
    return InvalidArgument("the graph has no input or no output");
  }
  std::unique_ptr<GraphModule> module(new GraphModule());
  Impl& m = *module->impl_;
  m.device = device;
  m.dtype = dtype;
  m.num_tensors = static_cast<int>(graph.tensors.size());
  m.input_tensor = graph.inputs[0];
  m.input_shape = graph.tensor(m.input_tensor).shape;
  if (graph.tensor(m.input_tensor).dtype != DType::kFloat32) {
    return Unimplemented("input '" + graph.tensor(m.input_tensor).name + "' is " +
                         DTypeName(graph.tensor(m.input_tensor).dtype) +
                         "; training needs a float32 model");
  }
  m.producer.assign(graph.tensors.size(), -1);
  m.consumer_ops.assign(graph.tensors.size(), {});
  for (const ir::Tensor& t : graph.tensors) m.tensor_names.push_back(t.name);
  for (size_t k = 0; k < graph.ops.size(); ++k) {
    for (int o : graph.ops[k].outputs) if (o >= 0) m.producer[o] = static_cast<int>(k);
    for (int i : graph.ops[k].inputs) if (i >= 0) m.consumer_ops[i].push_back(static_cast<int>(k));
  }

  // The logits: the input of a final SOFTMAX, else the graph output.
  m.logits_tensor = graph.outputs[0];
  int skipped_softmax = -1;
  if (const int p = m.producer[m.logits_tensor]; p >= 0 && graph.ops[p].type == OpType::kSoftmax) {
    skipped_softmax = p;
    m.logits_tensor = graph.ops[p].inputs[0];
  }

  // Only the ops the logits depend on run (an imported model may have other outputs).
  std::vector<bool> needed_tensor(graph.tensors.size(), false), needed_op(graph.ops.size(), false);
  needed_tensor[m.logits_tensor] = true;
  for (int k = static_cast<int>(graph.ops.size()) - 1; k >= 0; --k) {
    const ir::Op& op = graph.ops[k];
    if (k == skipped_softmax) continue;
    if (std::none_of(op.outputs.begin(), op.outputs.end(),
                     [&](int o) { return o >= 0 && needed_tensor[o]; })) {
      continue;
    }
    needed_op[k] = true;
    for (int i : op.inputs) if (i >= 0) needed_tensor[i] = true;
  }
  if (m.producer[m.logits_tensor] < 0 && m.logits_tensor != m.input_tensor) {
    return InvalidArgument("no op produces the output '" + graph.tensor(m.logits_tensor).name + "'");
  }

  // Parameters and buffers, by role.
  std::vector<int> parameter_of_tensor(graph.tensors.size(), -1);
  auto add_parameter = [&](int op_index, int tensor, WeightLayout layout,
                           bool batch_norm) -> Status {
    const ir::Tensor& t = graph.tensor(tensor);
    if (!t.is_constant() || t.dtype != DType::kFloat32) {
      return Unimplemented("weight '" + t.name + "' must be a float32 constant (is " +
                           (t.is_constant() ? DTypeName(t.dtype) : "computed") + ")");
    }
    if (const int existing = parameter_of_tensor[tensor]; existing >= 0) {
      if (m.parameter_layouts[existing] != layout) {
        return Unimplemented("weight '" + t.name + "' is shared by ops with different layouts");
      }
      return Status::Ok();
    }
    parameter_of_tensor[tensor] = static_cast<int>(m.parameters.size());
    Parameter p;
    p.name = t.name;
    p.tensor_index = tensor;
    p.value = ToTorchWeight(t, layout, dtype, device).requires_grad_(true);
    p.is_batch_norm = batch_norm;
    m.parameters.push_back(std::move(p));
    m.parameter_layouts.push_back(layout);
    m.parameter_first_op.push_back(op_index);
    return Status::Ok();
  };
  std::vector<bool> is_buffer(graph.tensors.size(), false);

  for (int k = 0; k < static_cast<int>(graph.ops.size()); ++k) {
    if (!needed_op[k]) continue;
    const ir::Op& op = graph.ops[k];
    const std::string where = DescribeOp(graph, k);
    if (!internal::IsExecutableOpType(op.type)) {
      return Unimplemented(where + ": not executable in training (supported: CONV_2D, "
                           "DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, "
                           "MAX_POOL_2D, MEAN, RESHAPE, SQUEEZE, SOFTMAX, LOGISTIC, TANH, RELU, "
                           "RELU6, HARD_SWISH, PAD, CONCATENATION, QUANTIZE, DEQUANTIZE, "
                           "L2_NORMALIZATION, BATCH_NORM, DROPOUT)");
    }
    for (int o : op.outputs) {
      if (o >= 0 && graph.tensor(o).dtype != DType::kFloat32) {
        return Unimplemented(where + ": output is " + DTypeName(graph.tensor(o).dtype) +
                             "; training runs float32 graphs only");
      }
    }
    Status role_status;
    switch (op.type) {
      case OpType::kConv2D:
      case OpType::kDepthwiseConv2D: {
        if (op.inputs.size() < 2) return InvalidArgument(where + ": expected input and filter");
        const WeightLayout layout =
            op.type == OpType::kConv2D ? WeightLayout::kOhwi : WeightLayout::k1hwc;
        role_status = add_parameter(k, op.inputs[1], layout, false);
        if (role_status.ok() && op.inputs.size() > 2 && op.inputs[2] >= 0) {
          role_status = add_parameter(k, op.inputs[2], WeightLayout::kPlain, false);
        }
        break;
      }
      case OpType::kFullyConnected:
        if (op.inputs.size() < 2) return InvalidArgument(where + ": expected input and weights");
        role_status = add_parameter(k, op.inputs[1], WeightLayout::kPlain, false);
        if (role_status.ok() && op.inputs.size() > 2 && op.inputs[2] >= 0) {
          role_status = add_parameter(k, op.inputs[2], WeightLayout::kPlain, false);
        }
        break;
      case OpType::kBatchNorm:
        if (op.inputs.size() != 5) {
          return InvalidArgument(where + ": expected inputs [x, gamma, beta, mean, variance]");
        }
        role_status = add_parameter(k, op.inputs[1], WeightLayout::kPlain, true);
        if (role_status.ok()) role_status = add_parameter(k, op.inputs[2], WeightLayout::kPlain, true);
        for (int j : {3, 4}) {
          const ir::Tensor& t = graph.tensor(op.inputs[j]);
          if (!t.is_constant() || t.dtype != DType::kFloat32) {
            return Unimplemented(where + ": moving statistic '" + t.name +
                                 "' must be a float32 constant");
          }
          if (!is_buffer[op.inputs[j]]) {
            is_buffer[op.inputs[j]] = true;
            m.buffers.emplace_back(t.name, ToTorchWeight(t, WeightLayout::kPlain, dtype, device));
            m.buffer_tensors.push_back(op.inputs[j]);
          }
        }
        break;
      default:
        break;
    }
    if (!role_status.ok()) return role_status.WithContext(where);

    // Data inputs: activations must be float32 and computed; constants only where the op
    // converts them itself (elementwise operands, concatenation parts, shapes and axes).
    const bool takes_constant_data = op.type == OpType::kAdd || op.type == OpType::kSub ||
                                     op.type == OpType::kMul || op.type == OpType::kConcatenation;
    for (size_t j = 0; j < op.inputs.size(); ++j) {
      const int i = op.inputs[j];
      if (i < 0) continue;
      const ir::Tensor& t = graph.tensor(i);
      if (t.is_constant()) {
        if (j == 0 && !takes_constant_data) {
          return Unimplemented(where + ": input '" + t.name + "' is a constant");
        }
        if (takes_constant_data && t.dtype != DType::kFloat32) {
          return Unimplemented(where + ": constant '" + t.name + "' is " + DTypeName(t.dtype) +
                               ", expected float32");
        }
        continue;
      }
      if (t.dtype != DType::kFloat32) {
        return Unimplemented(where + ": input '" + t.name + "' is " + DTypeName(t.dtype) +
                             "; training runs float32 graphs only");
      }
      if (m.producer[i] < 0 && i != m.input_tensor) {
        return InvalidArgument(where + ": input '" + t.name + "' is neither computed nor the graph input");
      }
    }
  }

  // Steps, with the in-place decision and when each value can be dropped.
  std::vector<int> needed_consumers(graph.tensors.size(), 0);
  for (int k = 0; k < static_cast<int>(graph.ops.size()); ++k) {
    if (!needed_op[k]) continue;
    for (int i : graph.ops[k].inputs) if (i >= 0) ++needed_consumers[i];
  }
  std::vector<int> last_step(graph.tensors.size(), -1);
  try {
    for (int k = 0; k < static_cast<int>(graph.ops.size()); ++k) {
      if (!needed_op[k]) continue;
      const ir::Op& op = graph.ops[k];
      internal::StepOptions options;
      options.dtype = dtype;
      options.device = device;
      if (op.type == OpType::kRelu || op.type == OpType::kRelu6) {
        const int x = op.inputs[0];
        const int p = m.producer[x];
        options.in_place = p >= 0 && OutputFreeForInPlace(graph.ops[p].type) &&
                           needed_consumers[x] == 1 && x != m.logits_tensor &&
                           std::find(graph.outputs.begin(), graph.outputs.end(), x) ==
                               graph.outputs.end();
      }
      StatusOr<Step> step = internal::BuildStep(graph, k, options);
      if (!step.ok()) return step.status().WithContext(DescribeOp(graph, k));
      for (int i : op.inputs) if (i >= 0) last_step[i] = static_cast<int>(m.steps.size());
      m.steps.push_back(std::move(step).value());
      m.step_is_batch_norm.push_back(op.type == OpType::kBatchNorm);
      m.step_names.push_back(DescribeOp(graph, k));
    }
  } catch (const c10::Error& e) {
    return Internal(std::string("preparing the graph for LibTorch: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return Internal(std::string("preparing the graph for LibTorch: ") + e.what());
  }
  m.released_after.assign(m.steps.size(), {});
  for (int t = 0; t < m.num_tensors; ++t) {
    if (last_step[t] >= 0 && t != m.logits_tensor) m.released_after[last_step[t]].push_back(t);
  }
  return module;
}

StatusOr<torch::Tensor> GraphModule::Forward(const torch::Tensor& images, bool training) {
  Impl& m = *impl_;
  const int64_t channels = m.input_shape.empty() ? 0 : m.input_shape.back();
  if (!images.defined() || images.dim() != 4 || images.size(3) != channels) {
    return InvalidArgument("images: expected [N, H, W, " + std::to_string(channels) +
                           "] (NHWC), got " + (images.defined() ? SizesToString(images) : "none"));
  }
  int current_step = -1;
  try {
    m.values.assign(static_cast<size_t>(m.num_tensors), torch::Tensor());
    torch::Tensor x = images.to(m.device, m.dtype);
    if (internal::IsImageRank(m.input_shape.size())) {
      x = x.permute({0, 3, 1, 2});
    } else {
      std::vector<int64_t> sizes = internal::ToSizes(m.input_shape);
      if (!sizes.empty()) sizes[0] = images.size(0);
      x = x.reshape(sizes);
    }
    m.values[m.input_tensor] = x;
    for (const Parameter& p : m.parameters) m.values[p.tensor_index] = p.value;
    for (size_t b = 0; b < m.buffers.size(); ++b) m.values[m.buffer_tensors[b]] = m.buffers[b].second;
    if (m.qat) m.qat->BeforeSteps(m.values, training);
    // The frozen prefix (FreezeBefore) has no trainable parameter and its input needs no
    // gradient: run it without autograd, so nothing is recorded or kept for backward.
    struct GradModeRestore {
      const bool previous = c10::GradMode::is_enabled();
      ~GradModeRestore() { c10::GradMode::set_enabled(previous); }
    } restore;
    bool frozen_prefix = m.frozen_before_op > 0 && restore.previous;
    if (frozen_prefix) c10::GradMode::set_enabled(false);
    for (size_t s = 0; s < m.steps.size(); ++s) {
      current_step = static_cast<int>(s);
      const Step& step = m.steps[s];
      if (frozen_prefix && step.op_index >= m.frozen_before_op) {
        c10::GradMode::set_enabled(true);
        frozen_prefix = false;
      }
      const bool frozen_batch_norm =
          m.step_is_batch_norm[s] && (step.op_index < m.frozen_before_op || m.qat != nullptr);
      if (!m.qat || !m.qat->RunInstead(step.op_index, m.values)) {
        step.run(m.values, training && !frozen_batch_norm);
      }
      if (m.qat) m.qat->AfterOp(step.op_index, m.values, training);
      for (int t : m.released_after[s]) m.values[t].reset();
    }
    torch::Tensor logits = internal::ToIrOrder(m.values[m.logits_tensor]);
    m.values.assign(static_cast<size_t>(m.num_tensors), torch::Tensor());
    return logits.reshape({logits.size(0), -1});
  } catch (const c10::Error& e) {
    m.values.assign(static_cast<size_t>(m.num_tensors), torch::Tensor());
    const std::string where =
        current_step >= 0 ? m.step_names[current_step] : std::string("the input");
    return Internal("forward failed at " + where + " for images " + SizesToString(images) +
                    ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {  // LibTorch also throws std::runtime_error and friends
    m.values.assign(static_cast<size_t>(m.num_tensors), torch::Tensor());
    const std::string where =
        current_step >= 0 ? m.step_names[current_step] : std::string("the input");
    return Internal("forward failed at " + where + " for images " + SizesToString(images) +
                    ": " + e.what());
  }
}

Status GraphModule::EnableQat(const ir::Graph& graph, const QatOptions& options) {
  if (graph.tensors.size() != static_cast<size_t>(impl_->num_tensors)) {
    return InvalidArgument("EnableQat: not the graph the module was created from");
  }
  try {
    EF_ASSIGN_OR_RETURN(impl_->qat, QatRuntime::Create(graph, options));
  } catch (const std::exception& e) {
    return Internal(std::string("EnableQat: ") + e.what());
  }
  return Status::Ok();
}

QatRuntime* GraphModule::qat() { return impl_->qat.get(); }

Status GraphModule::FreezeBefore(const std::string& name) {
  Impl& m = *impl_;
  int op_index = -1;
  for (int t = 0; t < m.num_tensors && op_index < 0; ++t) {
    if (m.tensor_names[t] != name) continue;
    if (m.producer[t] >= 0) {
      op_index = m.producer[t];
    } else if (t == m.input_tensor) {
      op_index = 0;
    } else if (!m.consumer_ops[t].empty()) {
      op_index = m.consumer_ops[t].front();  // a weight: freeze what comes before its op
    }
  }
  if (op_index < 0) {
    // Converted models name an activation after all the ops fused into it
    // ("A/Relu6;A/add_fold;..."): a computed tensor is also found by one of those parts.
    std::vector<int> matches;
    for (int t = 0; t < m.num_tensors; ++t) {
      if (m.producer[t] < 0) continue;
      const std::string& full = m.tensor_names[t];
      for (size_t start = 0; start <= full.size();) {
        const size_t end = std::min(full.find(';', start), full.size());
        if (full.compare(start, end - start, name) == 0) {
          matches.push_back(t);
          break;
        }
        start = end + 1;
      }
    }
    if (matches.size() > 1) {
      return InvalidArgument("'" + name + "' names " + std::to_string(matches.size()) + " tensors ('" +
                             m.tensor_names[matches[0]] + "', '" + m.tensor_names[matches[1]] +
                             "', ...); give the full name");
    }
    if (matches.size() == 1) op_index = m.producer[matches[0]];
  }
  if (op_index < 0) return NotFound("no tensor named '" + name + "' in the graph");
  m.frozen_before_op = op_index;
  for (size_t i = 0; i < m.parameters.size(); ++i) {
    const bool frozen = m.parameter_first_op[i] < op_index;
    m.parameters[i].trainable = !frozen;
    m.parameters[i].value.requires_grad_(!frozen);
    if (frozen && m.parameters[i].value.grad().defined()) m.parameters[i].value.mutable_grad().reset();
  }
  return Status::Ok();
}

Status GraphModule::WriteBack(ir::Graph* graph) const {
  const Impl& m = *impl_;
  auto write = [&](int tensor, const std::string& name, const torch::Tensor& value,
                   WeightLayout layout) -> Status {
    if (tensor >= static_cast<int>(graph->tensors.size()) || graph->tensor(tensor).name != name) {
      return InvalidArgument("WriteBack: tensor " + std::to_string(tensor) + " is not '" + name +
                             "' (a different graph than the module was created from?)");
    }
    ir::Tensor& t = graph->tensor(tensor);
    if (t.dtype != DType::kFloat32 || NumElements(t.shape) != value.numel()) {
      return InvalidArgument("WriteBack: '" + name + "' has shape " + ShapeToString(t.shape) +
                             " but the module holds " + std::to_string(value.numel()) + " values");
    }
    t.SetData(ToIrBytes(value, layout));
    return Status::Ok();
  };
  try {
    for (size_t i = 0; i < m.parameters.size(); ++i) {
      const Parameter& p = m.parameters[i];
      EF_RETURN_IF_ERROR(write(p.tensor_index, p.name, p.value, m.parameter_layouts[i]));
    }
    for (size_t b = 0; b < m.buffers.size(); ++b) {
      EF_RETURN_IF_ERROR(
          write(m.buffer_tensors[b], m.buffers[b].first, m.buffers[b].second, WeightLayout::kPlain));
    }
  } catch (const c10::Error& e) {
    return Internal(std::string("WriteBack: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return Internal(std::string("WriteBack: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace edgeforge::train
