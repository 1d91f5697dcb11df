// Accuracy of a classifier on a labelled dataset, run in edgeforge's runtime: top-1, top-5,
// per-class accuracy and the confusion matrix. Used by `edgeforge evaluate` and by the commands
// that make or retrain a model and report how good it is.
//
// Each image is fed exactly as `edgeforge classify` feeds a photo: converted to the model's
// channels (gray replicated for an RGB model, luma for a gray one), stretched to the input's
// size (ResizeBilinear), then ImageToTensor with the model's mean/std metadata, or raw pixels
// for a model without it (8-bit inputs: the input quantization says what pixels mean).
//
// Which model output is which dataset class: identity when the model has exactly as many
// outputs as the dataset has classes and no labels; otherwise by name (case-insensitive) between
// the model's labels (metadata, or EvaluationOptions::model_labels) and the dataset's class
// names. Outputs that name no dataset class count as wrong predictions ("other" column).
// When no label matches but the counts are equal, outputs are matched by position (warned).
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/status.h"
#include "ir/graph.h"
#include "quant/calibration_images.h"

namespace edgeforge::quant {

struct EvaluationOptions {
  // Evaluate at most this many of the indices (0: all), taking the classes in turn (the first
  // example of each class, then the second, ...) so a limited run still covers every class.
  size_t limit = 0;
  int num_threads = 1;
  // Labels of the model's outputs, overriding its metadata (e.g. imagenet_labels.txt).
  std::vector<std::string> model_labels;
  // Overrides the model's mean/std metadata.
  std::optional<InputPreprocessing> preprocessing;
  std::FILE* warnings = stderr;  // undecodable images are skipped and named here (may be null)
};

struct Prediction {
  size_t index = 0;         // dataset index
  int label = 0;            // true class
  int output = 0;           // the model's top-1 output index
  int predicted_class = -1; // the dataset class of that output, -1 when none
  float score = 0;          // its (dequantized) score
};

struct EvaluationResult {
  std::vector<std::string> class_names;  // the dataset's
  size_t evaluated = 0;
  size_t skipped = 0;  // examples that could not be decoded
  size_t top1_correct = 0;
  size_t top5_correct = 0;
  std::vector<size_t> class_total;    // per true class
  std::vector<size_t> class_correct;  // top-1, per true class
  // confusion[true class][predicted class]; a last column counts predictions of outputs that
  // are no dataset class (present only when the model has such outputs).
  std::vector<std::vector<size_t>> confusion;
  bool has_other_column = false;
  std::vector<Prediction> predictions;  // in evaluation order

  double top1() const { return evaluated ? static_cast<double>(top1_correct) / static_cast<double>(evaluated) : 0; }
  double top5() const { return evaluated ? static_cast<double>(top5_correct) / static_cast<double>(evaluated) : 0; }
  double class_accuracy(size_t c) const {
    return class_total[c] ? static_cast<double>(class_correct[c]) / static_cast<double>(class_total[c]) : 0;
  }
};

// `indices` of `dataset` (all of it when empty). `source` names the model in errors.
StatusOr<EvaluationResult> EvaluateModel(std::shared_ptr<const ir::Graph> graph, const std::string& source,
                                         const data::Dataset& dataset, const std::vector<size_t>& indices,
                                         const EvaluationOptions& options = {});
StatusOr<EvaluationResult> EvaluateModel(const std::string& model_path, const data::Dataset& dataset,
                                         const std::vector<size_t>& indices, const EvaluationOptions& options = {});

// Top-1/top-5, per-class accuracy and the confusion matrix as text.
std::string FormatEvaluation(const EvaluationResult& result);

}  // namespace edgeforge::quant
