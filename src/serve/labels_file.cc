#include "serve/labels_file.h"

#include <fstream>

namespace edgeforge::serve {

StatusOr<std::vector<std::string>> ReadLabelsFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return NotFound(path + ": cannot open labels file (expected one label a line)");
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    labels.push_back(line);
  }
  if (f.bad()) return IoError(path + ": read error in labels file");
  return labels;
}

}  // namespace edgeforge::serve
