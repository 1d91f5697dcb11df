#include "edgetpu/compiler_log.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace edgeforge::edgetpu {

namespace {

std::string Printf(const char* format, auto... args) {
  int n = std::snprintf(nullptr, 0, format, args...);
  std::string s(static_cast<size_t>(n), '\0');
  std::snprintf(s.data(), s.size() + 1, format, args...);
  return s;
}

std::string OpLabel(const CompatibilityReport& report, int index) {
  return std::to_string(index) + " (" + report.ops[static_cast<size_t>(index)].op + ")";
}

// The compiler's table: one row per (operator, status) pair, in order of first appearance.
std::string OperatorTable(const CompatibilityReport& report) {
  std::vector<std::pair<const OpVerdict*, int>> rows;
  for (const OpVerdict& v : report.ops) {
    auto same = [&](const auto& row) { return row.first->op == v.op && row.first->reason == v.reason; };
    auto it = std::find_if(rows.begin(), rows.end(), same);
    if (it == rows.end()) {
      rows.emplace_back(&v, 1);
    } else {
      ++it->second;
    }
  }
  std::string out = Printf("%-30s %-10s %s\n\n", "Operator", "Count", "Status");
  for (const auto& [verdict, count] : rows) {
    out += Printf("%-30s %-10d %s\n", verdict->op.c_str(), count, verdict->reason.c_str());
  }
  return out;
}

std::string PerOpList(const CompatibilityReport& report) {
  std::string out = "Operations:\n";
  for (const OpVerdict& v : report.ops) {
    out += Printf("  %-5d %-30s v%-3d %s\n", v.index, v.op.c_str(), v.version, v.reason.c_str());
    if (!v.detail.empty()) out += "        " + v.detail + "\n";
  }
  return out;
}

std::string Summary(const CompatibilityReport& report) {
  std::string out;
  if (report.compiled) {
    out += "Model is already compiled for the Edge TPU: its edgetpu-custom-op holds the mapped part.\n";
    out += "Edge TPU package (executable and parameters): " + FormatBytes(report.parameter_bytes) + "\n";
  } else if (!report.model_reason.empty()) {
    out += "The Edge TPU compiler would reject this model: " + report.model_reason + ".\n";
    out += "  " + report.model_detail + "\n";
  } else {
    out += "On-chip memory used for caching model parameters: " + FormatBytes(report.on_chip_bytes) + "\n";
    out += "On-chip memory remaining for caching model parameters: " +
           FormatBytes(kOnChipCacheBytes - report.on_chip_bytes) + "\n";
    out += "Off-chip memory used for streaming uncached model parameters: " +
           FormatBytes(report.off_chip_bytes) + "\n";
    out += "  (estimate: parameter bytes of the mapped ops against the Edge TPU's ~8 MiB cache, part\n"
           "   of which the compiler keeps for the executable)\n";
    out += Printf("Number of Edge TPU subgraphs: %d\n", report.segment_first ? 1 : 0);
    out += Printf("Total number of operations: %zu\n", report.ops.size());
  }
  out += "\n";
  if (report.fully_mapped()) {
    out += "All operations map to the Edge TPU.\n";
  } else {
    out += "Not all operations are supported by the Edge TPU. A percentage of the model will instead "
           "run on the CPU, which is slower.\n";
    if (report.segment_first) {
      out += "Edge TPU subgraph: ops " + std::to_string(*report.segment_first) + " to " +
             std::to_string(*report.segment_last) + ".\n";
    }
    if (report.first_cpu_op) {
      out += "First operation on the CPU: " + OpLabel(report, *report.first_cpu_op) + ".\n";
    }
    if (report.partition_op) {
      out += "Partition point: op " + OpLabel(report, *report.partition_op) +
             " and every operation after it run on the CPU.\n";
    }
  }
  out += Printf("Number of operations that will run on Edge TPU: %d\n", report.mapped);
  out += Printf("Number of operations that will run on CPU: %d\n", report.cpu);
  return out;
}

}  // namespace

std::string FormatBytes(int64_t bytes) {
  double value = static_cast<double>(bytes);
  if (bytes < 1024) return Printf("%.2fB", value);
  if (bytes < 1024 * 1024) return Printf("%.2fKiB", value / 1024.0);
  return Printf("%.2fMiB", value / (1024.0 * 1024.0));
}

std::string FormatCompilerLog(const CompatibilityReport& report, const std::string& model_name,
                              bool verbose) {
  std::string out = "Edge TPU compatibility of " + model_name + " (compiler rules for Edge TPU runtime " +
                    std::to_string(report.runtime_version) + ")\n\n";
  out += Summary(report);
  out += "\n" + OperatorTable(report);
  if (verbose) out += "\n" + PerOpList(report);
  return out;
}

}  // namespace edgeforge::edgetpu
