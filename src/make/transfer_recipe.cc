#include <thread>

#include "make/layer_comparison.h"
#include "make/recipes.h"
#include "quant/calibration_images.h"
#include "report/html_text.h"
#include "tflite/reader.h"
#include "transfer/head_only.h"

namespace edgeforge::make {

namespace {

// Whether the pretrained model's convolutions hold 8-bit weights (a quantized backbone, kept
// as it is by head-only training) rather than float ones (quantized afresh).
bool HasEightBitWeights(const std::string& path) {
  StatusOr<ir::Graph> graph = tflite::ReadModelFile(path);
  if (!graph.ok()) return false;
  for (const ir::Op& op : graph->ops) {
    if (op.type != ir::OpType::kConv2D || op.inputs.size() < 2) continue;
    const DType weights = graph->tensor(op.inputs[1]).dtype;
    return weights == DType::kInt8 || weights == DType::kUInt8;
  }
  return false;
}

}  // namespace

StatusOr<RecipeOutcome> RunTransferRecipe(const MakeOptions& o, const DataPlan& plan, report::ReportData* report,
                                          std::FILE* log) {
  transfer::HeadOnlyOptions h;
  h.from = o.from;
  h.data = plan.train_spec;
  h.out = o.out;
  h.threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  h.seed = static_cast<uint32_t>(o.seed);
  if (o.epochs > 0) h.training.epochs = o.epochs;

  report::RecipeSummary& r = report->recipe;
  r.kind = "transfer-head-only";
  r.pretrained = o.from;
  r.target = o.target;
  r.latency_budget_ms = LatencyBudgetMs(o);
  r.epochs = h.training.epochs;
  r.epochs_reason = o.epochs > 0 ? "--epochs" : "head-only default (the head fits cached features in seconds)";
  r.reason = "A pretrained model was given (--from): its backbone is kept and only a new classifier head is "
             "trained on its features, which needs far fewer photos and minutes than training from scratch. "
             "The latency is the backbone's, so --latency-budget does not choose a model here.";
  if (log) std::fprintf(log, "recipe: head-only transfer learning from %s\n", o.from.c_str());

  EF_ASSIGN_OR_RETURN(transfer::HeadOnlyReport trained, transfer::TrainHeadOnly(h, log));
  RecipeOutcome outcome;
  outcome.float_model = o.out + "/model_float.tflite";
  outcome.labels = o.out + "/labels.txt";
  for (const std::string& written : trained.written) {
    if (written.ends_with("model_int8.tflite")) outcome.int8_model = written;
  }
  auto percent = [](double a) { return a < 0 ? std::string("n/a") : report::FormatPercent(a); };
  report->notes.push_back("Head training (" + trained.feature_tensor + ", " + std::to_string(trained.feature_dim) +
                          " features, " + std::to_string(trained.train_images) + " photos x " +
                          std::to_string(1 + trained.augment) + " views): train " + percent(trained.accuracy.train) + ", validation " +
                          percent(trained.accuracy.val) + ", test " + percent(trained.accuracy.test) + " (" +
                          trained.evaluated + "). Head-only training records no per-epoch curves.");
  report::QuantizationSummary q;
  if (!outcome.int8_model.empty()) {
    // Training photos are fine here: nothing was calibrated on them (a quantized backbone keeps
    // its ranges; a float one was calibrated inside head-only training on a few of them, which
    // makes the comparison a little optimistic, said in the note).
    StatusOr<std::vector<std::string>> photos = quant::ListCalibrationImages(plan.calibration_dir);
    if (photos.ok()) {
      photos->resize(std::min(photos->size(), kReportImages));
      StatusOr<report::QuantizationSummary> compared =
          CompareModelFiles(outcome.float_model, outcome.int8_model, *photos, h.threads);
      if (compared.ok()) {
        q = std::move(compared).value();
      } else {
        q.note = "No per-layer comparison: " + compared.status().message() + ". ";
      }
    }
  }
  q.note += HasEightBitWeights(o.from)
                ? "The int8 model keeps the pretrained backbone's own 8-bit weights and activation ranges (learned "
                  "with quantization or calibrated on ImageNet) with the new head appended; the float model is that "
                  "backbone dequantized. Layers are matched by tensor name; training photos, none used to calibrate."
                : "The float backbone and head were quantized by post-training int8 quantization with training "
                  "photos as calibration; layers are matched by tensor name on training photos.";
  report->quantization = q;
  return outcome;
}

}  // namespace edgeforge::make
