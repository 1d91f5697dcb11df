// Class labels from a text file: one label a line, line index = class index.
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::serve {

// Reads `path`; a trailing '\r' on a line is dropped (files written on Windows). Same rules as
// `edgeforge classify --labels`.
[[nodiscard]] StatusOr<std::vector<std::string>> ReadLabelsFile(const std::string& path);

}  // namespace edgeforge::serve
