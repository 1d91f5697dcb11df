// edgeforge retrain-last-layer --extractor EMBEDDING.tflite --data DIR --out MODEL.tflite
//     [--lr 0.01] [--batch 100] [--iterations 500] [--weight-scale 0.01] [--reg 0] [--include PATTERN]
// Softmax regression on cached embeddings, on the device (no LibTorch).
#include <memory>

#include "cli/command.h"
#include "cli/last_layer_flags.h"

namespace edgeforge::cli {

void AddRetrainLastLayerCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("retrain-last-layer", "Train a softmax classifier on an embedding extractor");
  auto o = std::make_shared<ondevice::LastLayerOptions>();
  o->method = ondevice::HeadMethod::kSoftmaxRegression;
  AddLastLayerFlags(app, *o);
  ondevice::SoftmaxRegressionOptions& r = o->regression;
  app->add_option("--lr", r.learning_rate, "SGD learning rate")->check(CLI::PositiveNumber);
  app->add_option("--batch", r.batch_size, "minibatch size")->check(CLI::Range(1, 1000000));
  app->add_option("--iterations", r.iterations, "SGD steps")->check(CLI::Range(1, 100000000));
  app->add_option("--weight-scale", r.weight_scale, "std of the initial weights")->check(CLI::NonNegativeNumber);
  app->add_option("--reg", r.regularization, "L2 regularisation")->check(CLI::NonNegativeNumber);
  commands.push_back({app, [o] { return RunLastLayer(*o); }});
}

}  // namespace edgeforge::cli
