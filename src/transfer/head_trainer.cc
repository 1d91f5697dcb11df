#include "transfer/head_trainer.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace edgeforge::transfer {

void HeadLogits(const ondevice::ClassifierHead& h, const std::vector<float>& e, std::vector<float>* out) {
  out->resize(static_cast<size_t>(h.num_classes));
  for (int c = 0; c < h.num_classes; ++c) {
    const float* row = &h.weights[static_cast<size_t>(c) * static_cast<size_t>(h.dim)];
    float acc = h.bias[static_cast<size_t>(c)];
    for (int k = 0; k < h.dim; ++k) acc += row[k] * e[static_cast<size_t>(k)];
    (*out)[static_cast<size_t>(c)] = acc;
  }
}

double FloatAccuracy(const ondevice::ClassifierHead& head, const FeatureSet& set) {
  if (set.size() == 0) return -1;
  std::vector<float> logits;
  size_t correct = 0;
  for (size_t i = 0; i < set.size(); ++i) {
    HeadLogits(head, set.values[i], &logits);
    correct += static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin()) == set.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(set.size());
}

ondevice::ClassifierHead TrainHead(const FeatureSet& train, int num_classes, const HeadTrainingOptions& o,
                                   HeadTrainingLog* log) {
  ondevice::ClassifierHead h;
  h.num_classes = num_classes;
  h.dim = train.dim;
  const size_t dim = static_cast<size_t>(train.dim);
  const size_t classes = static_cast<size_t>(num_classes);
  std::mt19937 rng(o.seed);
  // Glorot-uniform initial weights, zero bias (Keras' Dense defaults).
  const float limit = std::sqrt(6.0f / static_cast<float>(dim + classes));
  std::uniform_real_distribution<float> init(-limit, limit);
  h.weights.resize(classes * dim);
  for (float& w : h.weights) w = init(rng);
  h.bias.assign(classes, 0.0f);

  // Adam state for weights and bias.
  std::vector<float> m_w(h.weights.size(), 0.f), v_w(h.weights.size(), 0.f), m_b(classes, 0.f), v_b(classes, 0.f);
  const float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-7f;
  std::vector<float> grad_w(h.weights.size()), grad_b(classes), logits, dropped(dim), probs(classes);
  std::vector<size_t> order(train.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::bernoulli_distribution keep(1.0 - static_cast<double>(o.dropout));
  const float keep_scale = o.dropout < 1.0f ? 1.0f / (1.0f - o.dropout) : 0.0f;  // inverted dropout
  const size_t batch = static_cast<size_t>(std::max(1, o.batch_size));
  int step = 0;
  const int averaged_from = o.epochs - std::max(1, o.average_last_epochs);
  std::vector<float> sum_w(h.weights.size(), 0.f), sum_b(classes, 0.f);
  int averaged = 0;
  for (int epoch = 0; epoch < o.epochs && !order.empty(); ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    double epoch_loss = 0;
    for (size_t start = 0; start < order.size(); start += batch) {
      const size_t end = std::min(order.size(), start + batch);
      std::fill(grad_w.begin(), grad_w.end(), 0.f);
      std::fill(grad_b.begin(), grad_b.end(), 0.f);
      for (size_t b = start; b < end; ++b) {
        const size_t i = order[b];
        const std::vector<float>& e = train.values[i];
        for (size_t k = 0; k < dim; ++k) dropped[k] = o.dropout > 0 && !keep(rng) ? 0.f : e[k] * (o.dropout > 0 ? keep_scale : 1.f);
        HeadLogits(h, dropped, &logits);
        const float mx = *std::max_element(logits.begin(), logits.end());
        double sum = 0;
        for (size_t c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(logits[c] - mx));
        const size_t label = static_cast<size_t>(train.labels[i]);
        epoch_loss += std::log(sum) - static_cast<double>(logits[label] - mx);
        for (size_t c = 0; c < classes; ++c) {
          const float p = static_cast<float>(std::exp(static_cast<double>(logits[c] - mx)) / sum);
          const float g = p - (c == label ? 1.f : 0.f);  // d(cross-entropy)/d(logit)
          if (g == 0.f) continue;
          grad_b[c] += g;
          float* gw = &grad_w[c * dim];
          for (size_t k = 0; k < dim; ++k) gw[k] += g * dropped[k];
        }
      }
      ++step;
      const float inv_n = 1.0f / static_cast<float>(end - start);
      const float lr_t = o.learning_rate * std::sqrt(1.0f - std::pow(beta2, static_cast<float>(step))) /
                         (1.0f - std::pow(beta1, static_cast<float>(step)));
      auto adam = [&](std::vector<float>& p, const std::vector<float>& g, std::vector<float>& m, std::vector<float>& v,
                      float decay) {
        for (size_t k = 0; k < p.size(); ++k) {
          const float gk = g[k] * inv_n + decay * p[k];
          m[k] = beta1 * m[k] + (1 - beta1) * gk;
          v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
          p[k] -= lr_t * m[k] / (std::sqrt(v[k]) + eps);
        }
      };
      adam(h.weights, grad_w, m_w, v_w, o.weight_decay);
      adam(h.bias, grad_b, m_b, v_b, 0.0f);
    }
    if (log) log->epoch_loss.push_back(static_cast<float>(epoch_loss / static_cast<double>(order.size())));
    if (epoch >= averaged_from) {
      for (size_t k = 0; k < sum_w.size(); ++k) sum_w[k] += h.weights[k];
      for (size_t c = 0; c < classes; ++c) sum_b[c] += h.bias[c];
      ++averaged;
    }
  }
  if (averaged > 1) {
    const float inv = 1.0f / static_cast<float>(averaged);
    for (size_t k = 0; k < sum_w.size(); ++k) h.weights[k] = sum_w[k] * inv;
    for (size_t c = 0; c < classes; ++c) h.bias[c] = sum_b[c] * inv;
  }
  // The logit range over the training features (widened by a quarter for unseen photos) fixes
  // the quantized FULLY_CONNECTED output's scale, as on-device training does.
  float lo = 0, hi = 0;
  for (size_t i = 0; i < train.size(); ++i) {
    HeadLogits(h, train.values[i], &logits);
    for (float l : logits) lo = std::min(lo, l), hi = std::max(hi, l);
  }
  const float margin = 0.25f * (hi - lo);
  h.logit_min = lo - margin;
  h.logit_max = hi + margin;
  return h;
}

}  // namespace edgeforge::transfer
