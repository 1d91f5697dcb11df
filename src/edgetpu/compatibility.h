// What the Edge TPU compiler would do with a model: which ops it maps, where it cuts the graph,
// how many ops run on each side, and how much parameter data the Edge TPU must hold.
//
// The partition follows the compiler's documented behaviour: it builds a single Edge TPU
// subgraph, "as soon as an unsupported operation occurs, that operation and everything after it
// executes on the CPU, even if supported operations occur later" (coral.ai/docs/edgetpu/
// models-intro, "Compiling"); those later ops get the status "More than one subgraph is not
// supported" (google-coral/edgetpu#461). Ops before the first mappable one (a QUANTIZE of a float
// input, say) run on the CPU ahead of the Edge TPU subgraph without ending it: compiler logs show
// a float-input model with its first QUANTIZE and last DEQUANTIZE on the CPU and the 70 ops in
// between mapped (f0cal/google-coral#20).
//
// A model already compiled (it holds an edgetpu-custom-op) is reported as such: that op is the
// mapped part and everything else runs on the CPU.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "edgetpu/supported_ops.h"
#include "ir/graph.h"

namespace edgeforge::edgetpu {

// On-chip SRAM that caches parameter data: "roughly 8 MB" (coral.ai/docs/edgetpu/compiler,
// "Parameter data caching"). The compiler first reserves some of it for the executable, so
// what is left for parameters is a little less (compiler logs show 6.2 to 8.0 MiB).
inline constexpr int64_t kOnChipCacheBytes = 8 * 1024 * 1024;

struct CheckOptions {
  int runtime_version = kDefaultRuntimeVersion;  // kOldestRuntimeVersion..kNewestRuntimeVersion
};

struct OpVerdict {
  int index = 0;
  std::string op;  // "CONV_2D", "CUSTOM(edgetpu-custom-op)"
  int version = 1;
  bool mapped = false;
  std::string reason;  // the compiler's wording (compiler_messages.h)
  std::string detail;  // what exactly failed; empty for mapped ops
};

struct CompatibilityReport {
  int runtime_version = kDefaultRuntimeVersion;
  bool compiled = false;  // holds an edgetpu-custom-op
  // A reason that stops the whole model (dynamic-sized tensors, several subgraphs), with the
  // tensor or count that causes it; empty when there is none.
  std::string model_reason;
  std::string model_detail;
  std::vector<OpVerdict> ops;  // one per op, in execution order
  int mapped = 0;
  int cpu = 0;
  std::optional<int> first_cpu_op;  // first op in execution order that runs on the CPU
  // The Edge TPU subgraph: ops first..last (inclusive); absent when nothing maps.
  std::optional<int> segment_first;
  std::optional<int> segment_last;
  // The op that ends the Edge TPU subgraph (the partition point): everything from it on runs
  // on the CPU. Absent when the subgraph reaches the last op or nothing maps.
  std::optional<int> partition_op;
  // Bytes of the constant tensors read by mapped ops (each tensor counted once); for a compiled
  // model, the bytes of its Edge TPU package(s) (executable and parameters together).
  int64_t parameter_bytes = 0;
  int64_t on_chip_bytes = 0;   // min(parameter_bytes, kOnChipCacheBytes); 0 when compiled
  int64_t off_chip_bytes = 0;  // streamed from off-chip memory at every inference

  bool fully_mapped() const { return cpu == 0 && model_reason.empty(); }
};

// Errors: a runtime version outside the supported range, or a graph whose ops name tensors it
// does not have (InvalidArgument, naming the op).
StatusOr<CompatibilityReport> CheckCompatibility(const ir::Graph& graph,
                                                 const CheckOptions& options = {});

}  // namespace edgeforge::edgetpu
