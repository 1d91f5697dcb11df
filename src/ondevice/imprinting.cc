#include "ondevice/imprinting.h"

#include <cmath>

namespace edgeforge::ondevice {

namespace {
void NormalizeInPlace(float* v, int n) {
  double ss = 0;
  for (int i = 0; i < n; ++i) ss += static_cast<double>(v[i]) * v[i];
  if (ss <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(ss));
  for (int i = 0; i < n; ++i) v[i] *= inv;
}
}  // namespace

ClassifierHead ImprintHead(const EmbeddingSet& set, int num_classes, float scale) {
  ClassifierHead h;
  h.l2_normalize = true;
  h.num_classes = num_classes;
  h.dim = set.dim;
  h.weights.assign(static_cast<size_t>(num_classes) * set.dim, 0.0f);
  h.bias.assign(static_cast<size_t>(num_classes), 0.0f);
  std::vector<float> e(static_cast<size_t>(set.dim));
  for (size_t i = 0; i < set.size(); ++i) {
    e = set.values[i];
    NormalizeInPlace(e.data(), set.dim);
    float* row = &h.weights[static_cast<size_t>(set.labels[i]) * set.dim];
    for (int k = 0; k < set.dim; ++k) row[k] += e[static_cast<size_t>(k)];
  }
  for (int c = 0; c < num_classes; ++c) {
    float* row = &h.weights[static_cast<size_t>(c) * set.dim];
    NormalizeInPlace(row, set.dim);
    for (int k = 0; k < set.dim; ++k) row[k] *= scale;
  }
  // Cosine similarity lies in [-1, 1]: the logits in [-scale, scale].
  h.logit_min = -scale;
  h.logit_max = scale;
  return h;
}

StatusOr<ClassifierHead> MergeImprinted(const ClassifierHead& base, const std::vector<std::string>& base_labels,
                                        const ClassifierHead& fresh, const std::vector<std::string>& fresh_labels,
                                        std::vector<std::string>* merged_labels) {
  if (base.dim != fresh.dim) {
    return InvalidArgument("the kept model's head reads " + std::to_string(base.dim) +
                           "-d embeddings, this extractor gives " + std::to_string(fresh.dim));
  }
  if (!base.l2_normalize) {
    return InvalidArgument("the kept model's head has no L2_NORMALIZATION: it was not made by imprinting");
  }
  ClassifierHead out = base;
  *merged_labels = base_labels;
  for (int c = 0; c < fresh.num_classes; ++c) {
    const float* row = &fresh.weights[static_cast<size_t>(c) * fresh.dim];
    size_t at = 0;
    while (at < merged_labels->size() && (*merged_labels)[at] != fresh_labels[static_cast<size_t>(c)]) ++at;
    if (at == merged_labels->size()) {
      merged_labels->push_back(fresh_labels[static_cast<size_t>(c)]);
      out.weights.insert(out.weights.end(), row, row + fresh.dim);
      out.bias.push_back(0.0f);
      out.num_classes++;
    } else {
      std::copy(row, row + fresh.dim, out.weights.begin() + static_cast<long>(at * static_cast<size_t>(fresh.dim)));
    }
  }
  out.logit_min = std::min(base.logit_min, fresh.logit_min);
  out.logit_max = std::max(base.logit_max, fresh.logit_max);
  return out;
}

}  // namespace edgeforge::ondevice
