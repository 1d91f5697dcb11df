// edgeforge train --from PRETRAINED.tflite --data DIR --head-only --out DIR
//     [--epochs 30] [--lr 0.001] [--batch 32] [--val-fraction 0.2] [--augment -1|N]
//     [--dropout 0.5] [--average-epochs 10] [--weight-decay 0.0001] [--keep-val-out] [--quantize int8|none] [--cut-at TENSOR] [--threads N] [--seed N]
// Head-only transfer learning runs here (src/transfer/, no LibTorch). Everything else —
// training from scratch (--arch ...), --fine-tune — belongs to the LibTorch trainer, a separate
// executable `edgeforge-train` installed next to this one: the arguments after `train` are
// handed to it unchanged with execv (cli/siblings.h). So that CLI11 does not reject the
// trainer's flags, the subcommand takes its arguments verbatim and they are parsed here only
// with --head-only.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/command.h"
#include "cli/siblings.h"
#include "transfer/head_only.h"

namespace edgeforge::cli {

namespace {

constexpr const char* kTrainerName = "edgeforge-train";

struct HeadOnlyFlags {
  transfer::HeadOnlyOptions options;
  std::string quantize = "int8";
  bool head_only = false;
  bool keep_val_out = false;
};

void AddHeadOnlyFlags(CLI::App& app, HeadOnlyFlags& f) {
  transfer::HeadOnlyOptions& o = f.options;
  transfer::HeadTrainingOptions& t = o.training;
  app.add_flag("--head-only", f.head_only, "train only a new classifier head on cached backbone features")->required();
  app.add_option("--from", o.from, "pretrained .tflite: a classifier (float, uint8 or int8) or a feature extractor")
      ->required();
  app.add_option("--data", o.data, "photos, one subfolder per class (or train/ and test/ folders of them)")->required();
  app.add_option("--out", o.out, "output folder: model_float.tflite, model_int8.tflite, labels.txt, metrics.json")
      ->required();
  app.add_option("--epochs", t.epochs, "passes over the cached features")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--lr", t.learning_rate, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--batch", t.batch_size, "minibatch size")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--dropout", t.dropout, "dropout rate before the new head")->check(CLI::Range(0.0, 0.95))->capture_default_str();
  app.add_option("--average-epochs", t.average_last_epochs, "the head is the mean of its weights over the last N epochs")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--weight-decay", t.weight_decay, "L2 regularisation")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--val-fraction", o.val_fraction, "share of each class held back for validation")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  app.add_option("--augment", o.augment,
                 "extra views per training photo: 7 fixed (flip, centre crops), then random crops; "
                 "-1: 7 below 1000 training photos, else 0")
      ->check(CLI::Range(-1, 100))
      ->capture_default_str();
  app.add_flag("--keep-val-out", f.keep_val_out,
               "write the head trained without the validation photos (default: train it again with them)");
  app.add_option("--quantize", f.quantize, "also write model_int8.tflite (int8) or not (none)")
      ->check(CLI::IsMember({"int8", "none"}))
      ->capture_default_str();
  app.add_option("--cut-at", o.cut_at, "name of the feature tensor (default: found from the model's head)");
  app.add_option("--threads", o.threads, "threads")->check(CLI::Range(1, 256));
  app.add_option("--seed", o.seed, "seed of the split, augmentation and initial weights")->capture_default_str();
}

int RunHeadOnly(std::vector<std::string> args) {
  HeadOnlyFlags f;
  CLI::App app{"Head-only transfer learning from a pretrained .tflite", "edgeforge train"};
  AddHeadOnlyFlags(app, f);
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "edgeforge: usage error: %s\nRun 'edgeforge train --head-only --help' for usage.\n", e.what());
    return kExitUsage;
  }
  f.options.quantize_int8 = f.quantize == "int8";
  f.options.train_on_val = !f.keep_val_out;
  auto report = transfer::TrainHeadOnly(f.options, stderr);
  if (!report.ok()) return ReportError(report.status());
  std::printf("%s", transfer::FormatHeadOnlyReport(report.value()).c_str());
  return kExitOk;
}

// Replaces this process with edgeforge-train (same folder as this executable); returns only on
// failure.
int HandToTrainer(const std::vector<std::string>& args) {
  const std::filesystem::path trainer = SiblingPath(kTrainerName);
  std::error_code ec;
  if (!std::filesystem::exists(trainer, ec)) {
    const bool wants_help = std::find(args.begin(), args.end(), "--help") != args.end() ||
                            std::find(args.begin(), args.end(), "-h") != args.end();
    if (wants_help) {  // `edgeforge train --help` without the trainer: what this binary can do
      std::printf("edgeforge train: %s is not built (-DEF_BUILD_TRAINING=ON); available here:\n\n", kTrainerName);
      return RunHeadOnly({"--head-only", "--help"});
    }
  }
  return ExecSibling(trainer, args,
                     "training from scratch needs " + std::string(kTrainerName) +
                         " (built with -DEF_BUILD_TRAINING=ON), and so does --fine-tune (--head-only transfer "
                         "learning works without it)");
}

int RunTrain(const std::vector<std::string>& args) {
  if (std::find(args.begin(), args.end(), "--head-only") != args.end()) return RunHeadOnly(args);
  return HandToTrainer(args);
}

}  // namespace

void AddTrainCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand(
      "train",
      "Train a classifier: --head-only transfer learning from a pretrained .tflite here; from scratch (--arch) or "
      "--fine-tune with edgeforge-train. 'edgeforge train --head-only --help' lists the head-only flags");
  // Every argument after `train`, flags included, is kept verbatim for RunTrain: the head-only
  // parser or edgeforge-train decides what they mean (and answers --help).
  app->prefix_command();
  app->set_help_flag();
  commands.push_back({app, [app] { return RunTrain(app->remaining()); }});
}

}  // namespace edgeforge::cli
