// The new classifier head of head-only transfer learning: dropout then a fully-connected layer,
// trained with softmax cross-entropy, Adam and L2 weight decay on cached backbone features.
// On-device softmax regression (plain SGD, no dropout) is tuned for a handful of photos; with
// hundreds of photos and augmented variants, Adam with dropout reaches a better head in the
// same few seconds. The result is an ondevice::ClassifierHead, so appending and quantizing it
// reuse on-device training's code.
#pragma once

#include <cstdint>
#include <vector>

#include "ondevice/classifier_head.h"
#include "transfer/features.h"

namespace edgeforge::transfer {

struct HeadTrainingOptions {
  int epochs = 30;
  int batch_size = 32;
  float learning_rate = 1e-3f;  // Adam step size
  float weight_decay = 1e-4f;   // L2: adds weight_decay * w to each weight's gradient
  // Share of features zeroed per example during training. Half, not Keras' usual 0.2: with a
  // few hundred photos and 1280-d features the head fits the training set within a few epochs,
  // and on flowers-mini 0.5 gave 1 to 2 points more test accuracy.
  float dropout = 0.5f;
  // The head returned is the mean of the weights after each of the last this many epochs (0 or
  // 1: the last weights). Adam's last steps on a few hundred photos still jump between nearby
  // solutions; their mean is one of them that the split and the seed sway less.
  int average_last_epochs = 10;
  uint32_t seed = 1;
};

struct HeadTrainingLog {
  std::vector<float> epoch_loss;  // mean cross-entropy per epoch (with dropout)
};

ondevice::ClassifierHead TrainHead(const FeatureSet& train, int num_classes, const HeadTrainingOptions& options,
                                   HeadTrainingLog* log = nullptr);

// Float logits of `head` for one feature vector.
void HeadLogits(const ondevice::ClassifierHead& head, const std::vector<float>& features, std::vector<float>* logits);

// Share of `set` whose largest float logit is the label (-1 for an empty set).
double FloatAccuracy(const ondevice::ClassifierHead& head, const FeatureSet& set);

}  // namespace edgeforge::transfer
