#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace edgeforge::train {

// As the MnasNet reference (build_learning_rate): the decay is counted from step 0, not from the
// end of the warm-up, and the warm-up simply replaces it while it lasts.
double LrSchedule::At(double epoch) const {
  const double top = peak();
  if (warmup_epochs > 0 && epoch < warmup_epochs) return top * epoch / warmup_epochs;
  if (cosine) {
    const double progress = total_epochs > 0 ? std::min(epoch / total_epochs, 1.0) : 1.0;
    return 0.5 * top * (1 + std::cos(M_PI * progress));
  }
  // Staircase: the tiny slack keeps epoch = k * decay_epochs, reached through step /
  // steps_per_epoch in floating point, on the new stair as TF's integer step counting has it.
  const double stairs = std::floor(epoch / decay_epochs + 1e-9);
  return top * std::pow(decay_rate, stairs);
}

}  // namespace edgeforge::train
