// edgeforge dequantize MODEL.tflite --out FLOAT.tflite
// Writes the float32 counterpart of a quantized model (same network, weights dequantized):
// for comparing runtimes on identical weights and as a starting point for training.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "ir/dequantize_pass.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge::cli {

namespace {

int RunDequantize(const std::string& in, const std::string& out) {
  auto graph = tflite::ReadModelFile(in);
  if (!graph.ok()) return ReportError(graph.status());
  auto floated = ir::DequantizeGraph(graph.value());
  if (!floated.ok()) return ReportError(floated.status().WithContext(in));
  Status s = tflite::WriteModelFile(floated.value(), out);
  if (!s.ok()) return ReportError(s);
  std::printf("wrote %s: %zu ops, float32\n", out.c_str(), floated->ops.size());
  return kExitOk;
}

}  // namespace

void AddDequantizeCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("dequantize", "Write the float32 counterpart of a quantized model");
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  app->add_option("model", *in, "a quantized .tflite")->required();
  app->add_option("--out", *out, "where to write the float .tflite")->required();
  commands.push_back({app, [in, out] { return RunDequantize(*in, *out); }});
}

}  // namespace edgeforge::cli
