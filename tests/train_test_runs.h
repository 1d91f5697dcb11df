// The tiny training run the trainer's tests share: MobileNetV2 0.35 at 32 px on 256
// Fashion-MNIST images, 2 epochs of SGD, 1 thread — seconds, deterministic.
#pragma once

#include <string>

#include "train/trainer.h"

namespace edgeforge::testing {

inline train::TrainOptions TinyFashionMnistRun(const std::string& out) {
  train::TrainOptions o;
  o.architecture = "mobilenet-v2";
  o.width_multiplier = 0.35f;
  o.data = "fashion-mnist";
  o.image_size = 32;
  o.epochs = 2;
  o.batch_size = 32;
  o.threads = 1;
  o.workers = 1;
  o.limit = 256;
  o.eval_limit = 100;
  o.lr_per_256 = 0.1;
  o.optimizer = "sgd";
  o.ema_decay = 0.9;
  o.out_dir = out;
  o.progress = false;
  return o;
}

}  // namespace edgeforge::testing
