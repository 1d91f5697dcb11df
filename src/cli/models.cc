// edgeforge models [--image-size S] [--width W] [--classes N] [--channels C] [--json]
// Lists the architectures of the model zoo (src/models/) with their trainable parameters and
// multiply-adds for one image at the given size, width multiplier and class count.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "models/zoo.h"

namespace edgeforge::cli {

namespace {

struct ModelsFlags {
  int image_size = 224;
  float width = 1.0f;
  int classes = 1000;
  int channels = 3;
  bool json = false;
};

int RunModels(const ModelsFlags& f) {
  models::ModelOptions options;
  options.image_size = f.image_size;
  options.width_multiplier = f.width;
  options.num_classes = f.classes;
  options.channels = f.channels;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  if (!f.json) {
    std::printf("%dx%dx%d input, width %g, %d classes\n", f.image_size, f.image_size, f.channels,
                static_cast<double>(f.width), f.classes);
    std::printf("%-20s %12s %12s  %s\n", "architecture", "params (M)", "MACs (M)", "description");
  }
  for (const models::ArchitectureInfo& a : models::Architectures()) {
    auto graph = models::BuildModel(a.name, options);
    if (!graph.ok()) return ReportError(graph.status());
    const models::ModelSize size = models::MeasureModel(graph.value());
    if (f.json) {
      list.push_back({{"name", a.name},
                      {"description", a.description},
                      {"parameters", size.parameters},
                      {"macs", size.macs}});
    } else {
      std::printf("%-20s %12.2f %12.1f  %s\n", a.name.c_str(), static_cast<double>(size.parameters) / 1e6,
                  static_cast<double>(size.macs) / 1e6, a.description.c_str());
    }
  }
  if (f.json) {
    nlohmann::ordered_json j;
    j["image_size"] = f.image_size;
    j["channels"] = f.channels;
    j["width"] = f.width;
    j["classes"] = f.classes;
    j["architectures"] = list;
    std::printf("%s\n", j.dump(2).c_str());
  }
  return kExitOk;
}

}  // namespace

void AddModelsCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("models", "List the model zoo's architectures with parameters and multiply-adds");
  auto f = std::make_shared<ModelsFlags>();
  app->add_option("--image-size", f->image_size, "input height and width in pixels")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app->add_option("--width", f->width, "width multiplier (filters rounded to multiples of 8)")
      ->check(CLI::Range(0.01, 10.0))
      ->capture_default_str();
  app->add_option("--classes", f->classes, "output classes")->check(CLI::Range(1, 1000000))->capture_default_str();
  app->add_option("--channels", f->channels, "input channels (1 for gray images)")
      ->check(CLI::Range(1, 4))
      ->capture_default_str();
  app->add_flag("--json", f->json, "print JSON instead of a table");
  commands.push_back({app, [f] { return RunModels(*f); }});
}

}  // namespace edgeforge::cli
