// Head-only transfer learning from a pretrained .tflite (`edgeforge train --head-only`):
//   1. cut the pretrained model's classifier head off (head_cut.h);
//   2. compute backbone features once for every training photo, its augmented variants, and
//      the validation and test photos (features.h);
//   3. train a new dropout + fully-connected head on them (head_trainer.h), measure it on the
//      validation photos, then (by default) train it again with them;
//   4. write OUT/model_float.tflite (float backbone — a quantized one dequantized — plus a float
//      head), OUT/model_int8.tflite (unless --quantize none), OUT/labels.txt, OUT/metrics.json.
//
// The 8-bit model of a quantized backbone is the backbone's own bytes with the head appended in
// the backbone's type (uint8 for TF1 models, int8 for TF2 ones, as on-device retraining does),
// not the float model re-quantized: the published weights and activation ranges were learned
// with quantization (QAT) or calibrated on ImageNet, so keeping them loses nothing, the backbone
// stays byte-identical with the TFLite runtime (its kernels are checked against it on these very
// models), and every op maps to the Edge TPU. A float backbone has no 8-bit form to keep: its
// model goes through quant::QuantizeModel with the training photos as calibration.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "transfer/head_cut.h"
#include "transfer/head_trainer.h"

namespace edgeforge::transfer {

// HeadOnlyOptions::augment's default: kFixedViews extra views per photo below
// kAugmentBelowPhotos training photos, none from there on. A few hundred photos are where the
// extra views help (flowers-mini, mean of 10 splits: validation accuracy 85.5 % without them,
// 87.2 % with them on the TF1 MobileNetV2; 84.7 % without, 84.8 % with them and averaged head
// weights on the TF2 one); with thousands the photos themselves vary enough, and the backbone passes
// would cost minutes.
inline constexpr int kAutoAugment = -1;
inline constexpr size_t kAugmentBelowPhotos = 1000;
int AugmentFor(int augment, size_t train_photos);  // resolves kAutoAugment

struct HeadOnlyOptions {
  std::string from;    // pretrained .tflite
  std::string data;    // class-per-folder photos, or a folder with train/ and test/ of them
  std::string out;     // output folder (created)
  std::string cut_at;  // feature tensor name; empty: find the head
  bool quantize_int8 = true;
  float val_fraction = 0.2f;
  int augment = kAutoAugment;  // augmented views per training photo (augment.h)
  int threads = 1;
  uint32_t seed = 1;
  // After the validation accuracy is measured, train the written head again, the same way, on
  // the training and validation photos together: a quarter more photos. Validation cannot pick
  // anything after that, and nothing is picked then (the epochs are fixed); on flowers-mini,
  // going from 192 to 240 training photos raised validation accuracy, so 300 should help again.
  bool train_on_val = true;
  HeadTrainingOptions training;
};

// Accuracies are -1 where a split has no photos.
struct SplitAccuracy {
  double train = -1;
  double val = -1;
  double test = -1;
};

// With HeadOnlyOptions::train_on_val, `val` accuracies are of the head trained without the
// validation photos (the held-out estimate); train and test ones are of the written head.
struct HeadOnlyReport {
  std::vector<std::string> labels;
  HeadKind head_kind = HeadKind::kNone;
  std::string feature_tensor;
  int feature_dim = 0;
  bool trained_on_val = false;  // the written head also saw the validation photos
  size_t train_images = 0;
  int augment = 0;            // extra views per photo, kAutoAugment resolved
  size_t train_examples = 0;  // train_images x (1 + augment)
  size_t val_images = 0;
  size_t test_images = 0;
  // Of the written model that `evaluated` names: for model_int8.tflite the exact integer
  // arithmetic of the file; for model_float.tflite the float head on the backbone's features.
  std::string evaluated;
  SplitAccuracy accuracy;
  SplitAccuracy float_head_accuracy;  // the float head on the backbone's (dequantized) features
  std::optional<bool> edgetpu_fully_mapped;  // int8 model only
  int edgetpu_cpu_ops = 0;
  double feature_seconds = 0;
  double training_seconds = 0;
  double export_seconds = 0;
  double total_seconds = 0;
  std::vector<std::string> written;  // files, in the order written
};

// Progress and skipped photos go to `log` (may be null).
StatusOr<HeadOnlyReport> TrainHeadOnly(const HeadOnlyOptions& options, std::FILE* log);

// metrics.json's content.
std::string MetricsJson(const HeadOnlyOptions& options, const HeadOnlyReport& report);

// "wrote OUT/model_int8.tflite: 5 classes (...)\ntest accuracy 90.0% ..." for the CLI.
std::string FormatHeadOnlyReport(const HeadOnlyReport& report);

}  // namespace edgeforge::transfer
