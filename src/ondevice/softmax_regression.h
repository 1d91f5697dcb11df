// Last-layer retraining as Coral's SoftmaxRegression does it: a fully-connected layer over the
// extractor's (dequantized) embeddings, trained with minibatch SGD on the cross-entropy of its
// softmax plus L2 regularisation, entirely on cached embeddings (no backbone passes).
#pragma once

#include <cstdint>

#include "ondevice/classifier_head.h"
#include "ondevice/embeddings.h"

namespace edgeforge::ondevice {

struct SoftmaxRegressionOptions {
  float learning_rate = 0.01f;
  int batch_size = 100;
  int iterations = 500;
  float weight_scale = 0.01f;  // initial weights ~ N(0, weight_scale^2)
  float regularization = 0.0f;  // L2 weight decay strength
  uint32_t seed = 1;
};

ClassifierHead TrainSoftmaxRegression(const EmbeddingSet& train, int num_classes,
                                      const SoftmaxRegressionOptions& options);

}  // namespace edgeforge::ondevice
