#include "serve/classify_service.h"

#include <chrono>

namespace edgeforge::serve {

namespace {

using Clock = std::chrono::steady_clock;

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

nlohmann::json TensorToJson(const TensorInfo& t) {
  nlohmann::json q = nullptr;  // null: not quantized
  if (!t.quant.empty()) {
    q = {{"scale", t.quant.scale},
         {"zero_point", t.quant.zero_point},
         {"quantized_dimension", t.quant.quantized_dimension}};
  }
  return {{"name", t.name}, {"dtype", DTypeName(t.dtype)}, {"shape", t.shape},
          {"bytes", t.bytes}, {"quantization", q}};
}

}  // namespace

StatusOr<std::unique_ptr<ClassifyService>> ClassifyService::Create(
    std::shared_ptr<const Model> model, std::vector<std::string> labels, size_t workers,
    size_t top_k) {
  if (top_k == 0) return InvalidArgument("top-k must be at least 1");
  std::unique_ptr<ClassifyService> service(new ClassifyService());
  if (model->inputs().empty()) return InvalidArgument(model->source() + ": model has no inputs");
  const TensorInfo in = model->inputs()[0];
  EF_ASSIGN_OR_RETURN(service->input_,
                      data::DescribeImageInput(model->source(), in.name, in.shape, in.dtype, in.quant,
                                               model->input_mean(), model->input_std()));
  if (model->outputs().empty()) return InvalidArgument(model->source() + ": model has no outputs");
  EF_ASSIGN_OR_RETURN(service->pool_, InterpreterPool::Create(model, workers));
  service->labels_ = labels.empty() ? model->labels() : std::move(labels);
  service->model_ = std::move(model);
  service->top_k_ = top_k;
  return service;
}

StatusOr<ClassifyResult> ClassifyService::Classify(std::span<const uint8_t> image_bytes,
                                                   const std::string& source_name) {
  ClassifyResult result;
  const Clock::time_point start = Clock::now();
  std::vector<float> scores;
  {
    // Decoding happens while holding the interpreter, although it needs none: that bounds the
    // decoded images alive at once to the number of workers (a photo can decode to hundreds
    // of MB), and with one worker per core the CPU is the limit anyway.
    InterpreterPool::Lease lease = pool_->Borrow();
    const Clock::time_point borrowed = Clock::now();
    Interpreter& interpreter = lease.interpreter();
    EF_ASSIGN_OR_RETURN(Image resized, data::DecodeForModelInput(image_bytes, source_name, input_));
    EF_RETURN_IF_ERROR(
        data::WriteModelInput(resized, input_, interpreter.input_bytes(0)).WithContext(source_name));
    const Clock::time_point filled = Clock::now();
    EF_RETURN_IF_ERROR(interpreter.Invoke());
    const Clock::time_point invoked = Clock::now();
    scores = interpreter.OutputAsFloat(0);
    result.wait_ms = MsBetween(start, borrowed);
    result.preprocess_ms = MsBetween(borrowed, filled);
    result.invoke_ms = MsBetween(filled, invoked);
  }
  for (const Classification& c : TopK(scores, top_k_)) {
    const auto i = static_cast<size_t>(c.index);
    result.predictions.push_back({c.index, i < labels_.size() ? labels_[i] : std::string(), c.score});
  }
  result.total_ms = MsBetween(start, Clock::now());
  return result;
}

nlohmann::json ClassifyService::Describe() const {
  nlohmann::json inputs = nlohmann::json::array();
  for (const TensorInfo& t : model_->inputs()) inputs.push_back(TensorToJson(t));
  nlohmann::json outputs = nlohmann::json::array();
  for (const TensorInfo& t : model_->outputs()) outputs.push_back(TensorToJson(t));
  nlohmann::json preprocessing = {
      {"resize", "bilinear, half-pixel centres, aspect ratio not kept"},
      {"width", input_.width},
      {"height", input_.height},
      {"color", input_.channels == 1 ? "gray" : "rgb"},
      {"mean", input_.mean},
      {"std", input_.std}};
  return {{"model", model_->source()}, {"inputs", inputs}, {"outputs", outputs},
          {"labels", labels_}, {"preprocessing", preprocessing},
          {"top_k", top_k_}, {"workers", pool_->size()}};
}

nlohmann::json ToJson(const ClassifyResult& result) {
  nlohmann::json predictions = nlohmann::json::array();
  for (const Prediction& p : result.predictions) {
    predictions.push_back({{"index", p.index}, {"label", p.label}, {"score", p.score}});
  }
  return {{"predictions", predictions},
          {"latency_ms", result.total_ms},
          {"wait_ms", result.wait_ms},
          {"preprocess_ms", result.preprocess_ms},
          {"invoke_ms", result.invoke_ms}};
}

}  // namespace edgeforge::serve
