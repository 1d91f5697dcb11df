// Running an embedding extractor (a .tflite image model without its classifier, e.g. Coral's
// mobilenet_v1_1.0_224_quant_embedding_extractor) over labelled photos, keeping each photo's
// embedding both as the extractor's raw output bytes (what an appended head will read) and
// dequantized (what training uses).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "data/labelled_images.h"
#include "edgeforge/status.h"
#include "ir/graph.h"
#include "runtime/interpreter.h"

namespace edgeforge::ondevice {

struct EmbeddingSet {
  int dim = 0;
  std::vector<std::vector<uint8_t>> raw;   // extractor output bytes, per photo
  std::vector<std::vector<float>> values;  // dequantized, per photo
  std::vector<int> labels;
  std::vector<std::string> paths;

  size_t size() const { return labels.size(); }
};

class EmbeddingExtractor {
 public:
  // Loads and checks the extractor: one image input [1,H,W,C], output 0 of shape [1,...,1,D]
  // in uint8, int8 or float32. A model ending in SOFTMAX is a classifier, not an extractor.
  static StatusOr<std::unique_ptr<EmbeddingExtractor>> Open(const std::string& path, int threads);

  const std::shared_ptr<const ir::Graph>& graph() const { return graph_; }
  const ir::Tensor& embedding_tensor() const { return graph_->tensor(graph_->outputs[0]); }
  int dim() const { return dim_; }

  // Decodes, resizes (bilinear, half-pixel, as classify does), runs; fills raw and values.
  Status Embed(const std::string& image_path, std::vector<uint8_t>* raw, std::vector<float>* values);

 private:
  std::string path_;
  std::shared_ptr<const ir::Graph> graph_;
  std::unique_ptr<runtime::Interpreter> interp_;
  int dim_ = 0;
};

// Embeds every photo. Unreadable photos are reported on `log` and skipped; a class left with
// no readable photo is an error naming it.
StatusOr<EmbeddingSet> EmbedAll(EmbeddingExtractor& extractor, const data::LabelledImages& images,
                                std::FILE* log);

}  // namespace edgeforge::ondevice
