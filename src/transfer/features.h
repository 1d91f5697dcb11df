// Backbone features for head-only transfer learning, computed once with edgeforge's runtime and
// cached in memory: the head trains for many epochs on them without another backbone pass.
// Each photo is decoded, stretched to the input size (bilinear, half-pixel, as classify does)
// and fed with the backbone's own input convention (raw pixels for the published 8-bit models,
// the metadata's mean/std otherwise).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "data/labelled_images.h"
#include "edgeforge/image.h"
#include "edgeforge/status.h"
#include "ir/graph.h"
#include "ondevice/embeddings.h"
#include "runtime/interpreter.h"
#include "transfer/augment.h"

namespace edgeforge::transfer {

// The feature set reuses on-device training's EmbeddingSet: raw output bytes (what the appended
// head reads, for exact accuracy of the quantized model) and dequantized values (what training
// uses), per example.
using FeatureSet = ondevice::EmbeddingSet;

class FeatureExtractor {
 public:
  // `backbone`: one image input, output 0 the feature vector [1,...,1,D] (uint8, int8, float32).
  static StatusOr<std::unique_ptr<FeatureExtractor>> Create(std::shared_ptr<const ir::Graph> backbone,
                                                            const std::string& source, int threads);

  int dim() const { return dim_; }
  ColorMode color_mode() const { return color_mode_; }
  Status Compute(const Image& image, std::vector<uint8_t>* raw, std::vector<float>* values);

 private:
  std::string source_;
  std::shared_ptr<const ir::Graph> graph_;
  std::unique_ptr<runtime::Interpreter> interp_;
  int dim_ = 0;
  ColorMode color_mode_ = ColorMode::kRgb;
};

struct FeatureRequest {
  int augment_variants = 0;  // extra views per photo: the fixed ones first, then random crops (augment.h)
  AugmentOptions augment;
  uint32_t seed = 1;
};

// Features of every photo (and its variants). Unreadable photos are named on `log` and
// skipped; a class left without a readable photo is an error naming it, unless
// `allow_empty_classes` (test sets need not cover every class).
StatusOr<FeatureSet> ComputeFeatures(FeatureExtractor& extractor, const std::vector<data::LabelledImage>& images,
                                     const std::vector<std::string>& class_names, const FeatureRequest& request,
                                     bool allow_empty_classes, std::FILE* log);

}  // namespace edgeforge::transfer
