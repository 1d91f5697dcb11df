#include "train/loss.h"

namespace edgeforge::train {

// -sum(target * log_softmax) with target = onehot * (1 - s) + s / C, written without building the
// targets: (1 - s) * nll(label) + s * mean over classes of -log_softmax. `labels` are class
// indices [N] (any integer type), or already one-hot / soft targets [N, C].
torch::Tensor SmoothedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels,
                                   double smoothing) {
  const torch::Tensor log_probs = torch::log_softmax(logits, /*dim=*/1);
  if (labels.dim() == 2) {
    const int64_t classes = logits.size(1);
    const torch::Tensor targets = labels.to(log_probs.scalar_type()) * (1 - smoothing) + smoothing / classes;
    return -(targets * log_probs).sum(1).mean();
  }
  const torch::Tensor nll = -log_probs.gather(1, labels.to(torch::kLong).unsqueeze(1)).squeeze(1);
  if (smoothing == 0) return nll.mean();
  const torch::Tensor uniform = -log_probs.mean(1);
  return ((1 - smoothing) * nll + smoothing * uniform).mean();
}

}  // namespace edgeforge::train
