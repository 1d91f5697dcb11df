#include "transfer/head_only.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "edgetpu/compatibility.h"
#include "quant/calibration_images.h"
#include "quant/quantize_model.h"
#include "tflite/reader.h"
#include "tflite/writer.h"
#include "transfer/features.h"
#include "transfer/head_export.h"
#include "transfer/training_data.h"

namespace edgeforge::transfer {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Log(std::FILE* log, const std::string& line) {
  if (log) std::fprintf(log, "%s\n", line.c_str());
}

int ArgMax(const std::vector<float>& v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Accuracy of the quantized head on cached raw features: the exact integer arithmetic of the
// written model, since its backbone is the pretrained one, byte for byte.
StatusOr<double> QuantizedHeadAccuracy(const ir::Tensor& feature, const ondevice::ClassifierHead& head,
                                       const FeatureSet& set) {
  if (set.size() == 0) return -1.0;
  EF_ASSIGN_OR_RETURN(ir::Graph g, ondevice::HeadOnlyGraph(feature, head));
  auto shared = std::make_shared<const ir::Graph>(std::move(g));
  EF_ASSIGN_OR_RETURN(auto interp, runtime::Interpreter::Create(shared, "classifier head"));
  size_t correct = 0;
  for (size_t i = 0; i < set.size(); ++i) {
    runtime::RtTensor& in = interp->input(0);
    std::copy(set.raw[i].begin(), set.raw[i].end(), in.data);
    EF_RETURN_IF_ERROR(interp->Invoke());
    const runtime::RtTensor& out = interp->output(0);
    int best = 0;
    for (int c = 1; c < head.num_classes; ++c) {
      const bool higher = out.dtype() == DType::kUInt8 ? out.as<uint8_t>()[c] > out.as<uint8_t>()[best]
                                                       : out.as<int8_t>()[c] > out.as<int8_t>()[best];
      if (higher) best = c;
    }
    correct += best == set.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(set.size());
}

// Accuracy of a whole written model on photos (for the re-quantized model of a float backbone).
StatusOr<double> ModelAccuracy(const std::string& model_path, const std::vector<data::LabelledImage>& images,
                               const std::vector<std::string>& class_names, int threads) {
  if (images.empty()) return -1.0;
  EF_ASSIGN_OR_RETURN(ir::Graph g, tflite::ReadModelFile(model_path));
  EF_ASSIGN_OR_RETURN(auto model, FeatureExtractor::Create(std::make_shared<const ir::Graph>(std::move(g)),
                                                           model_path, threads));
  EF_ASSIGN_OR_RETURN(FeatureSet probs, ComputeFeatures(*model, images, class_names, {}, true, nullptr));
  size_t correct = 0;
  for (size_t i = 0; i < probs.size(); ++i) correct += ArgMax(probs.values[i]) == probs.labels[i];
  return probs.size() ? static_cast<double>(correct) / static_cast<double>(probs.size()) : -1.0;
}

// The first of every `views` consecutive examples: each photo's own view.
FeatureSet FirstViews(const FeatureSet& set, int views) {
  FeatureSet out;
  out.dim = set.dim;
  for (size_t i = 0; i < set.size(); i += static_cast<size_t>(views)) {
    out.raw.push_back(set.raw[i]);
    out.values.push_back(set.values[i]);
    out.labels.push_back(set.labels[i]);
    out.paths.push_back(set.paths[i]);
  }
  return out;
}

void Append(const FeatureSet& from, FeatureSet* to) {
  to->raw.insert(to->raw.end(), from.raw.begin(), from.raw.end());
  to->values.insert(to->values.end(), from.values.begin(), from.values.end());
  to->labels.insert(to->labels.end(), from.labels.begin(), from.labels.end());
  to->paths.insert(to->paths.end(), from.paths.begin(), from.paths.end());
}

Status WriteText(const std::string& path, const std::string& text) {
  return core::WriteFileAtomic(path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace

int AugmentFor(int augment, size_t train_photos) {
  if (augment != kAutoAugment) return augment;
  return train_photos < kAugmentBelowPhotos ? kFixedViews : 0;
}

StatusOr<HeadOnlyReport> TrainHeadOnly(const HeadOnlyOptions& o, std::FILE* log) {
  const Clock::time_point start = Clock::now();
  HeadOnlyReport report;

  // Everything that can be wrong with the inputs is checked before anything is computed.
  EF_ASSIGN_OR_RETURN(ir::Graph pretrained, tflite::ReadModelFile(o.from));
  if (pretrained.inputs.size() != 1) {
    return InvalidArgument(o.from + ": has " + std::to_string(pretrained.inputs.size()) +
                           " inputs; transfer learning needs an image model with one image input");
  }
  EF_RETURN_IF_ERROR(quant::CheckImageInput(pretrained.tensor(pretrained.inputs[0]), o.from));
  EF_ASSIGN_OR_RETURN(HeadCut cut, CutHead(pretrained, o.cut_at, o.from));
  report.head_kind = cut.kind;
  report.feature_tensor = cut.feature_name;
  auto backbone = std::make_shared<const ir::Graph>(cut.backbone);
  EF_ASSIGN_OR_RETURN(auto extractor, FeatureExtractor::Create(backbone, o.from, o.threads));
  report.feature_dim = extractor->dim();
  EF_ASSIGN_OR_RETURN(TrainingData data, LoadTrainingData(o.data, o.val_fraction, o.seed));
  report.labels = data.class_names;
  const int num_classes = static_cast<int>(data.class_names.size());
  Log(log, o.from + ": head " + HeadKindName(cut.kind) + ", features '" + cut.feature_name + "' (" +
               std::to_string(report.feature_dim) + "-d)");

  // Features, once.
  const Clock::time_point features_start = Clock::now();
  report.augment = AugmentFor(o.augment, data.train.size());
  const int augment = report.augment;
  FeatureRequest train_request;
  train_request.augment_variants = augment;
  train_request.seed = o.seed;
  Log(log, "computing features of " + std::to_string(data.train.size()) + " training photos" +
               (augment ? " x " + std::to_string(1 + augment) + " views" : "") + ", " +
               std::to_string(data.val.size()) + " validation and " + std::to_string(data.test.size()) +
               " test photos");
  auto train_or = ComputeFeatures(*extractor, data.train, data.class_names, train_request, false, log);
  if (!train_or.ok()) return train_or.status().WithContext(data.train_dir);
  FeatureSet train = std::move(train_or).value();
  // Validation photos get the training views too, for training on them at the end; their own
  // view (the first of each photo's) measures the validation accuracy.
  const bool train_on_val = o.train_on_val && !data.val.empty();
  EF_ASSIGN_OR_RETURN(FeatureSet val_views, ComputeFeatures(*extractor, data.val, data.class_names,
                                                            train_on_val ? train_request : FeatureRequest{}, true, log));
  FeatureSet val = train_on_val ? FirstViews(val_views, 1 + augment) : std::move(val_views);
  EF_ASSIGN_OR_RETURN(FeatureSet test, ComputeFeatures(*extractor, data.test, data.class_names, {}, true, log));
  report.train_examples = train.size();
  report.train_images = train.size() / static_cast<size_t>(1 + augment);
  report.val_images = val.size();
  report.test_images = test.size();
  report.feature_seconds = SecondsSince(features_start);

  // The head, in seconds.
  const Clock::time_point training_start = Clock::now();
  HeadTrainingOptions training = o.training;
  training.seed = o.seed;
  const ondevice::ClassifierHead held_out_head = TrainHead(train, num_classes, training);
  report.float_head_accuracy.val = FloatAccuracy(held_out_head, val);
  ondevice::ClassifierHead head = held_out_head;
  if (train_on_val) {
    FeatureSet all = train;
    Append(val_views, &all);
    head = TrainHead(all, num_classes, training);
    report.trained_on_val = true;
  }
  report.training_seconds = SecondsSince(training_start);
  report.float_head_accuracy.train = FloatAccuracy(head, train);
  report.float_head_accuracy.test = FloatAccuracy(head, test);

  // The models.
  const Clock::time_point export_start = Clock::now();
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return IoError(o.out + ": cannot create the output folder: " + ec.message());
  const std::string float_path = o.out + "/model_float.tflite";
  const std::string int8_path = o.out + "/model_int8.tflite";
  EF_ASSIGN_OR_RETURN(ir::Graph float_model, BuildFloatModel(cut, head, data.class_names));
  EF_RETURN_IF_ERROR(tflite::WriteModelFile(float_model, float_path));
  report.written.push_back(float_path);
  report.evaluated = float_path;
  report.accuracy = report.float_head_accuracy;
  if (o.quantize_int8) {
    if (IsQuantizedBackbone(cut)) {
      EF_ASSIGN_OR_RETURN(ir::Graph q, BuildQuantizedModel(cut, head, data.class_names));
      EF_RETURN_IF_ERROR(tflite::WriteModelFile(q, int8_path));
      EF_ASSIGN_OR_RETURN(report.accuracy.train, QuantizedHeadAccuracy(backbone->tensor(cut.feature), head, train));
      EF_ASSIGN_OR_RETURN(report.accuracy.val, QuantizedHeadAccuracy(backbone->tensor(cut.feature), held_out_head, val));
      EF_ASSIGN_OR_RETURN(report.accuracy.test, QuantizedHeadAccuracy(backbone->tensor(cut.feature), head, test));
    } else {
      quant::QuantizeRequest r;
      r.model_path = float_path;
      r.out_path = int8_path;
      r.calibration_dir = data.train_dir;
      r.int8.io = quant::IoType::kUInt8;  // as the Coral models: 8-bit I/O for the Edge TPU
      r.edgetpu = true;
      r.report_samples = 0;
      r.calibration.num_threads = o.threads;
      EF_ASSIGN_OR_RETURN(quant::QuantizeOutcome q, quant::QuantizeModel(r, log));
      if (!q.written) {
        return InvalidArgument(o.from + ": the quantized model would not map fully to the Edge TPU; " + int8_path +
                               " not written");
      }
      report.accuracy.train = -1;  // the training split includes augmented views; val and test tell
      if (train_on_val) {
        // The written model learned from the validation photos; only the float head trained
        // without them can tell how it does on unseen ones.
        report.accuracy.val = report.float_head_accuracy.val;
      } else {
        EF_ASSIGN_OR_RETURN(report.accuracy.val, ModelAccuracy(int8_path, data.val, data.class_names, o.threads));
      }
      EF_ASSIGN_OR_RETURN(report.accuracy.test, ModelAccuracy(int8_path, data.test, data.class_names, o.threads));
    }
    report.written.push_back(int8_path);
    report.evaluated = int8_path;
    EF_ASSIGN_OR_RETURN(ir::Graph written, tflite::ReadModelFile(int8_path));
    EF_ASSIGN_OR_RETURN(edgetpu::CompatibilityReport check, edgetpu::CheckCompatibility(written));
    report.edgetpu_fully_mapped = check.fully_mapped();
    report.edgetpu_cpu_ops = check.cpu;
  }
  std::string labels_text;
  for (const std::string& l : data.class_names) labels_text += l + "\n";
  EF_RETURN_IF_ERROR(WriteText(o.out + "/labels.txt", labels_text));
  report.written.push_back(o.out + "/labels.txt");
  report.export_seconds = SecondsSince(export_start);
  report.total_seconds = SecondsSince(start);
  EF_RETURN_IF_ERROR(WriteText(o.out + "/metrics.json", MetricsJson(o, report)));
  report.written.push_back(o.out + "/metrics.json");
  return report;
}

std::string MetricsJson(const HeadOnlyOptions& o, const HeadOnlyReport& r) {
  using Json = nlohmann::ordered_json;
  auto acc = [](double a) { return a < 0 ? Json(nullptr) : Json(a); };
  auto split = [&](const SplitAccuracy& s) {
    return Json{{"train", acc(s.train)}, {"val", acc(s.val)}, {"test", acc(s.test)}};
  };
  Json j;
  j["from"] = o.from;
  j["data"] = o.data;
  j["head"] = HeadKindName(r.head_kind);
  j["feature_tensor"] = r.feature_tensor;
  j["feature_dim"] = r.feature_dim;
  j["classes"] = r.labels;
  j["train_images"] = r.train_images;
  j["augment"] = r.augment;
  j["trained_on_val"] = r.trained_on_val;
  j["train_examples"] = r.train_examples;
  j["val_images"] = r.val_images;
  j["test_images"] = r.test_images;
  j["epochs"] = o.training.epochs;
  j["batch"] = o.training.batch_size;
  j["lr"] = o.training.learning_rate;
  j["average_epochs"] = o.training.average_last_epochs;
  j["evaluated"] = r.evaluated;
  j["accuracy"] = split(r.accuracy);
  j["float_head_accuracy"] = split(r.float_head_accuracy);
  if (r.edgetpu_fully_mapped) {
    j["edgetpu"] = {{"fully_mapped", *r.edgetpu_fully_mapped}, {"cpu_ops", r.edgetpu_cpu_ops}};
  }
  j["seconds"] = {{"features", r.feature_seconds},
                  {"training", r.training_seconds},
                  {"export", r.export_seconds},
                  {"total", r.total_seconds}};
  return j.dump(2) + "\n";
}

std::string FormatHeadOnlyReport(const HeadOnlyReport& r) {
  std::string s = "wrote " + r.evaluated + ": " + std::to_string(r.labels.size()) + " classes (";
  for (size_t i = 0; i < r.labels.size(); ++i) s += (i ? ", " : "") + r.labels[i];
  // Converted TF2 models name a tensor after every op fused into it, joined with ';': the first is enough.
  s += "), head on '" + r.feature_tensor.substr(0, r.feature_tensor.find(';')) + "' (" + std::to_string(r.feature_dim) + "-d)\n";
  char line[160];
  auto add = [&](const char* name, double a, size_t n) {
    if (a < 0) return;
    std::snprintf(line, sizeof line, "%s accuracy: %.1f%% (%zu images)\n", name, 100.0 * a, n);
    s += line;
  };
  add("train", r.accuracy.train, r.train_examples);
  add("validation", r.accuracy.val, r.val_images);
  if (r.trained_on_val && r.accuracy.val >= 0) s += "  (then the written head also learned from the validation photos)\n";
  add("test", r.accuracy.test, r.test_images);
  if (r.edgetpu_fully_mapped) {
    s += *r.edgetpu_fully_mapped ? "Edge TPU: every op would map\n"
                                 : "Edge TPU: " + std::to_string(r.edgetpu_cpu_ops) + " ops would run on the CPU\n";
  }
  std::snprintf(line, sizeof line, "time: %.1f s (features %.1f s, head training %.2f s, export %.1f s)\n",
                r.total_seconds, r.feature_seconds, r.training_seconds, r.export_seconds);
  s += line;
  return s;
}

}  // namespace edgeforge::transfer
