// Softmax cross-entropy with label smoothing (TF's: one-hot * (1 - s) + s / classes), mean over
// the batch.
#pragma once

#include <torch/torch.h>

namespace edgeforge::train {

torch::Tensor SmoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                   double smoothing);

}  // namespace edgeforge::train
