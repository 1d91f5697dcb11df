// The Edge TPU compiler's supported-operations table, as data: which TFLite builtins it maps,
// from which Edge TPU runtime version on (and until which, where the limitations changed), the
// highest TFLite op version it accepts, and the check for each op's known limitations. The
// table itself, with the source of every row, is in supported_ops.cc.
#pragma once

#include <span>
#include <string_view>

#include "edgetpu/op_constraints.h"

namespace edgeforge::edgetpu {

// Edge TPU runtime versions the compiler can target (edgetpu_compiler --min_runtime_version;
// coral.ai/docs/edgetpu/compiler, "Compiler and runtime versions").
inline constexpr int kOldestRuntimeVersion = 10;
inline constexpr int kNewestRuntimeVersion = 14;
// Edge TPU Compiler 16.0, the current one, targets runtime 14 unless told otherwise
// (google-coral/edgetpu#439: "Default was 14").
inline constexpr int kDefaultRuntimeVersion = 14;

using ConstraintCheck = constraints::Violation (*)(const ir::Graph& graph, const ir::Op& op);

struct OpRule {
  std::string_view op;  // TFLite builtin name, as ir::OpName spells it
  int min_runtime = kOldestRuntimeVersion;  // inclusive
  int max_runtime = kNewestRuntimeVersion;  // inclusive
  // Highest TFLite op version accepted. Versions are TFLite's (tools/versioning/
  // op_version.cc): we accept up to the version TFLite gives the op's 8-bit kernel; higher
  // versions add features the Edge TPU does not document (half-pixel resizing, grouped
  // convolution, keep_num_dims, >4-D, ...), which the compiler answers with "Operation version
  // not supported" (google-coral/edgetpu#396: RESIZE_BILINEAR v3).
  int max_op_version = 1;
  ConstraintCheck constraint = nullptr;  // nullptr: no known limitation
};

// Every row of the table.
std::span<const OpRule> SupportedOpRules();

// The row for builtin `op` when targeting `runtime_version`, or nullptr when the compiler
// does not map `op` for that runtime.
const OpRule* FindOpRule(std::string_view op, int runtime_version);

// The lowest runtime version with a row for `op`, or 0 when `op` is not in the table at all.
int FirstRuntimeVersionFor(std::string_view op);

}  // namespace edgeforge::edgetpu
