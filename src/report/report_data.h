// What `edgeforge make` found out about the model it made, gathered in one place so that the
// same data becomes report.json (report_json.h) and report.html (report_html.h). Plain values
// only: the report module depends on nothing but core, so any command can fill one in.
//
// Accuracies are fractions in [0, 1]; times are milliseconds. A section that was not measured
// is an empty optional (or an empty vector) and the page says so instead of showing zeros.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgeforge::report {

struct DatasetSummary {
  std::string spec;         // what --data named ("fashion-mnist", a folder, a TFRecord prefix)
  std::string description;  // data::Dataset::Summary()
  std::vector<std::string> class_names;
  size_t train_examples = 0;
  size_t test_examples = 0;  // the split the accuracies below are measured on
  std::string test_split;    // how that split was formed ("test/ folder", "10% held out, seed 1")
  int image_size = 0;        // the model's input height = width
  int channels = 0;
};

// One (architecture, width) the recipe considered, scored the MnasNet way (recipe.h).
struct CandidateScore {
  std::string architecture;
  double width = 1;
  int64_t macs = 0;
  int64_t parameters = 0;
  double latency_ms = 0;  // float model in edgeforge's runtime on this machine
  double proxy = 0;       // accuracy proxy: ln(MACs)
  double score = 0;       // proxy * (latency / target)^w
  bool chosen = false;
};

struct RecipeSummary {
  std::string kind;  // "transfer-head-only" or "from-scratch"
  std::string reason;  // why this recipe and this model, in a sentence or two
  std::string target;  // "cpu" or "edgetpu"
  double latency_budget_ms = 0;
  std::string pretrained;    // transfer: the --from model
  std::string architecture;  // from scratch
  double width = 1;
  int epochs = 0;
  std::string epochs_reason;  // "--epochs 3", "time budget 5 min at 950 images/s"
  std::vector<CandidateScore> candidates;
};

struct EpochCurve {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  double val_loss = 0;
  double val_accuracy = 0;
};

struct ModelAccuracy {
  std::string model;  // file name
  size_t evaluated = 0;
  double top1 = 0;
  double top5 = 0;
  std::vector<double> class_accuracy;  // per dataset class
  // confusion[true][predicted]; with has_other_column a last column counts outputs that are
  // no dataset class.
  std::vector<std::vector<size_t>> confusion;
  bool has_other_column = false;
};

struct LayerError {
  int op_index = 0;
  std::string op;
  std::string tensor;
  double sqnr_db = 0;  // +infinity when exact (null in JSON)
};

struct QuantizationSummary {
  std::vector<LayerError> layers;  // worst first
  double output_sqnr_db = 0;
  size_t images = 0;
  double top1_agreement = 0;
  int64_t float_bytes = 0;
  int64_t int8_bytes = 0;
  std::string note;  // e.g. why there is no per-layer comparison
};

struct OpTypeLatency {
  std::string op;
  int count = 0;
  double ms = 0;  // per inference, summed over the ops of this type
};

struct LatencySummary {
  std::string model;  // file name
  int threads = 1;
  int runs = 0;
  double median_ms = 0;  // whole inference
  std::vector<OpTypeLatency> by_op_type;  // slowest first
  std::optional<double> float_median_ms;  // the float model, for comparison
};

struct EdgeTpuOp {
  int index = 0;
  std::string op;
  bool mapped = false;
  std::string reason;
  std::string detail;
};

struct EdgeTpuSummary {
  int mapped = 0;
  int cpu = 0;
  bool fully_mapped = false;
  std::optional<int> first_cpu_op;
  std::string first_cpu_op_name;
  std::string model_reason;  // a reason that stops the whole model
  std::vector<EdgeTpuOp> ops;
};

struct WrittenFile {
  std::string path;
  int64_t bytes = 0;
};

struct ReportData {
  std::string title = "edgeforge make";
  std::string created;  // UTC, ISO 8601
  std::string command;  // the command line that made it
  DatasetSummary dataset;
  RecipeSummary recipe;
  std::vector<EpochCurve> curves;
  std::optional<ModelAccuracy> float_accuracy;
  std::optional<ModelAccuracy> int8_accuracy;
  std::optional<QuantizationSummary> quantization;
  std::optional<LatencySummary> latency;
  std::optional<EdgeTpuSummary> edgetpu;
  std::vector<WrittenFile> files;
  std::vector<std::string> notes;  // anything worth knowing that has no section
};

}  // namespace edgeforge::report
