#include "data/labels_file.h"

#include <fstream>

namespace edgeforge::data {

StatusOr<std::vector<std::string>> ReadLabelsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound(path + ": cannot open labels file (expected one label a line)");
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    labels.push_back(line);
  }
  if (in.bad()) return IoError(path + ": read error in labels file");
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  if (labels.empty()) return InvalidArgument(path + ": labels file is empty");
  return labels;
}

}  // namespace edgeforge::data
