// edgeforge make --data DIR|TFRECORD|fashion-mnist --out DIR [--target cpu|edgetpu]
//     [--latency-budget MS] [--from PRETRAINED.tflite] [--time-budget MIN] [--epochs N]
//     [--limit N] [--image-size S] [--threads N] [--seed N]
// From labelled images to a deployable int8 model and a report in one command: picks a recipe
// (head-only transfer learning with --from, else a zoo architecture sized to the latency
// budget and trained by edgeforge-train), quantizes, checks the Edge TPU rules, evaluates,
// times, and writes model_int8.tflite, model_float.tflite, labels.txt, report.json and
// report.html into OUT (see make/make_pipeline.h).
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "make/make_pipeline.h"

namespace edgeforge::cli {

namespace {

struct MakeFlags {
  make::MakeOptions options;
  double latency_budget_ms = 0;
  double time_budget_minutes = 0;
  CLI::Option* latency_flag = nullptr;
  CLI::Option* time_flag = nullptr;
};

// The command as it could be typed again, for the report's header.
std::string CommandLine(const make::MakeOptions& o) {
  std::string line = "edgeforge make --data " + o.data + " --out " + o.out + " --target " + o.target;
  if (o.latency_budget_ms) line += " --latency-budget " + std::to_string(*o.latency_budget_ms);
  if (!o.from.empty()) line += " --from " + o.from;
  if (o.time_budget_minutes) line += " --time-budget " + std::to_string(*o.time_budget_minutes);
  if (o.epochs > 0) line += " --epochs " + std::to_string(o.epochs);
  if (o.limit > 0) line += " --limit " + std::to_string(o.limit);
  if (o.image_size > 0) line += " --image-size " + std::to_string(o.image_size);
  return line;
}

int RunMake(MakeFlags& flags) {
  make::MakeOptions& o = flags.options;
  if (flags.latency_flag->count() > 0) o.latency_budget_ms = flags.latency_budget_ms;
  if (flags.time_flag->count() > 0) o.time_budget_minutes = flags.time_budget_minutes;
  o.command_line = CommandLine(o);
  const Status valid = make::ValidateMakeOptions(o);
  if (!valid.ok() && valid.code() == StatusCode::kInvalidArgument) {
    std::fprintf(stderr, "edgeforge: usage error: %s\nRun 'edgeforge make --help' for usage.\n",
                 valid.message().c_str());
    return kExitUsage;
  }
  if (!valid.ok()) return ReportError(valid);
  auto result = make::RunMake(o, stderr);
  if (!result.ok()) return ReportError(result.status());
  std::printf("%s", make::FormatMakeSummary(result.value()).c_str());
  return kExitOk;
}

}  // namespace

void AddMakeCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand(
      "make", "From labelled images to an int8 model, its report and the command to serve it");
  auto flags = std::make_shared<MakeFlags>();
  make::MakeOptions& o = flags->options;
  app->add_option("--data", o.data, "fashion-mnist, a folder of class subfolders (or train/ + test/), TFRecord files")
      ->required();
  app->add_option("--out", o.out, "output folder")->required();
  app->add_option("--target", o.target, "cpu or edgetpu (uint8 I/O, every op on the Edge TPU)");
  flags->latency_flag = app->add_option("--latency-budget", flags->latency_budget_ms,
                                        "float latency target in ms on this CPU for choosing an architecture "
                                        "(default 5)");
  app->add_option("--from", o.from, "pretrained .tflite: head-only transfer learning instead of training from scratch");
  flags->time_flag = app->add_option("--time-budget", flags->time_budget_minutes,
                                     "minutes for training from scratch; sets the epochs (default 5)");
  app->add_option("--epochs", o.epochs, "epochs (overrides --time-budget)")->check(CLI::PositiveNumber);
  app->add_option("--limit", o.limit, "train on at most N examples (class-balanced)");
  app->add_option("--image-size", o.image_size, "from scratch: input size (default from the data, at most 128)");
  app->add_option("--threads", o.threads, "threads (default: every core)")->check(CLI::NonNegativeNumber);
  app->add_option("--seed", o.seed, "random seed (data split, training)");
  commands.push_back({app, [flags] { return RunMake(*flags); }});
}

}  // namespace edgeforge::cli
