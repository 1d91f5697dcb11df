// edgeforge imprint --extractor EMBEDDING.tflite --data DIR --out MODEL.tflite
//                   [--keep-classes BASE.tflite] [--include PATTERN] [--scale S] [--val-fraction F]
// Weight imprinting on the device: no LibTorch, one pass of the extractor over the photos.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "ondevice/last_layer_training.h"

namespace edgeforge::cli {

void AddImprintCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("imprint", "Add classes to an embedding extractor by weight imprinting");
  auto o = std::make_shared<ondevice::LastLayerOptions>();
  o->method = ondevice::HeadMethod::kImprinting;
  app->add_option("--extractor", o->extractor, "embedding extractor .tflite")->required();
  app->add_option("--data", o->data, "photos: one subfolder per class, or files named <class>_*.jpg")->required();
  app->add_option("--out", o->out, "model to write")->required();
  app->add_option("--keep-classes", o->keep_classes, "an imprinted model whose classes are kept");
  app->add_option("--include", o->include, "only files whose name matches this pattern, e.g. '*_train_*'");
  app->add_option("--scale", o->imprint_scale, "logit scale (softmax sharpness)")->check(CLI::PositiveNumber);
  app->add_option("--val-fraction", o->val_fraction, "share of each class held back")->check(CLI::Range(0.0, 0.9));
  app->add_option("--threads", o->threads, "threads")->check(CLI::Range(1, 256));
  commands.push_back({app, [o] {
                        auto r = ondevice::TrainLastLayer(*o, stderr);
                        if (!r.ok()) return ReportError(r.status());
                        std::printf("%s", ondevice::FormatReport(r.value(), o->out).c_str());
                        return kExitOk;
                      }});
}

}  // namespace edgeforge::cli
