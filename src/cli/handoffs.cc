// `edgeforge export onnx` and `edgeforge serve`: listed here, run by the sibling executables
// edgeforge-export-onnx (src/cli/export_onnx/) and edgeforge-serve (src/cli/serve/), so this
// binary links neither protobuf/ONNX nor cpp-httplib with OpenSSL and brotli (cli/siblings.h).
#include "cli/siblings.h"

namespace edgeforge::cli {

void AddExportCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("export", kExportDescription);
  app->require_subcommand(1);
  AddSiblingHandoff(app->add_subcommand("onnx", kExportOnnxDescription), commands, "export onnx",
                    "edgeforge-export-onnx");
}

void AddServeCommand(CLI::App& root, std::vector<Command>& commands) {
  AddSiblingHandoff(root.add_subcommand("serve", kServeDescription), commands, "serve", "edgeforge-serve");
}

}  // namespace edgeforge::cli
