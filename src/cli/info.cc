// edgeforge info MODEL [--json]: what a model holds and what running it costs in memory.
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "runtime/interpreter.h"
#include "tflite/reader.h"

namespace edgeforge::cli {

namespace {

nlohmann::json TensorJson(const ir::Tensor& t) {
  nlohmann::json j{{"name", t.name}, {"dtype", DTypeName(t.dtype)}, {"shape", t.shape}};
  if (!t.quant.empty()) {
    j["quantization"] = {{"scale", t.quant.scale},
                         {"zero_point", t.quant.zero_point},
                         {"quantized_dimension", t.quant.quantized_dimension}};
  }
  return j;
}

void PrintTensor(const char* kind, size_t i, const ir::Tensor& t) {
  std::printf("  %s %zu: %-40s %-8s %-18s %s\n", kind, i, t.name.c_str(), DTypeName(t.dtype),
              ShapeToString(t.shape).c_str(), QuantToString(t.quant).c_str());
}

int RunInfo(const std::string& path, bool json) {
  auto graph = tflite::ReadModelFile(path);
  if (!graph.ok()) return ReportError(graph.status());
  auto shared = std::make_shared<const ir::Graph>(std::move(graph).value());
  const ir::Graph& g = *shared;

  std::map<std::pair<std::string, int>, int> op_counts;
  for (const ir::Op& op : g.ops) op_counts[{ir::OpName(op), op.version}]++;
  size_t weight_bytes = 0;
  for (const ir::Tensor& t : g.tensors) weight_bytes += t.data.size();
  auto interp = runtime::Interpreter::Create(shared, path);

  if (json) {
    nlohmann::json j;
    j["model"] = path;
    j["description"] = g.description;
    for (int t : g.inputs) j["inputs"].push_back(TensorJson(g.tensor(t)));
    for (int t : g.outputs) j["outputs"].push_back(TensorJson(g.tensor(t)));
    j["ops"] = nlohmann::json::array();
    for (auto& [key, n] : op_counts) j["ops"].push_back({{"op", key.first}, {"version", key.second}, {"count", n}});
    j["num_ops"] = g.ops.size();
    j["num_tensors"] = g.tensors.size();
    j["weight_bytes"] = weight_bytes;
    j["labels"] = g.metadata.labels.size();
    if (interp.ok()) {
      j["runnable"] = true;
      j["arena_bytes"] = interp.value()->arena_bytes();
    } else {
      j["runnable"] = false;
      j["arena_bytes"] = nullptr;
      j["not_runnable_reason"] = interp.status().message();
    }
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }

  std::printf("model: %s\n", path.c_str());
  if (!g.description.empty()) std::printf("description: %s\n", g.description.c_str());
  std::printf("inputs:\n");
  for (size_t i = 0; i < g.inputs.size(); ++i) PrintTensor("input", i, g.tensor(g.inputs[i]));
  std::printf("outputs:\n");
  for (size_t i = 0; i < g.outputs.size(); ++i) PrintTensor("output", i, g.tensor(g.outputs[i]));
  std::printf("ops: %zu\n", g.ops.size());
  for (auto& [key, n] : op_counts) std::printf("  %-32s v%-3d x%d\n", key.first.c_str(), key.second, n);
  std::printf("tensors: %zu\n", g.tensors.size());
  std::printf("weight bytes: %zu\n", weight_bytes);
  if (!g.metadata.labels.empty()) std::printf("labels: %zu\n", g.metadata.labels.size());
  if (interp.ok()) {
    std::printf("arena bytes: %zu\n", interp.value()->arena_bytes());
  } else {
    std::printf("arena bytes: n/a (cannot run: %s)\n", interp.status().message().c_str());
  }
  return kExitOk;
}

}  // namespace

void AddInfoCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("info", "Inputs, outputs, ops, weight and arena bytes of a model");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  app->add_option("model", *path, "a .tflite file")->required();
  app->add_flag("--json", *json, "print JSON");
  commands.push_back({app, [path, json] { return RunInfo(*path, *json); }});
}

}  // namespace edgeforge::cli
