// Class labels from a text file: one label a line, line index = class index. The one reader
// behind `edgeforge classify --labels` and `edgeforge serve --labels` (data::ReadClassNames in
// tfrecord_dataset.cc follows the same rules and can forward to it).
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::data {

// Reads `path`. A trailing '\r' on a line is dropped (files written on Windows), and so are
// empty lines at the end of the file (they would be phantom classes). A missing, unreadable or
// empty file is an error naming `path`.
[[nodiscard]] StatusOr<std::vector<std::string>> ReadLabelsFile(const std::string& path);

}  // namespace edgeforge::data
