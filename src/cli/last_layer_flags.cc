#include "cli/last_layer_flags.h"

#include <cstdio>

#include "cli/command.h"

namespace edgeforge::cli {

void AddLastLayerFlags(CLI::App* app, ondevice::LastLayerOptions& o) {
  app->add_option("--extractor", o.extractor, "embedding extractor .tflite")->required();
  app->add_option("--data", o.data, "photos: one subfolder per class, or files named <class>_*.jpg")->required();
  app->add_option("--out", o.out, "model to write")->required();
  app->add_option("--include", o.include, "only files whose name matches this pattern, e.g. '*_train_*'");
  app->add_option("--val-fraction", o.val_fraction, "share of each class held back")->check(CLI::Range(0.0, 0.9));
  app->add_option("--threads", o.threads, "threads")->check(CLI::Range(1, 256));
}

int RunLastLayer(const ondevice::LastLayerOptions& o) {
  auto r = ondevice::TrainLastLayer(o, stderr);
  if (!r.ok()) return ReportError(r.status());
  std::printf("%s", ondevice::FormatReport(r.value(), o.out).c_str());
  return kExitOk;
}

}  // namespace edgeforge::cli
