// A training run from start to export: the MnasNet recipe (see issue 4 / README) on a zoo
// architecture or an imported backbone, over any data::Dataset, with per-epoch evaluation of
// the averaged weights, metrics.csv, TensorBoard events, atomic checkpoints (every epoch and on
// SIGINT) and exact resumption, then export of the EMA weights as a float .tflite.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::train {

struct TrainOptions {
  // What to train: a zoo architecture ...
  std::string architecture;  // "mnasnet-a1"
  float width_multiplier = 1.0f;
  // ... or, for fine-tuning, a pretrained .tflite whose head is replaced by a new one for the
  // data's classes (transfer/trainable_graph.h); image size and channels are the model's.
  std::string pretrained;
  std::string cut_at;          // where the backbone ends (default: found automatically)
  std::string unfreeze_from;   // freeze everything before this tensor
  double backbone_lr_scale = 0.1;  // the backbone learns this much slower than the new head

  std::string data = "fashion-mnist";
  int image_size = 32;
  int channels = 0;           // 0: the dataset's own (1 for gray IDX data, else 3)
  int epochs = 10;
  int batch_size = 128;
  int threads = 0;            // 0: every core
  int workers = 2;            // decoding threads
  std::string optimizer = "rmsprop";
  double lr_per_256 = 0.016;  // scaled by batch / 256
  double warmup_epochs = 5;   // capped at a fifth of the run for short runs
  double decay_epochs = 2.4;
  double decay_rate = 0.97;
  bool cosine = false;
  double weight_decay = 1e-5;
  double label_smoothing = 0.1;
  float dropout = 0.2f;
  double ema_decay = 0.9999;
  // Batch-norm moving-statistics momentum (TF convention); 0: the recipe's 0.99, lowered for
  // runs too short to forget the initial statistics (see Train).
  double batch_norm_momentum = 0;
  bool random_crop = true;    // random resized crop; on images of <= 64 px only when forced
  bool force_random_crop = false;  // random resized crops on tiny images too (--random-crop)
  double min_crop_area = 0.08;  // smallest crop area fraction (ImageNet's; fine-tuning: 0.35)
  bool flip = true;
  double val_fraction = 0.1;  // used when the data has no test split
  size_t limit = 0;           // train on at most this many examples (0: all)
  size_t eval_limit = 0;      // evaluate on at most this many examples (0: all)
  uint64_t seed = 1;
  std::string device = "cpu"; // "cpu" or "cuda"
  std::string out_dir;
  bool progress = true;

  // Quantization-aware training (train/qat.h) for the last `qat_epochs` epochs (0: a fifth
  // of the run, at least 1), then OUT/model_int8.tflite next to the float model, with I/O
  // `qat_io` ("int8", "uint8" or "float").
  bool qat = false;
  int qat_epochs = 0;
  std::string qat_io = "int8";

  // Testing hook: behave as if SIGINT arrived after this many optimizer steps.
  int64_t interrupt_after_steps = -1;
};

struct EpochMetrics {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  double val_loss = 0;
  double val_accuracy = 0;
  double val_top5 = 0;
  double learning_rate = 0;
  double images_per_second = 0;
  double seconds = 0;
};

struct TrainResult {
  bool interrupted = false;  // stopped by SIGINT (checkpoint written, no export)
  std::vector<EpochMetrics> epochs;
  std::string model_path;    // OUT/model.tflite
  std::string int8_model_path;  // OUT/model_int8.tflite (--qat)
  size_t skipped_images = 0;
};

// The defaults of a fine-tuning run (`--from X --fine-tune`) where they differ from a run from
// scratch: 8 epochs of SGD (Nesterov) at a lower learning rate with cosine decay and no
// warm-up, batch 32, an EMA decay suited to a few hundred steps, milder crops (min area 0.35).
// The backbone learns `backbone_lr_scale` (0.1) times slower than the new head.
TrainOptions FineTuneDefaults();

// Runs from scratch of at most this many epochs take ShortRunDefaults for what the command line
// leaves open: the MnasNet recipe's schedule is made for 350 epochs.
inline constexpr int kShortRunEpochs = 10;

// The defaults of a short run of `epochs` from scratch where they differ from the recipe's: no
// warm-up, a lower learning rate (RMSProp, 0.003 per 256 images instead of 0.016) and, for one
// or two epochs, no flips. Measured on Fashion-MNIST, MobileNetV2 0.5 at 32 px: see README
// (training).
TrainOptions ShortRunDefaults(int epochs);

// Runs (or, when OUT holds a checkpoint and `resume` is true, resumes) a training run.
// Progress and messages go to `log`.
StatusOr<TrainResult> Train(TrainOptions options, bool resume, std::FILE* log);

// Training throughput on synthetic data (what bench/train_compare.sh puts next to PyTorch):
// builds `options.architecture` for 10 classes, runs `warmup` then `steps` optimizer steps of
// forward + backward + update on one random batch, and returns images per second of the timed
// steps. No data loading, no EMA: the same work as bench/train_pytorch.py.
StatusOr<double> BenchmarkTraining(const TrainOptions& options, int warmup, int steps);

// Set by the SIGINT handler that Train installs; a run stops at the next step, checkpoints and
// returns interrupted = true.
std::atomic<bool>& InterruptRequested();

}  // namespace edgeforge::train
