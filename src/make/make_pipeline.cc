#include "make/make_pipeline.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "data/tfrecord_dataset.h"
#include "edgetpu/compatibility.h"
#include "make/data_plan.h"
#include "make/latency.h"
#include "make/recipes.h"
#include "make/report_assembly.h"
#include "make/train_process.h"
#include "quant/evaluate.h"
#include "report/html_text.h"
#include "report/report_html.h"
#include "report/report_json.h"
#include "tflite/reader.h"

namespace edgeforge::make {

namespace {

namespace fs = std::filesystem;

// Timed runs for the report's latency: enough for a stable median of a small model without
// making the whole command wait on a large one.
constexpr LatencyRuns kReportLatencyRuns{3, 20, 1};

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

void Log(std::FILE* log, const std::string& line) {
  if (log) std::fprintf(log, "%s\n", line.c_str());
}

int Threads(const MakeOptions& o) {
  return o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

StatusOr<report::ModelAccuracy> Evaluate(const std::string& model, const DataPlan& plan,
                                         const std::vector<std::string>& labels, const MakeOptions& o,
                                         std::FILE* log) {
  quant::EvaluationOptions options;
  options.num_threads = Threads(o);
  options.model_labels = labels;
  options.warnings = log;
  EF_ASSIGN_OR_RETURN(quant::EvaluationResult result,
                      quant::EvaluateModel(model, *plan.eval_dataset, plan.eval_indices, options));
  Log(log, "evaluated " + fs::path(model).filename().string() + " on " + std::to_string(result.evaluated) +
               " test images: top-1 " + report::FormatPercent(result.top1()) + ", top-5 " +
               report::FormatPercent(result.top5()));
  return AccuracySection(result, fs::path(model).filename().string());
}

// The model's input size and channels, for the report (transfer learning keeps the
// backbone's).
void RecordInputShape(const std::string& model, report::DatasetSummary* dataset) {
  StatusOr<ir::Graph> graph = tflite::ReadModelFile(model);
  if (!graph.ok() || graph->inputs.empty()) return;
  const Shape& shape = graph->tensor(graph->inputs[0]).shape;
  if (shape.size() == 4) {
    dataset->image_size = static_cast<int>(shape[1]);
    dataset->channels = static_cast<int>(shape[3]);
  }
}

StatusOr<report::EdgeTpuSummary> CheckEdgeTpu(const std::string& model) {
  EF_ASSIGN_OR_RETURN(ir::Graph graph, tflite::ReadModelFile(model));
  EF_ASSIGN_OR_RETURN(edgetpu::CompatibilityReport check, edgetpu::CheckCompatibility(graph));
  return EdgeTpuSection(check);
}

void ListFiles(const MakeResult& r, report::ReportData* report) {
  report->files.clear();
  for (const std::string& path : {r.int8_model, r.float_model, r.labels}) {
    if (path.empty()) continue;
    std::error_code ec;
    const auto bytes = fs::file_size(path, ec);
    report->files.push_back({path, ec ? 0 : static_cast<int64_t>(bytes)});
  }
  // Being written as the list is made: no size (a previous run's would be wrong).
  report->files.push_back({r.report_json, 0});
  report->files.push_back({r.report_html, 0});
}

}  // namespace

StatusOr<MakeResult> RunMake(const MakeOptions& o, std::FILE* log) {
  EF_RETURN_IF_ERROR(ValidateMakeOptions(o));

  MakeResult result;
  report::ReportData& report = result.report;
  std::string data_name = o.data;
  while (data_name.size() > 1 && data_name.back() == '/') data_name.pop_back();
  report.title = "edgeforge make: " + fs::path(data_name).filename().string();
  report.created = UtcNow();
  report.command = o.command_line;

  const bool transfer = !o.from.empty();
  EF_RETURN_IF_ERROR(CheckDataExists(o.data));
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return IoError(o.out + ": cannot create the output folder: " + ec.message());
  // Data errors first (they are the user's to fix whatever the build), then whether training
  // from scratch is possible in this build, before anything is trained.
  EF_ASSIGN_OR_RETURN(DataPlan plan, PlanData(o, transfer, log));
  if (!transfer) EF_RETURN_IF_ERROR(FindTrainBinary().status());
  report.dataset.spec = o.data;
  report.dataset.description = plan.summary;
  report.dataset.class_names = plan.class_names;
  report.dataset.train_examples = plan.train_examples;
  report.dataset.test_examples = plan.eval_indices.empty() ? plan.eval_dataset->size() : plan.eval_indices.size();
  report.dataset.test_split = plan.test_split;
  report.notes = plan.notes;

  EF_ASSIGN_OR_RETURN(RecipeOutcome outcome, transfer ? RunTransferRecipe(o, plan, &report, log)
                                                      : RunScratchRecipe(o, plan, &report, log));
  result.float_model = outcome.float_model;
  result.int8_model = outcome.int8_model;
  result.labels = outcome.labels;
  RecordInputShape(outcome.float_model, &report.dataset);
  EF_ASSIGN_OR_RETURN(std::vector<std::string> labels, data::ReadClassNames(outcome.labels));

  EF_ASSIGN_OR_RETURN(report.float_accuracy, Evaluate(outcome.float_model, plan, labels, o, log));
  if (!outcome.int8_model.empty()) {
    EF_ASSIGN_OR_RETURN(report.int8_accuracy, Evaluate(outcome.int8_model, plan, labels, o, log));
    if (!report.edgetpu) {
      EF_ASSIGN_OR_RETURN(report.edgetpu, CheckEdgeTpu(outcome.int8_model));
    }
    if (o.target == "edgetpu" && !report.edgetpu->fully_mapped && !outcome.failure) {
      outcome.failure = FailedPrecondition("--target edgetpu: " + std::to_string(report.edgetpu->cpu) +
                                           " op(s) of " + outcome.int8_model +
                                           " would run on the CPU (see the Edge TPU check in the report)");
    }
    Log(log, "timing " + outcome.int8_model + " ...");
    EF_ASSIGN_OR_RETURN(report.latency, ProfileModelFile(outcome.int8_model, kReportLatencyRuns));
    EF_ASSIGN_OR_RETURN(ir::Graph float_graph, tflite::ReadModelFile(outcome.float_model));
    EF_ASSIGN_OR_RETURN(LatencyStats float_latency,
                        MeasureLatency(std::make_shared<const ir::Graph>(std::move(float_graph)),
                                       outcome.float_model, kReportLatencyRuns));
    report.latency->float_median_ms = float_latency.median_ms;
  }
  if (report.quantization) {
    if (report.quantization->float_bytes == 0) {
      report.quantization->float_bytes = static_cast<int64_t>(fs::file_size(outcome.float_model, ec));
    }
    if (report.quantization->int8_bytes == 0 && !outcome.int8_model.empty()) {
      report.quantization->int8_bytes = static_cast<int64_t>(fs::file_size(outcome.int8_model, ec));
    }
  }

  result.report_json = o.out + "/report.json";
  result.report_html = o.out + "/report.html";
  ListFiles(result, &report);
  EF_RETURN_IF_ERROR(report::WriteReportJson(report, result.report_json));
  EF_RETURN_IF_ERROR(report::WriteReportHtml(report, result.report_html));
  if (outcome.failure) return outcome.failure->WithContext("report written to " + result.report_html);
  return result;
}

std::string FormatMakeSummary(const MakeResult& r) {
  std::string text;
  const report::ReportData& d = r.report;
  if (d.float_accuracy) {
    text += "float model: " + r.float_model + "  top-1 " + report::FormatPercent(d.float_accuracy->top1) + "\n";
  }
  if (d.int8_accuracy) {
    text += "int8 model:  " + r.int8_model + "  top-1 " + report::FormatPercent(d.int8_accuracy->top1) + "\n";
  }
  if (d.latency) text += "int8 latency: " + report::FormatMs(d.latency->median_ms) + " (1 thread, this CPU)\n";
  if (d.edgetpu) {
    text += "Edge TPU: " + std::to_string(d.edgetpu->mapped) + " of " +
            std::to_string(d.edgetpu->mapped + d.edgetpu->cpu) + " ops mapped\n";
  }
  text += "report: " + r.report_html + "\n";
  text += "serve it: edgeforge serve " + r.int8_model + " --labels " + r.labels + "\n";
  return text;
}

}  // namespace edgeforge::make
