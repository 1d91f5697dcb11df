// A CompatibilityReport as text laid out like edgetpu_compiler's console output and operation
// log: the memory lines, the operation counts, and the "Operator  Count  Status" table that
// groups ops by name and status, so a prediction can be set beside a real compiler log.
#pragma once

#include <cstdint>
#include <string>

#include "edgetpu/compatibility.h"

namespace edgeforge::edgetpu {

// `model_name` heads the text; `verbose` adds one line per op with the reason's detail.
std::string FormatCompilerLog(const CompatibilityReport& report, const std::string& model_name,
                              bool verbose);

// Sizes as the compiler prints them: "0.00B", "5.75KiB", "3.21MiB".
std::string FormatBytes(int64_t bytes);

}  // namespace edgeforge::edgetpu
