// edgeforge imprint --extractor EMBEDDING.tflite --data DIR --out MODEL.tflite
//                   [--keep-classes BASE.tflite] [--include PATTERN] [--scale S] [--val-fraction F]
// Weight imprinting on the device: no LibTorch, one pass of the extractor over the photos.
#include <memory>

#include "cli/command.h"
#include "cli/last_layer_flags.h"

namespace edgeforge::cli {

void AddImprintCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("imprint", "Add classes to an embedding extractor by weight imprinting");
  auto o = std::make_shared<ondevice::LastLayerOptions>();
  o->method = ondevice::HeadMethod::kImprinting;
  AddLastLayerFlags(app, *o);
  app->add_option("--keep-classes", o->keep_classes, "an imprinted model whose classes are kept");
  app->add_option("--scale", o->imprint_scale, "logit scale (softmax sharpness)")->check(CLI::PositiveNumber);
  commands.push_back({app, [o] { return RunLastLayer(*o); }});
}

}  // namespace edgeforge::cli
