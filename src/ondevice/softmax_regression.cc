#include "ondevice/softmax_regression.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace edgeforge::ondevice {

namespace {
void Logits(const ClassifierHead& h, const std::vector<float>& e, std::vector<float>* out) {
  out->assign(static_cast<size_t>(h.num_classes), 0.0f);
  for (int c = 0; c < h.num_classes; ++c) {
    const float* row = &h.weights[static_cast<size_t>(c) * h.dim];
    double acc = h.bias[static_cast<size_t>(c)];
    for (int k = 0; k < h.dim; ++k) acc += static_cast<double>(row[k]) * e[static_cast<size_t>(k)];
    (*out)[static_cast<size_t>(c)] = static_cast<float>(acc);
  }
}
}  // namespace

ClassifierHead TrainSoftmaxRegression(const EmbeddingSet& train, int num_classes,
                                      const SoftmaxRegressionOptions& o) {
  ClassifierHead h;
  h.num_classes = num_classes;
  h.dim = train.dim;
  h.weights.resize(static_cast<size_t>(num_classes) * train.dim);
  h.bias.assign(static_cast<size_t>(num_classes), 0.0f);
  std::mt19937 rng(o.seed);
  std::normal_distribution<float> init(0.0f, o.weight_scale);
  for (float& w : h.weights) w = init(rng);

  const size_t n = train.size();
  const size_t batch = std::min<size_t>(static_cast<size_t>(std::max(1, o.batch_size)), n);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::vector<float> grad_w(h.weights.size()), grad_b(h.bias.size()), logits, probs(static_cast<size_t>(num_classes));
  size_t cursor = n;
  for (int it = 0; it < o.iterations && n > 0; ++it) {
    std::fill(grad_w.begin(), grad_w.end(), 0.0f);
    std::fill(grad_b.begin(), grad_b.end(), 0.0f);
    for (size_t b = 0; b < batch; ++b) {
      if (cursor == n) {  // a new epoch: reshuffle
        std::shuffle(order.begin(), order.end(), rng);
        cursor = 0;
      }
      const size_t i = order[cursor++];
      const std::vector<float>& e = train.values[i];
      Logits(h, e, &logits);
      const float mx = *std::max_element(logits.begin(), logits.end());
      double sum = 0;
      for (int c = 0; c < num_classes; ++c) sum += std::exp(static_cast<double>(logits[static_cast<size_t>(c)] - mx));
      for (int c = 0; c < num_classes; ++c) {
        float p = static_cast<float>(std::exp(static_cast<double>(logits[static_cast<size_t>(c)] - mx)) / sum);
        float g = p - (c == train.labels[i] ? 1.0f : 0.0f);  // d(cross-entropy)/d(logit)
        grad_b[static_cast<size_t>(c)] += g;
        float* gw = &grad_w[static_cast<size_t>(c) * h.dim];
        for (int k = 0; k < h.dim; ++k) gw[k] += g * e[static_cast<size_t>(k)];
      }
    }
    const float step = o.learning_rate / static_cast<float>(batch);
    for (size_t k = 0; k < h.weights.size(); ++k) {
      h.weights[k] -= step * grad_w[k] + o.learning_rate * o.regularization * h.weights[k];
    }
    for (size_t c = 0; c < h.bias.size(); ++c) h.bias[c] -= step * grad_b[c];
  }
  // The logit range over the training data (widened by a quarter) fixes the output quantization.
  float lo = 0, hi = 0;
  for (size_t i = 0; i < n; ++i) {
    Logits(h, train.values[i], &logits);
    for (float l : logits) lo = std::min(lo, l), hi = std::max(hi, l);
  }
  const float margin = 0.25f * (hi - lo);
  h.logit_min = lo - margin;
  h.logit_max = hi + margin;
  return h;
}

}  // namespace edgeforge::ondevice
