#include "edgetpu/compatibility.h"

#include <algorithm>
#include <set>

#include "edgetpu/compiler_messages.h"
#include "edgetpu/op_checks.h"

namespace edgeforge::edgetpu {

namespace {

bool IsEdgeTpuCustomOp(const ir::Op& op) {
  return op.type == ir::OpType::kCustom && op.custom_code == kEdgeTpuCustomOp;
}

Status CheckTensorIndices(const ir::Graph& graph) {
  const int count = static_cast<int>(graph.tensors.size());
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const ir::Op& op = graph.ops[i];
    auto check = [&](int t, const char* kind) -> Status {
      if (t == ir::kNoTensor || (t >= 0 && t < count)) return Status::Ok();
      return InvalidArgument("op " + std::to_string(i) + " (" + ir::OpName(op) + "): " + kind +
                             " tensor " + std::to_string(t) + " is out of range (graph has " +
                             std::to_string(count) + " tensors)");
    };
    for (int t : op.inputs) EF_RETURN_IF_ERROR(check(t, "input"));
    for (int t : op.outputs) {
      if (t == ir::kNoTensor) {
        return InvalidArgument("op " + std::to_string(i) + " (" + ir::OpName(op) +
                               "): an output tensor is missing");
      }
      EF_RETURN_IF_ERROR(check(t, "output"));
    }
  }
  return Status::Ok();
}

// Model requirement "Tensor sizes are constant at compile-time (no dynamic sizes)": TFLite marks
// a dynamic dimension (usually the batch) with -1 in shape_signature. Returns the first such
// tensor, described.
std::optional<std::string> FindDynamicTensor(const ir::Graph& graph) {
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    const ir::Tensor& t = graph.tensors[i];
    if (std::find(t.shape_signature.begin(), t.shape_signature.end(), -1) !=
        t.shape_signature.end()) {
      return "tensor " + std::to_string(i) + " '" + t.name + "' has shape_signature " +
             ShapeToString(t.shape_signature) + " (-1 marks a dynamic dimension)";
    }
  }
  return std::nullopt;
}

OpVerdict VerdictFor(const ir::Graph& graph, size_t index) {
  OpVerdict v;
  v.index = static_cast<int>(index);
  v.op = ir::OpName(graph.ops[index]);
  v.version = graph.ops[index].version;
  return v;
}

void Count(CompatibilityReport& report) {
  report.mapped = static_cast<int>(
      std::count_if(report.ops.begin(), report.ops.end(), [](const OpVerdict& v) { return v.mapped; }));
  report.cpu = static_cast<int>(report.ops.size()) - report.mapped;
  for (const OpVerdict& v : report.ops) {
    if (!v.mapped) {
      report.first_cpu_op = v.index;
      break;
    }
  }
}

// Every op stays on the CPU for the same model-wide reason.
void FailAllOps(const ir::Graph& graph, CompatibilityReport& report, const char* reason,
                std::string detail) {
  report.model_reason = reason;
  report.model_detail = std::move(detail);
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    OpVerdict v = VerdictFor(graph, i);
    v.reason = reason;
    v.detail = report.model_detail;
    report.ops.push_back(std::move(v));
  }
  Count(report);
}

void ReportCompiledModel(const ir::Graph& graph, CompatibilityReport& report) {
  report.compiled = true;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const ir::Op& op = graph.ops[i];
    OpVerdict v = VerdictFor(graph, i);
    if (IsEdgeTpuCustomOp(op)) {
      v.mapped = true;
      v.reason = kMapped;
      v.detail = "already compiled: the Edge TPU executable and its parameters are this op";
      if (const auto* o = std::get_if<ir::CustomOptions>(&op.options)) {
        report.parameter_bytes += static_cast<int64_t>(o->bytes.size());
      }
      if (!report.segment_first) report.segment_first = v.index;
      report.segment_last = v.index;
    } else {
      // Left on the CPU by the compiler; say why it would not have mapped it.
      OpCheck check = CheckOp(graph, op, report.runtime_version);
      v.reason = check.mappable ? kMoreThanOneSubgraph : check.reason;
      v.detail = check.mappable ? "left on the CPU when this model was compiled" : check.detail;
    }
    report.ops.push_back(std::move(v));
  }
  Count(report);
  if (report.segment_last && *report.segment_last + 1 < static_cast<int>(graph.ops.size())) {
    report.partition_op = *report.segment_last + 1;
  }
}

// Constant bytes read by the mapped ops, each tensor once.
int64_t MappedParameterBytes(const ir::Graph& graph, const CompatibilityReport& report) {
  std::set<int> seen;
  int64_t bytes = 0;
  for (const OpVerdict& v : report.ops) {
    if (!v.mapped) continue;
    for (int t : graph.ops[static_cast<size_t>(v.index)].inputs) {
      if (t == ir::kNoTensor || !graph.tensor(t).is_constant() || !seen.insert(t).second) continue;
      bytes += static_cast<int64_t>(graph.tensor(t).data.size());
    }
  }
  return bytes;
}

}  // namespace

StatusOr<CompatibilityReport> CheckCompatibility(const ir::Graph& graph,
                                                 const CheckOptions& options) {
  if (options.runtime_version < kOldestRuntimeVersion ||
      options.runtime_version > kNewestRuntimeVersion) {
    return InvalidArgument("Edge TPU runtime version " + std::to_string(options.runtime_version) +
                           " is not one the compiler targets (" +
                           std::to_string(kOldestRuntimeVersion) + " to " +
                           std::to_string(kNewestRuntimeVersion) + ")");
  }
  EF_RETURN_IF_ERROR(CheckTensorIndices(graph));

  CompatibilityReport report;
  report.runtime_version = options.runtime_version;
  if (std::any_of(graph.ops.begin(), graph.ops.end(), IsEdgeTpuCustomOp)) {
    ReportCompiledModel(graph, report);
    return report;
  }
  if (graph.subgraph_count > 1) {
    FailAllOps(graph, report, kMoreThanOneSubgraph,
               "the model holds " + std::to_string(graph.subgraph_count) +
                   " subgraphs; the Edge TPU compiler takes models with one");
    return report;
  }
  if (auto dynamic = FindDynamicTensor(graph)) {
    FailAllOps(graph, report, kDynamicSizedTensors, *dynamic);
    return report;
  }

  std::vector<OpCheck> checks;
  checks.reserve(graph.ops.size());
  for (const ir::Op& op : graph.ops) checks.push_back(CheckOp(graph, op, report.runtime_version));

  // One Edge TPU subgraph: from the first mappable op up to the next op that is not.
  size_t first = 0;
  while (first < checks.size() && !checks[first].mappable) ++first;
  size_t end = first;
  while (end < checks.size() && checks[end].mappable) ++end;

  for (size_t i = 0; i < graph.ops.size(); ++i) {
    OpVerdict v = VerdictFor(graph, i);
    v.mapped = i >= first && i < end;
    if (checks[i].mappable && !v.mapped) {
      v.reason = kMoreThanOneSubgraph;
      v.detail = "after op " + std::to_string(end) + " (" + ir::OpName(graph.ops[end]) +
                 ") leaves the Edge TPU, every later op runs on the CPU";
    } else {
      v.reason = checks[i].reason;
      v.detail = checks[i].detail;
    }
    report.ops.push_back(std::move(v));
  }
  Count(report);
  if (first < end) {
    report.segment_first = static_cast<int>(first);
    report.segment_last = static_cast<int>(end) - 1;
    if (end < graph.ops.size()) report.partition_op = static_cast<int>(end);
  }
  report.parameter_bytes = MappedParameterBytes(graph, report);
  report.on_chip_bytes = std::min(report.parameter_bytes, kOnChipCacheBytes);
  report.off_chip_bytes = report.parameter_bytes - report.on_chip_bytes;
  return report;
}

}  // namespace edgeforge::edgetpu
