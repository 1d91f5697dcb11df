// The whole on-device training flow shared by `edgeforge imprint` and
// `edgeforge retrain-last-layer`: list photos, split train/validation per class, embed with the
// extractor, fit the head (imprinting or softmax regression), append it quantized, evaluate the
// written model's arithmetic on both splits, write the .tflite with labels in its metadata.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ondevice/softmax_regression.h"

namespace edgeforge::ondevice {

enum class HeadMethod { kImprinting, kSoftmaxRegression };

struct LastLayerOptions {
  HeadMethod method = HeadMethod::kImprinting;
  std::string extractor;     // embedding extractor .tflite
  std::string data;          // class-per-folder or <class>_*.ext folder
  std::string include;       // fnmatch filter on file names, e.g. "*_train_*"
  std::string out;           // .tflite to write
  std::string keep_classes;  // imprinting: model whose classes are kept
  float val_fraction = 0.2f;
  int threads = 1;
  float imprint_scale = 10.0f;
  SoftmaxRegressionOptions regression;
};

struct LastLayerReport {
  std::vector<std::string> labels;
  size_t train_images = 0;
  size_t val_images = 0;
  double train_accuracy = 0;
  double val_accuracy = -1;  // -1: no validation images
};

StatusOr<LastLayerReport> TrainLastLayer(const LastLayerOptions& options, std::FILE* log);

}  // namespace edgeforge::ondevice

namespace edgeforge::ondevice {
// "wrote OUT: 3 classes (cat, dog, hotdog)\ntrain accuracy 100.0% (4 images)\n..." for the CLI.
std::string FormatReport(const LastLayerReport& report, const std::string& out_path);
}  // namespace edgeforge::ondevice
