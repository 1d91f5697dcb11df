#include <algorithm>
#include <filesystem>
#include <thread>

#include "make/recipe.h"
#include "make/recipes.h"
#include "make/report_assembly.h"
#include "make/train_process.h"
#include "quant/calibration_images.h"
#include "quant/quantize_model.h"
#include "report/html_text.h"

namespace edgeforge::make {

namespace {

namespace fs = std::filesystem;

// Batch for the training-speed benchmark; edgeforge-train's default batch is larger, but the
// images/s of a CPU run barely depend on it past a few dozen.
constexpr int kBenchmarkBatch = 32;
constexpr int kBenchmarkSteps = 3;
// Test examples the trainer evaluates after each epoch for the curves.
constexpr size_t kTrainerEvalLimit = 1000;

Status CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return IoError("cannot copy " + from + " to " + to + ": " + ec.message());
  return Status::Ok();
}

void AddCommonTrainFlags(const MakeOptions& o, const report::RecipeSummary& r, int image_size, int channels,
                         std::vector<std::string>* argv) {
  argv->insert(argv->end(), {"--arch", r.architecture, "--width", report::FormatFixed(r.width, 2), "--image-size",
                             std::to_string(image_size), "--channels", std::to_string(channels)});
  if (o.threads > 0) argv->insert(argv->end(), {"--threads", std::to_string(o.threads)});
}

StatusOr<TrainingSchedule> ChooseSchedule(const MakeOptions& o, const DataPlan& plan,
                                          const std::string& train_binary, int image_size, int channels,
                                          report::RecipeSummary* r, std::FILE* log) {
  if (o.epochs > 0) {
    r->epochs_reason = "--epochs";
    return TrainingSchedule{o.epochs, 0};
  }
  std::vector<std::string> argv = {train_binary, "--benchmark-steps", std::to_string(kBenchmarkSteps), "--batch",
                                   std::to_string(kBenchmarkBatch)};
  AddCommonTrainFlags(o, *r, image_size, channels, &argv);
  if (log) std::fprintf(log, "measuring training speed of %s ...\n", r->architecture.c_str());
  EF_ASSIGN_OR_RETURN(ProcessResult bench, RunProcess(argv));
  if (bench.exit_code != 0) {
    return Internal(train_binary + " --benchmark-steps failed (exit " + std::to_string(bench.exit_code) +
                    "); its messages are above. Pass --epochs N to skip the measurement");
  }
  EF_ASSIGN_OR_RETURN(double rate, ParseImagesPerSecond(bench.out));
  const double minutes = TimeBudgetMinutes(o);
  const TrainingSchedule schedule = ScheduleForBudget(minutes, rate, plan.train_examples, plan.class_names.size());
  r->epochs_reason = "time budget " + report::FormatFixed(minutes, 1) + " min at " + report::FormatFixed(rate, 0) +
                     " training images/s on " + std::to_string(plan.train_examples) + " examples";
  if (schedule.examples > 0) {
    r->epochs_reason += "; one epoch over all of them does not fit, so " + std::to_string(schedule.examples) +
                        " of them (class-balanced)";
  }
  return schedule;
}

}  // namespace

int ScratchImageSize(int native_size) {
  if (native_size <= 32) return 32;
  return std::min(128, native_size / 32 * 32);
}

StatusOr<RecipeOutcome> RunScratchRecipe(const MakeOptions& o, const DataPlan& plan, report::ReportData* report,
                                         std::FILE* log) {
  EF_ASSIGN_OR_RETURN(std::string train_binary, FindTrainBinary());
  const int image_size = o.image_size > 0 ? o.image_size : ScratchImageSize(plan.native_size);
  const int channels = plan.native_channels == 1 ? 1 : 3;
  report->dataset.image_size = image_size;
  report->dataset.channels = channels;

  models::ModelOptions base;
  base.image_size = image_size;
  base.channels = channels;
  base.num_classes = static_cast<int>(plan.class_names.size());
  const double target_ms = LatencyBudgetMs(o);
  if (log) {
    std::fprintf(log, "recipe: training from scratch; choosing an architecture for %.2f ms at %dx%dx%d:\n",
                 target_ms, image_size, image_size, channels);
  }
  EF_ASSIGN_OR_RETURN(ArchitectureChoice choice,
                      ChooseArchitecture(DefaultCandidates(o.target), base, target_ms, 1, log));
  report::RecipeSummary& r = report->recipe;
  r.kind = "from-scratch";
  r.target = o.target;
  r.latency_budget_ms = target_ms;
  r.candidates = choice.candidates;
  const report::CandidateScore& chosen = choice.candidates[choice.chosen];
  r.architecture = chosen.architecture;
  r.width = chosen.width;
  r.reason = "No pretrained model was given (--from), so a zoo architecture is trained from scratch. " +
             chosen.architecture + " at width " + report::FormatFixed(chosen.width, 2) + " scores best: " +
             report::FormatMs(chosen.latency_ms) + " float latency on this machine against a " +
             report::FormatMs(target_ms) + " target, " + report::FormatMillions(chosen.macs) + " MACs.";

  EF_ASSIGN_OR_RETURN(TrainingSchedule schedule,
                      ChooseSchedule(o, plan, train_binary, image_size, channels, &r, log));
  r.epochs = schedule.epochs;
  const std::string train_dir = o.out + "/train";
  // edgeforge-train resumes from a checkpoint it finds; a new make run trains afresh.
  std::error_code ec;
  fs::remove_all(train_dir, ec);
  if (ec) return IoError(train_dir + ": cannot remove the previous run's files: " + ec.message());
  std::vector<std::string> argv = {train_binary, "--data", plan.train_spec, "--epochs", std::to_string(r.epochs),
                                   "--out", train_dir, "--seed", std::to_string(o.seed), "--no-progress"};
  AddCommonTrainFlags(o, r, image_size, channels, &argv);
  // The few epochs a time budget allows get edgeforge-train's short-run defaults
  // (train::ShortRunDefaults) unless --epochs is larger than train::kShortRunEpochs.
  // A photo folder is already limited to --limit by data_plan; other data is limited by the
  // trainer. The time budget may limit either further.
  size_t limit = plan.train_is_photo_folder ? 0 : o.limit;
  if (schedule.examples > 0) limit = limit > 0 ? std::min(limit, schedule.examples) : schedule.examples;
  if (limit > 0) {
    argv.insert(argv.end(), {"--limit", std::to_string(limit)});
    report->dataset.train_examples = std::min(report->dataset.train_examples, limit);
  }
  // The trainer's per-epoch validation (the curves) on a bounded share of the test split; the
  // report's accuracies are measured afterwards on all of it (or --limit of it).
  argv.insert(argv.end(), {"--eval-limit", std::to_string(o.limit > 0 ? o.limit : kTrainerEvalLimit)});
  if (log) {
    std::fprintf(log, "training %s width %.2f for %d epoch(s) (%s)\n", r.architecture.c_str(), r.width, r.epochs,
                 r.epochs_reason.c_str());
  }
  EF_ASSIGN_OR_RETURN(ProcessResult trained, RunProcess(argv));
  if (trained.exit_code != 0) {
    return Internal(train_binary + " failed (exit " + std::to_string(trained.exit_code) +
                    "); its messages are above");
  }
  RecipeOutcome outcome;
  outcome.float_model = o.out + "/model_float.tflite";
  outcome.labels = o.out + "/labels.txt";
  EF_RETURN_IF_ERROR(CopyFile(train_dir + "/model.tflite", outcome.float_model));
  EF_RETURN_IF_ERROR(CopyFile(train_dir + "/labels.txt", outcome.labels));
  EF_ASSIGN_OR_RETURN(report->curves, ReadMetricsCsv(train_dir + "/metrics.csv"));

  quant::QuantizeRequest q;
  q.model_path = outcome.float_model;
  q.out_path = o.out + "/model_int8.tflite";
  q.calibration_dir = plan.calibration_dir;
  // Few images (a small photo folder): half calibrate, half measure the per-layer error, rather
  // than all calibrating and none left for the report.
  EF_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> calibration_data, quant::OpenCalibrationData(q.calibration_dir));
  const size_t available = calibration_data->size();
  q.samples = available >= kCalibrationImages + kReportImages ? kCalibrationImages
                                                               : std::max<size_t>(1, available - available / 2);
  q.report_samples = std::min(kReportImages, available - std::min(available, q.samples));
  q.edgetpu = o.target == "edgetpu";
  // The Edge TPU's usual I/O (Coral's models and examples): uint8 pixels in, uint8 scores out.
  q.int8.io = q.edgetpu ? quant::IoType::kUInt8 : quant::IoType::kInt8;
  q.calibration.num_threads =
      o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EF_ASSIGN_OR_RETURN(quant::QuantizeOutcome quantized, quant::QuantizeModel(q, log));
  if (quantized.report) report->quantization = QuantizationSection(*quantized.report);
  if (quantized.written) {
    outcome.int8_model = q.out_path;
  } else {
    outcome.failure = FailedPrecondition(
        "--target edgetpu: the int8 model does not map fully to the Edge TPU, so it was not written; the Edge TPU "
        "check in the report names the ops that would run on the CPU (try --target cpu)");
    if (quantized.edgetpu) report->edgetpu = EdgeTpuSection(*quantized.edgetpu);
  }
  return outcome;
}

}  // namespace edgeforge::make
