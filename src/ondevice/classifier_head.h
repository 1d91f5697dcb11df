// The classification layer that on-device training appends to an embedding extractor:
//   embedding -> [L2_NORMALIZATION] -> FULLY_CONNECTED -> SOFTMAX
// quantized like the extractor's output (uint8 models get uint8 per-tensor weights with a zero
// point, as TF1's quantized models have; int8 models get int8 symmetric weights), so the whole
// model stays 8-bit for the Edge TPU. Float extractors get a float head.
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::ondevice {

struct ClassifierHead {
  bool l2_normalize = false;
  int num_classes = 0;
  int dim = 0;
  std::vector<float> weights;  // [num_classes, dim], row-major
  std::vector<float> bias;     // [num_classes]
  // Float range of the logits, which fixes the FULLY_CONNECTED output quantization.
  float logit_min = -1;
  float logit_max = 1;
};

// The extractor's graph with the head appended behind output 0, which becomes the class
// probabilities; labels and preprocessing go into the metadata.
StatusOr<ir::Graph> AppendHead(const ir::Graph& extractor, const ClassifierHead& head,
                               const std::vector<std::string>& labels);

// The head alone, reading an embedding shaped and quantized like `embedding`: evaluates a head
// on cached extractor outputs with exactly the arithmetic of the full model.
StatusOr<ir::Graph> HeadOnlyGraph(const ir::Tensor& embedding, const ClassifierHead& head);

// Reads back the head that AppendHead wrote (the last FULLY_CONNECTED before the final SOFTMAX),
// with its weights dequantized, and the labels from the metadata (for --keep-classes).
struct ExistingHead {
  ClassifierHead head;
  std::vector<std::string> labels;
};
StatusOr<ExistingHead> ReadHead(const ir::Graph& model, const std::string& source);

}  // namespace edgeforge::ondevice
