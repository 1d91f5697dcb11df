// edgeforge-train: training with LibTorch, as its own executable so the device binary
// (`edgeforge`) never loads LibTorch. `edgeforge train ...` runs it with the same arguments
// (the way git runs its subcommands); it can also be run directly.
//
//   edgeforge-train --arch mnasnet-a1 [--width W] --data fashion-mnist|DIR|TFRECORD
//       [--image-size S] [--channels 1|3] [--epochs N] [--batch B] [--threads T]
//       [--optimizer rmsprop|sgd|adamw] [--lr LR_PER_256] [--cosine]
//       [--qat [--qat-epochs N] [--qat-io int8|uint8|float]] --out DIR
//   edgeforge-train --from PRETRAINED.tflite --fine-tune [--unfreeze-from TENSOR]
//       [--backbone-lr-scale S] --data DIR --out DIR
//     (fine-tuning defaults, each overridable: 8 epochs, batch 32, sgd, --lr 0.16, cosine, no
//     warm-up, --ema-decay 0.99, --min-crop-area 0.35, backbone learning rate x0.1)
//   edgeforge-train --resume DIR [--epochs N]
//
// Exit codes: 0 trained and exported, 1 bad input, 2 bad usage, 130 interrupted by SIGINT
// (checkpoint written; continue with --resume).
#include <CLI/CLI.hpp>
#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "models/zoo.h"
#include "train/trainer.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

std::string ArchitectureList() {
  std::string list;
  for (const auto& a : edgeforge::models::Architectures()) list += (list.empty() ? "" : ", ") + a.name;
  return list;
}

// glibc returns the heap's free top to the kernel once it exceeds a trim threshold that
// follows the largest freed block (~25 MB at batch 128, 32x32). A training step frees all its
// activations at the end of backward, so every step gave ~70 MB back and page-faulted it in
// again: ~22k page faults and ~40 ms of CPU per MobileNetV2 step (1 thread), ~0.15 of the step.
// Fixed thresholds keep freed activations mapped for the next step (blocks above 32 MB are
// still mmapped, as before).
void KeepFreedActivationsMapped() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  KeepFreedActivationsMapped();
  using edgeforge::train::TrainOptions;
  TrainOptions o;
  std::string resume_dir;
  bool no_progress = false;
  CLI::App app{"edgeforge-train: train MnasNet / MobileNet classifiers with LibTorch and export .tflite"};
  app.add_option("--arch", o.architecture, "architecture: " + ArchitectureList());
  app.add_option("--width", o.width_multiplier, "width multiplier (channels rounded to multiples of 8)")
      ->check(CLI::PositiveNumber);
  bool fine_tune = false;
  app.add_option("--from", o.pretrained, "fine-tune this pretrained .tflite (its head is replaced)");
  app.add_flag("--fine-tune", fine_tune, "with --from: train the backbone too (head-only runs in edgeforge)");
  app.add_option("--unfreeze-from", o.unfreeze_from, "with --fine-tune: train only from this tensor on");
  app.add_option("--cut-at", o.cut_at, "with --from: the tensor where the backbone ends");
  app.add_option("--backbone-lr-scale", o.backbone_lr_scale, "with --fine-tune: backbone learning-rate factor")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--data", o.data, "fashion-mnist, mnist, a folder of class subfolders, or TFRecord files");
  app.add_option("--image-size", o.image_size, "input height and width")->check(CLI::Range(8, 1024));
  app.add_option("--channels", o.channels, "input channels (default: the data's own: 1 for gray)")
      ->check(CLI::IsMember({1, 3}));
  app.add_option("--epochs", o.epochs, "epochs")->check(CLI::PositiveNumber);
  app.add_option("--batch", o.batch_size, "batch size")->check(CLI::Range(1, 65536));
  app.add_option("--threads", o.threads, "compute threads (default: all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--workers", o.workers, "image decoding threads")->check(CLI::Range(1, 64));
  app.add_option("--optimizer", o.optimizer, "rmsprop (MnasNet recipe), sgd (Nesterov) or adamw")
      ->check(CLI::IsMember({"rmsprop", "sgd", "adamw"}));
  app.add_option("--lr", o.lr_per_256, "learning rate per 256 images (scaled with the batch)")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup-epochs", o.warmup_epochs, "linear warm-up epochs")->check(CLI::NonNegativeNumber);
  app.add_flag("--cosine", o.cosine, "cosine decay instead of x0.97 every 2.4 epochs");
  app.add_option("--weight-decay", o.weight_decay, "L2 weight decay (not on batch norm)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--label-smoothing", o.label_smoothing, "label smoothing")->check(CLI::Range(0.0, 0.99));
  app.add_option("--dropout", o.dropout, "dropout before the classifier")->check(CLI::Range(0.0, 0.99));
  app.add_option("--ema-decay", o.ema_decay, "weight moving-average decay (0 disables)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--bn-momentum", o.batch_norm_momentum,
                 "batch-norm moving-average momentum, TF convention (default 0.99; less for short runs)")
      ->check(CLI::Range(0.01, 0.9999));
  app.add_option("--val-fraction", o.val_fraction, "held-out share when the data has no test split")
      ->check(CLI::Range(0.0, 0.9));
  app.add_option("--limit", o.limit, "train on at most N examples (class-balanced)");
  app.add_option("--eval-limit", o.eval_limit, "evaluate on at most N examples (class-balanced)");
  app.add_option("--seed", o.seed, "random seed");
  app.add_option("--device", o.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--min-crop-area", o.min_crop_area, "smallest random crop, as a fraction of the image area")
      ->check(CLI::Range(0.01, 1.0));
  auto* no_crop = app.add_flag("--no-random-crop", [&](int64_t) { o.random_crop = false; }, "no random resized crops");
  app.add_flag("--random-crop", o.force_random_crop,
               "random resized crops on images of <= 64 px too (off there by default; see --min-crop-area)")
      ->excludes(no_crop);
  app.add_flag("--no-flip", [&](int64_t) { o.flip = false; }, "no horizontal flips");
  app.add_flag("--flip", [&](int64_t) { o.flip = true; },
               "horizontal flips (the default, except in runs of 1 or 2 epochs from scratch)")
      ->excludes("--no-flip");
  app.add_flag("--no-progress", no_progress, "no progress bar (epoch summaries only)");
  app.add_flag("--qat", o.qat, "quantization-aware training for the last epochs, then an int8 model too");
  app.add_option("--qat-epochs", o.qat_epochs, "with --qat: QAT epochs (default: a fifth of the run, at least 1)")
      ->check(CLI::PositiveNumber);
  app.add_option("--qat-io", o.qat_io, "with --qat: int8 model input/output type")
      ->check(CLI::IsMember({"int8", "uint8", "float"}));
  app.add_option("--out", o.out_dir, "output folder: model.tflite, labels.txt, metrics.csv, checkpoints");
  app.add_option("--resume", resume_dir, "continue the run in this output folder");
  int benchmark_steps = 0;
  app.add_option("--benchmark-steps", benchmark_steps,
                 "measure training images/s on synthetic data over N steps (no data, no output)");
  app.add_option("--interrupt-after-steps", o.interrupt_after_steps,
                 "testing: act as if SIGINT arrived after N steps")->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "edgeforge-train: usage error: %s\nRun 'edgeforge train --help' for usage.\n", e.what());
    return kExitUsage;
  }
  if (benchmark_steps > 0) {
    if (o.architecture.empty()) {
      std::fprintf(stderr, "edgeforge-train: usage error: --benchmark-steps needs --arch\n");
      return kExitUsage;
    }
    auto rate = edgeforge::train::BenchmarkTraining(o, 3, benchmark_steps);
    if (!rate.ok()) {
      std::fprintf(stderr, "edgeforge-train: error: %s\n", rate.status().message().c_str());
      return kExitBadInput;
    }
    std::printf("edgeforge %s threads=%d batch=%d size=%d: %.0f images/s\n", o.architecture.c_str(),
                o.threads, o.batch_size, o.image_size, *rate);
    return kExitOk;
  }
  const bool resume = !resume_dir.empty();
  if (resume) {
    if (!o.out_dir.empty() && o.out_dir != resume_dir) {
      std::fprintf(stderr, "edgeforge-train: usage error: --resume and --out name different folders\n");
      return kExitUsage;
    }
    o.out_dir = resume_dir;
    if (app.count("--epochs") == 0) o.epochs = 0;  // keep the run's own
  } else {
    if (!o.pretrained.empty() && !fine_tune) {
      std::fprintf(stderr, "edgeforge-train: usage error: --from needs --fine-tune (or --head-only, which "
                           "'edgeforge train' runs itself)\n");
      return kExitUsage;
    }
    if (fine_tune && o.pretrained.empty()) {
      std::fprintf(stderr, "edgeforge-train: usage error: --fine-tune needs --from PRETRAINED.tflite\n");
      return kExitUsage;
    }
    if (o.architecture.empty() && o.pretrained.empty()) {
      std::fprintf(stderr, "edgeforge-train: usage error: --arch is required (one of %s), or --from with "
                           "--fine-tune\n", ArchitectureList().c_str());
      return kExitUsage;
    }
    if (o.out_dir.empty()) {
      std::fprintf(stderr, "edgeforge-train: usage error: --out is required\n");
      return kExitUsage;
    }
    auto given = [&](const char* flag) { return app.count(flag) > 0; };
    if (fine_tune) {  // fine-tuning defaults for what the command line leaves open
      const TrainOptions d = edgeforge::train::FineTuneDefaults();
      if (!given("--epochs")) o.epochs = d.epochs;
      if (!given("--batch")) o.batch_size = d.batch_size;
      if (!given("--optimizer")) o.optimizer = d.optimizer;
      if (!given("--lr")) o.lr_per_256 = d.lr_per_256;
      if (!given("--backbone-lr-scale")) o.backbone_lr_scale = d.backbone_lr_scale;
      if (!given("--warmup-epochs")) o.warmup_epochs = d.warmup_epochs;
      if (!given("--cosine")) o.cosine = d.cosine;
      if (!given("--weight-decay")) o.weight_decay = d.weight_decay;
      if (!given("--ema-decay")) o.ema_decay = d.ema_decay;
      if (!given("--min-crop-area")) o.min_crop_area = d.min_crop_area;
    } else if (o.epochs <= edgeforge::train::kShortRunEpochs) {
      const TrainOptions d = edgeforge::train::ShortRunDefaults(o.epochs);
      if (!given("--lr")) o.lr_per_256 = d.lr_per_256;
      if (!given("--warmup-epochs")) o.warmup_epochs = d.warmup_epochs;
      if (!given("--no-flip") && !given("--flip")) o.flip = d.flip;
    }
  }
  o.progress = !no_progress;
  auto result = edgeforge::train::Train(std::move(o), resume, stderr);
  if (!result.ok()) {
    std::fprintf(stderr, "edgeforge-train: error: %s\n", result.status().message().c_str());
    return kExitBadInput;
  }
  if (result->skipped_images > 0) {
    std::fprintf(stderr, "edgeforge-train: warning: %zu images could not be decoded and were skipped\n",
                 result->skipped_images);
  }
  if (result->interrupted) return kExitInterrupted;
  std::printf("%s\n", result->model_path.c_str());
  if (!result->int8_model_path.empty()) std::printf("%s\n", result->int8_model_path.c_str());
  return kExitOk;
}
