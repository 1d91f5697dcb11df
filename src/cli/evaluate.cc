// edgeforge evaluate MODEL.tflite --data DATA [--split train|test] [--limit N] [--labels FILE]
//     [--threads N] [--json]
// Runs the model in edgeforge's runtime over a labelled dataset (fashion-mnist, mnist, a photo
// folder, TFRecord files or prefix, IDX files; see data/dataset.h) and reports top-1, top-5,
// per-class accuracy and the confusion matrix (see quant/evaluate.h for the preprocessing and
// how model outputs are matched to the dataset's classes).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "data/dataset.h"
#include "data/tfrecord_dataset.h"
#include "quant/evaluate.h"

namespace edgeforge::cli {

namespace {

using Json = nlohmann::ordered_json;

struct EvaluateFlags {
  std::string model;
  std::string data;
  std::string split = "test";
  size_t limit = 0;
  std::string labels;
  int threads = 1;
  bool json = false;
};

Json ResultJson(const EvaluateFlags& f, const data::Dataset& dataset, const quant::EvaluationResult& r) {
  Json j;
  j["model"] = f.model;
  j["data"] = f.data;
  j["dataset"] = dataset.Summary();
  j["split"] = f.split;
  j["evaluated"] = r.evaluated;
  j["skipped"] = r.skipped;
  j["top1"] = r.top1();
  j["top5"] = r.top5();
  j["top1_correct"] = r.top1_correct;
  j["top5_correct"] = r.top5_correct;
  j["classes"] = Json::array();
  for (size_t c = 0; c < r.class_names.size(); ++c) {
    j["classes"].push_back({{"label", c},
                            {"name", r.class_names[c]},
                            {"total", r.class_total[c]},
                            {"correct", r.class_correct[c]},
                            {"accuracy", r.class_accuracy(c)}});
  }
  j["confusion_matrix"] = r.confusion;
  j["confusion_has_other_column"] = r.has_other_column;
  return j;
}

int RunEvaluate(const EvaluateFlags& f) {
  auto dataset = data::OpenDataset(f.data, f.split == "train" ? data::Split::kTrain : data::Split::kTest);
  if (!dataset.ok()) return ReportError(dataset.status());
  quant::EvaluationOptions options;
  options.limit = f.limit;
  options.num_threads = f.threads;
  if (!f.labels.empty()) {
    auto labels = data::ReadClassNames(f.labels);
    if (!labels.ok()) return ReportError(labels.status());
    options.model_labels = std::move(labels).value();
  }
  auto result = quant::EvaluateModel(f.model, *dataset.value(), {}, options);
  if (!result.ok()) return ReportError(result.status());
  if (f.json) {
    std::printf("%s\n", ResultJson(f, *dataset.value(), result.value()).dump(2).c_str());
  } else {
    std::printf("%s on %s\n%s", f.model.c_str(), dataset.value()->Summary().c_str(),
                quant::FormatEvaluation(result.value()).c_str());
  }
  return kExitOk;
}

}  // namespace

void AddEvaluateCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("evaluate", "Accuracy of a classifier on a labelled dataset");
  auto f = std::make_shared<EvaluateFlags>();
  app->add_option("model", f->model, "a .tflite image classifier")->required();
  app->add_option("--data", f->data, "fashion-mnist, mnist, a folder, a .tfrecord file or a TFRecord prefix")
      ->required();
  app->add_option("--split", f->split, "which split where the data has two")
      ->check(CLI::IsMember({"train", "test"}))
      ->capture_default_str();
  app->add_option("--limit", f->limit, "evaluate at most N examples (0: all)")->capture_default_str();
  app->add_option("--labels", f->labels,
                  "the model's output labels, one a line (default: its metadata); matched to the dataset's "
                  "class names");
  app->add_option("--threads", f->threads, "threads")->check(CLI::Range(1, 256));
  app->add_flag("--json", f->json, "print JSON");
  commands.push_back({app, [f] { return RunEvaluate(*f); }});
}

}  // namespace edgeforge::cli
