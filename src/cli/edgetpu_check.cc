// edgeforge edgetpu check MODEL [--json] [--verbose] [--require-full] [--min-runtime-version N]:
// which ops the Edge TPU compiler would map, where it would cut the graph, and how much
// parameter data the Edge TPU would cache. Exit 0 whenever the check ran, whatever the verdict
// (1 with --require-full when some op would run on the CPU); 1 for a model that cannot be read.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "edgetpu/compatibility.h"
#include "edgetpu/compiler_log.h"
#include "tflite/reader.h"

namespace edgeforge::cli {

namespace {

// Keys in the order written: the summary first, the per-op list last.
using Json = nlohmann::ordered_json;

struct EdgeTpuCheckFlags {
  std::string model;
  bool json = false;
  bool verbose = false;
  bool require_full = false;
  int runtime_version = edgetpu::kDefaultRuntimeVersion;
};

Json OptionalIndex(const std::optional<int>& index) {
  return index ? Json(*index) : Json(nullptr);
}

Json ReportJson(const edgetpu::CompatibilityReport& r, const std::string& path) {
  Json j;
  j["model"] = path;
  j["compiled"] = r.compiled;
  j["mapped"] = r.mapped;
  j["cpu"] = r.cpu;
  j["first_cpu_op"] = OptionalIndex(r.first_cpu_op);
  j["parameter_bytes"] = r.parameter_bytes;
  j["fully_mapped"] = r.fully_mapped();
  j["runtime_version"] = r.runtime_version;
  j["partition_op"] = OptionalIndex(r.partition_op);
  j["edgetpu_subgraph"] = r.segment_first ? Json{{"first", *r.segment_first}, {"last", *r.segment_last}}
                                          : Json(nullptr);
  j["on_chip_cache_bytes"] = edgetpu::kOnChipCacheBytes;
  j["on_chip_bytes"] = r.on_chip_bytes;
  j["off_chip_bytes"] = r.off_chip_bytes;
  j["model_reason"] = r.model_reason.empty() ? Json(nullptr) : Json(r.model_reason);
  j["model_detail"] = r.model_detail;
  j["ops"] = Json::array();
  for (const edgetpu::OpVerdict& v : r.ops) {
    j["ops"].push_back({{"index", v.index},
                        {"op", v.op},
                        {"version", v.version},
                        {"mapped", v.mapped},
                        {"reason", v.reason},
                        {"detail", v.detail}});
  }
  return j;
}

int RunEdgeTpuCheck(const EdgeTpuCheckFlags& flags) {
  auto graph = tflite::ReadModelFile(flags.model);
  if (!graph.ok()) return ReportError(graph.status());
  edgetpu::CheckOptions options;
  options.runtime_version = flags.runtime_version;
  auto report = edgetpu::CheckCompatibility(graph.value(), options);
  if (!report.ok()) return ReportError(report.status().WithContext(flags.model));

  if (flags.json) {
    std::printf("%s\n", ReportJson(report.value(), flags.model).dump(2).c_str());
  } else {
    std::printf("%s", edgetpu::FormatCompilerLog(report.value(), flags.model, flags.verbose).c_str());
  }
  if (flags.require_full && !report->fully_mapped()) {
    std::fprintf(stderr, "edgeforge: %s does not map fully to the Edge TPU (%d of %zu ops on the CPU)\n",
                 flags.model.c_str(), report->cpu, report->ops.size());
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace

void AddEdgeTpuCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* edgetpu = root.add_subcommand("edgetpu", "Coral Edge TPU tools");
  edgetpu->require_subcommand(1);
  auto* check = edgetpu->add_subcommand(
      "check", "Which ops the Edge TPU compiler would map, where it cuts the graph, cache use");
  auto flags = std::make_shared<EdgeTpuCheckFlags>();
  check->add_option("model", flags->model, "a .tflite file")->required();
  check->add_flag("--json", flags->json, "print JSON");
  check->add_flag("--verbose,-v", flags->verbose, "list every op with the reason for its status");
  check->add_flag("--require-full", flags->require_full,
                  "exit 1 unless every op maps to the Edge TPU");
  check
      ->add_option("--min-runtime-version", flags->runtime_version,
                   "Edge TPU runtime the compiler targets (edgetpu_compiler -m)")
      ->check(CLI::Range(edgetpu::kOldestRuntimeVersion, edgetpu::kNewestRuntimeVersion))
      ->capture_default_str();
  commands.push_back({check, [flags] { return RunEdgeTpuCheck(*flags); }});
}

}  // namespace edgeforge::cli
