// edgeforge-export-onnx: `edgeforge export onnx MODEL.tflite OUT.onnx`, the same network for
// ONNX Runtime (see onnx/export.h for what the ONNX model looks like). Its own executable so
// `edgeforge` does not link protobuf and ONNX: `edgeforge export onnx ARGS` runs it with ARGS
// (cli/siblings.h); run directly, it takes the same ARGS.
#include <cstdio>
#include <memory>

#include "cli/siblings.h"
#include "onnx/export.h"

namespace edgeforge::cli {

namespace {

int RunExportOnnx(const std::string& model, const std::string& out, const onnx_export::ExportOptions& options) {
  Status s = onnx_export::ExportTfliteFile(model, out, options);
  if (!s.ok()) return ReportError(s);
  std::printf("wrote %s (ONNX opset %lld)\n", out.c_str(), static_cast<long long>(onnx_export::kOpsetVersion));
  return kExitOk;
}

void AddExportOnnx(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("export", kExportDescription);
  app->require_subcommand(1);
  auto* onnx = app->add_subcommand("onnx", kExportOnnxDescription);
  auto model = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  onnx->add_option("model", *model, "a .tflite file")->required();
  onnx->add_option("output", *out, "the .onnx file to write")->required();
  auto options = std::make_shared<onnx_export::ExportOptions>();
  onnx->add_flag("--tflite-exact", options->tflite_exact,
                 "write the quantized ops whose ORT kernels round differently from TFLite's in TFLite's own "
                 "arithmetic, so that ORT gives TFLite's bytes (much slower in ORT: integer convolutions)");
  commands.push_back({onnx, [model, out, options] { return RunExportOnnx(*model, *out, *options); }});
}

}  // namespace
}  // namespace edgeforge::cli

int main(int argc, char** argv) {
  return edgeforge::cli::RunSiblingMain(argc, argv, {"export", "onnx"}, edgeforge::cli::AddExportOnnx);
}
