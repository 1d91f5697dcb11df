// The MnasNet learning-rate schedule: base rate scaled linearly with the batch
// (base_lr_per_256 * batch / 256), linear warm-up over the first epochs, then exponential
// decay by `decay_rate` every `decay_epochs` (staircase), or cosine decay to 0 at the end.
#pragma once

namespace edgeforge::train {

struct LrSchedule {
  double base_lr_per_256 = 0.016;
  int batch_size = 256;
  double warmup_epochs = 5;
  double decay_epochs = 2.4;
  double decay_rate = 0.97;
  bool cosine = false;
  double total_epochs = 350;

  double peak() const { return base_lr_per_256 * batch_size / 256.0; }
  // Learning rate at fractional epoch `epoch` (step / steps_per_epoch).
  double At(double epoch) const;
};

}  // namespace edgeforge::train
