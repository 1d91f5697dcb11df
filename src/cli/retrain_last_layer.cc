// edgeforge retrain-last-layer --extractor EMBEDDING.tflite --data DIR --out MODEL.tflite
//     [--lr 0.01] [--batch 100] [--iterations 500] [--weight-scale 0.01] [--reg 0] [--include PATTERN]
// Softmax regression on cached embeddings, on the device (no LibTorch).
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "ondevice/last_layer_training.h"

namespace edgeforge::cli {

void AddRetrainLastLayerCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("retrain-last-layer", "Train a softmax classifier on an embedding extractor");
  auto o = std::make_shared<ondevice::LastLayerOptions>();
  o->method = ondevice::HeadMethod::kSoftmaxRegression;
  app->add_option("--extractor", o->extractor, "embedding extractor .tflite")->required();
  app->add_option("--data", o->data, "photos: one subfolder per class, or files named <class>_*.jpg")->required();
  app->add_option("--out", o->out, "model to write")->required();
  app->add_option("--include", o->include, "only files whose name matches this pattern, e.g. '*_train_*'");
  app->add_option("--lr", o->regression.learning_rate, "SGD learning rate")->check(CLI::PositiveNumber);
  app->add_option("--batch", o->regression.batch_size, "minibatch size")->check(CLI::Range(1, 1000000));
  app->add_option("--iterations", o->regression.iterations, "SGD steps")->check(CLI::Range(1, 100000000));
  app->add_option("--weight-scale", o->regression.weight_scale, "std of the initial weights")->check(CLI::NonNegativeNumber);
  app->add_option("--reg", o->regression.regularization, "L2 regularisation")->check(CLI::NonNegativeNumber);
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
