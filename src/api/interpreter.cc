#include <algorithm>
#include <cstring>
#include <numeric>

#include "api/model_state.h"
#include "core/float16.h"
#include "tflite/reader.h"

namespace edgeforge {

namespace internal {
TensorInfo MakeTensorInfo(const ir::Tensor& t) {
  return TensorInfo{t.name, t.dtype, t.shape, t.quant, t.byte_size()};
}
}  // namespace internal

using internal::InterpreterState;
using internal::ModelState;

Model::Model(std::unique_ptr<ModelState> state) : state_(std::move(state)) {}
Model::~Model() = default;

StatusOr<std::shared_ptr<const Model>> Model::FromFile(const std::string& path) {
  EF_ASSIGN_OR_RETURN(ir::Graph graph, tflite::ReadModelFile(path));
  auto state = std::make_unique<ModelState>();
  state->source = path;
  state->graph = std::make_shared<const ir::Graph>(std::move(graph));
  return std::shared_ptr<const Model>(new Model(std::move(state)));
}

StatusOr<std::shared_ptr<const Model>> Model::FromBuffer(std::vector<uint8_t> bytes, const std::string& name) {
  auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  std::span<const uint8_t> view(owned->data(), owned->size());
  EF_ASSIGN_OR_RETURN(ir::Graph graph, tflite::ReadModel(view, owned, name));
  auto state = std::make_unique<ModelState>();
  state->source = name;
  state->graph = std::make_shared<const ir::Graph>(std::move(graph));
  return std::shared_ptr<const Model>(new Model(std::move(state)));
}

const std::string& Model::source() const { return state_->source; }
const std::vector<std::string>& Model::labels() const { return state_->graph->metadata.labels; }
const std::vector<float>& Model::input_mean() const { return state_->graph->metadata.input_mean; }
const std::vector<float>& Model::input_std() const { return state_->graph->metadata.input_std; }

std::vector<TensorInfo> Model::inputs() const {
  std::vector<TensorInfo> out;
  for (int t : state_->graph->inputs) out.push_back(internal::MakeTensorInfo(state_->graph->tensor(t)));
  return out;
}

std::vector<TensorInfo> Model::outputs() const {
  std::vector<TensorInfo> out;
  for (int t : state_->graph->outputs) out.push_back(internal::MakeTensorInfo(state_->graph->tensor(t)));
  return out;
}

Interpreter::Interpreter(std::unique_ptr<InterpreterState> state) : state_(std::move(state)) {}
Interpreter::~Interpreter() = default;

StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(std::shared_ptr<const Model> model,
                                                           InterpreterOptions options) {
  if (!model) return InvalidArgument("Interpreter::Create: no model");
  runtime::InterpreterOptions ro;
  ro.num_threads = options.num_threads;
  EF_ASSIGN_OR_RETURN(auto rt, runtime::Interpreter::Create(model->state().graph, model->source(), ro));
  auto state = std::make_unique<InterpreterState>();
  state->model = std::move(model);
  state->runtime = std::move(rt);
  return std::unique_ptr<Interpreter>(new Interpreter(std::move(state)));
}

size_t Interpreter::num_inputs() const { return state_->runtime->num_inputs(); }
size_t Interpreter::num_outputs() const { return state_->runtime->num_outputs(); }
TensorInfo Interpreter::input_info(size_t i) const {
  return internal::MakeTensorInfo(*state_->runtime->input(i).desc);
}
TensorInfo Interpreter::output_info(size_t i) const {
  return internal::MakeTensorInfo(*state_->runtime->output(i).desc);
}

std::span<uint8_t> Interpreter::input_bytes(size_t i) {
  runtime::RtTensor& t = state_->runtime->input(i);
  return {t.data, t.bytes()};
}

std::span<const uint8_t> Interpreter::output_bytes(size_t i) const {
  const runtime::RtTensor& t = state_->runtime->output(i);
  return {t.data, t.bytes()};
}

Status Interpreter::SetInput(size_t i, std::span<const uint8_t> bytes) {
  if (i >= num_inputs()) {
    return InvalidArgument("input " + std::to_string(i) + " does not exist; the model has " +
                           std::to_string(num_inputs()) + " inputs");
  }
  auto dst = input_bytes(i);
  const TensorInfo info = input_info(i);
  if (bytes.size() != dst.size()) {
    return InvalidArgument("input " + std::to_string(i) + " '" + info.name + "' needs " +
                           std::to_string(dst.size()) + " bytes (" + DTypeName(info.dtype) + " " +
                           ShapeToString(info.shape) + "), got " + std::to_string(bytes.size()));
  }
  if (!bytes.empty()) std::memcpy(dst.data(), bytes.data(), bytes.size());
  return Status::Ok();
}

Status Interpreter::Invoke() { return state_->runtime->Invoke(); }

std::vector<float> Interpreter::OutputAsFloat(size_t i) const {
  const runtime::RtTensor& t = state_->runtime->output(i);
  const size_t n = static_cast<size_t>(t.num_elements());
  std::vector<float> out(n);
  const QuantParams& q = t.quant();
  const float scale = q.empty() ? 1.0f : q.scale[0];
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  for (size_t k = 0; k < n; ++k) {
    switch (t.dtype()) {
      case DType::kFloat32: out[k] = t.as<float>()[k]; break;
      case DType::kFloat16: out[k] = core::HalfToFloat(t.as<uint16_t>()[k]); break;
      case DType::kUInt8: out[k] = scale * static_cast<float>(t.as<uint8_t>()[k] - zp); break;
      case DType::kInt8: out[k] = scale * static_cast<float>(t.as<int8_t>()[k] - zp); break;
      case DType::kInt16: out[k] = scale * static_cast<float>(t.as<int16_t>()[k] - zp); break;
      case DType::kInt32: out[k] = static_cast<float>(t.as<int32_t>()[k]); break;
      case DType::kInt64: out[k] = static_cast<float>(t.as<int64_t>()[k]); break;
      case DType::kBool: out[k] = t.as<uint8_t>()[k] ? 1.0f : 0.0f; break;
    }
  }
  return out;
}

size_t Interpreter::arena_bytes() const { return state_->runtime->arena_bytes(); }
const Model& Interpreter::model() const { return *state_->model; }

std::vector<Classification> TopK(std::span<const float> scores, size_t k) {
  std::vector<int> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<long>(k), idx.end(), [&](int a, int b) {
    if (scores[static_cast<size_t>(a)] != scores[static_cast<size_t>(b)]) {
      return scores[static_cast<size_t>(a)] > scores[static_cast<size_t>(b)];
    }
    return a < b;
  });
  std::vector<Classification> out;
  for (size_t j = 0; j < k; ++j) out.push_back({idx[j], scores[static_cast<size_t>(idx[j])]});
  return out;
}

}  // namespace edgeforge
