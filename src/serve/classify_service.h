// What the HTTP server does, without the HTTP: classify image bytes with a pool of
// interpreters and describe the model. server.cc only maps requests and errors onto this.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "data/model_input.h"
#include "edgeforge/interpreter.h"
#include "edgeforge/status.h"
#include "serve/interpreter_pool.h"

namespace edgeforge::serve {

struct Prediction {
  int index = 0;
  std::string label;  // empty when the class has no label
  float score = 0;
};

struct ClassifyResult {
  std::vector<Prediction> predictions;  // top-k, highest score first
  double wait_ms = 0;        // waiting for a free interpreter
  double preprocess_ms = 0;  // decode + resize + convert to the input tensor
  double invoke_ms = 0;
  double total_ms = 0;
};

class ClassifyService {
 public:
  // `labels` empty: the model's metadata labels. `workers` interpreters.
  [[nodiscard]] static StatusOr<std::unique_ptr<ClassifyService>> Create(
      std::shared_ptr<const Model> model, std::vector<std::string> labels, size_t workers,
      size_t top_k);

  // Decodes, preprocesses as `edgeforge classify` does, runs and returns the top-k; blocks
  // while every interpreter is busy. Errors from the image are kInvalidArgument /
  // kUnimplemented and name `source_name`.
  [[nodiscard]] StatusOr<ClassifyResult> Classify(std::span<const uint8_t> image_bytes,
                                                  const std::string& source_name);

  // {"model", "inputs": [...], "outputs": [...], "labels": [...], "preprocessing": {...},
  //  "top_k", "workers"}; each tensor {"name", "dtype", "shape", "quantization"}.
  nlohmann::json Describe() const;

  size_t top_k() const { return top_k_; }
  size_t workers() const { return pool_->size(); }

 private:
  ClassifyService() = default;

  std::shared_ptr<const Model> model_;
  std::vector<std::string> labels_;
  data::ModelInput input_;
  std::unique_ptr<InterpreterPool> pool_;
  size_t top_k_ = 5;
};

nlohmann::json ToJson(const ClassifyResult& result);

}  // namespace edgeforge::serve
