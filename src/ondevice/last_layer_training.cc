#include "ondevice/last_layer_training.h"

#include <algorithm>
#include <memory>

#include "data/labelled_images.h"
#include "ondevice/embeddings.h"
#include "ondevice/imprinting.h"
#include "runtime/interpreter.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge::ondevice {

namespace {

// Stratified split: per class, the last floor(n * fraction) photos (in name order) are held
// back, keeping at least one for training.
void Split(const EmbeddingSet& all, int num_classes, float fraction, EmbeddingSet* train, EmbeddingSet* val) {
  train->dim = val->dim = all.dim;
  std::vector<int> total(static_cast<size_t>(num_classes), 0), seen(static_cast<size_t>(num_classes), 0);
  for (int l : all.labels) total[static_cast<size_t>(l)]++;
  for (size_t i = 0; i < all.size(); ++i) {
    const size_t c = static_cast<size_t>(all.labels[i]);
    const int held = std::min(total[c] - 1, static_cast<int>(static_cast<float>(total[c]) * fraction));
    EmbeddingSet* dst = seen[c]++ >= total[c] - held ? val : train;
    dst->raw.push_back(all.raw[i]);
    dst->values.push_back(all.values[i]);
    dst->labels.push_back(all.labels[i]);
    dst->paths.push_back(all.paths[i]);
  }
}

// Accuracy of the quantized head (the exact arithmetic of the written model) on cached
// extractor outputs.
StatusOr<double> Accuracy(const ir::Tensor& embedding, const ClassifierHead& head, const EmbeddingSet& set) {
  if (set.size() == 0) return -1.0;
  EF_ASSIGN_OR_RETURN(ir::Graph g, HeadOnlyGraph(embedding, head));
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
      auto value = [&](int k) -> float {
        switch (out.dtype()) {
          case DType::kUInt8: return out.as<uint8_t>()[k];
          case DType::kInt8: return out.as<int8_t>()[k];
          default: return out.as<float>()[k];
        }
      };
      if (value(c) > value(best)) best = c;
    }
    correct += best == set.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(set.size());
}

}  // namespace

StatusOr<LastLayerReport> TrainLastLayer(const LastLayerOptions& o, std::FILE* log) {
  EF_ASSIGN_OR_RETURN(data::LabelledImages images, data::ListLabelledImages(o.data, o.include));
  const int num_classes = static_cast<int>(images.class_names.size());
  if (o.method == HeadMethod::kSoftmaxRegression && num_classes < 2) {
    return InvalidArgument(o.data + ": softmax regression needs at least 2 classes, found " +
                           std::to_string(num_classes) + " ('" + images.class_names[0] + "')");
  }
  if (o.method == HeadMethod::kImprinting && num_classes < 2 && o.keep_classes.empty()) {
    return InvalidArgument(o.data + ": one class ('" + images.class_names[0] +
                           "') gives a classifier that always answers it; give at least 2 classes or "
                           "--keep-classes");
  }
  EF_ASSIGN_OR_RETURN(auto extractor, EmbeddingExtractor::Open(o.extractor, o.threads));
  EF_ASSIGN_OR_RETURN(EmbeddingSet all, EmbedAll(*extractor, images, log));
  EmbeddingSet train, val;
  Split(all, num_classes, o.val_fraction, &train, &val);

  ClassifierHead head;
  std::vector<std::string> labels = images.class_names;
  if (o.method == HeadMethod::kImprinting) {
    head = ImprintHead(train, num_classes, o.imprint_scale);
    if (!o.keep_classes.empty()) {
      EF_ASSIGN_OR_RETURN(ir::Graph base, tflite::ReadModelFile(o.keep_classes));
      EF_ASSIGN_OR_RETURN(ExistingHead kept, ReadHead(base, o.keep_classes));
      std::vector<std::string> merged;
      auto m = MergeImprinted(kept.head, kept.labels, head, labels, &merged);
      if (!m.ok()) return m.status().WithContext(o.keep_classes);
      head = std::move(m).value();
      // Relabel the splits into the merged class order for evaluation.
      for (EmbeddingSet* s : {&train, &val}) {
        for (int& l : s->labels) {
          l = static_cast<int>(std::find(merged.begin(), merged.end(), labels[static_cast<size_t>(l)]) - merged.begin());
        }
      }
      labels = std::move(merged);
    }
  } else {
    head = TrainSoftmaxRegression(train, num_classes, o.regression);
  }

  EF_ASSIGN_OR_RETURN(ir::Graph model, AppendHead(*extractor->graph(), head, labels));
  EF_RETURN_IF_ERROR(tflite::WriteModelFile(model, o.out));

  LastLayerReport report;
  report.labels = labels;
  report.train_images = train.size();
  report.val_images = val.size();
  EF_ASSIGN_OR_RETURN(report.train_accuracy, Accuracy(extractor->embedding_tensor(), head, train));
  EF_ASSIGN_OR_RETURN(report.val_accuracy, Accuracy(extractor->embedding_tensor(), head, val));
  return report;
}

}  // namespace edgeforge::ondevice

namespace edgeforge::ondevice {
std::string FormatReport(const LastLayerReport& r, const std::string& out_path) {
  std::string s = "wrote " + out_path + ": " + std::to_string(r.labels.size()) + " classes (";
  for (size_t i = 0; i < r.labels.size(); ++i) s += (i ? ", " : "") + r.labels[i];
  s += ")\n";
  char line[128];
  std::snprintf(line, sizeof line, "train accuracy: %.1f%% (%zu images)\n", 100.0 * r.train_accuracy, r.train_images);
  s += line;
  if (r.val_accuracy < 0) {
    s += "validation accuracy: n/a (no images held back: each class has too few)\n";
  } else {
    std::snprintf(line, sizeof line, "validation accuracy: %.1f%% (%zu images)\n", 100.0 * r.val_accuracy, r.val_images);
    s += line;
  }
  return s;
}
}  // namespace edgeforge::ondevice
