#include "data/labelled_images.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace edgeforge::data {

namespace fs = std::filesystem;

bool HasImageExtension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

namespace {
bool Included(const fs::path& p, const std::string& include) {
  return include.empty() || fnmatch(include.c_str(), p.filename().c_str(), 0) == 0;
}
}  // namespace

StatusOr<LabelledImages> ListLabelledImages(const std::string& dir, const std::string& include) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return NotFound(dir + ": no such folder");
  if (!fs::is_directory(dir, ec)) return InvalidArgument(dir + ": not a folder of labelled images");
  std::map<std::string, std::vector<std::string>> by_class;
  bool has_subfolders = false;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory()) has_subfolders = true;
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (has_subfolders && e.is_directory()) {
      auto& files = by_class[e.path().filename().string()];
      for (const auto& f : fs::directory_iterator(e.path(), ec)) {
        if (f.is_regular_file() && HasImageExtension(f.path().string()) && Included(f.path(), include)) {
          files.push_back(f.path().string());
        }
      }
    } else if (!has_subfolders && e.is_regular_file() && HasImageExtension(e.path().string()) &&
               Included(e.path(), include)) {
      std::string name = e.path().filename().string();
      size_t cut = name.find('_');
      if (cut == std::string::npos || cut == 0) {
        return InvalidArgument(dir + ": flat file '" + name +
                               "' is not named <class>_<anything>; use one subfolder per class");
      }
      by_class[name.substr(0, cut)].push_back(e.path().string());
    }
  }
  if (ec) return IoError(dir + ": cannot list: " + ec.message());
  LabelledImages out;
  for (auto& [name, files] : by_class) {
    if (files.empty()) {
      return InvalidArgument(dir + ": class '" + name + "' has no .jpg, .png or .bmp images" +
                             (include.empty() ? "" : " matching '" + include + "'"));
    }
    std::sort(files.begin(), files.end());
    int label = static_cast<int>(out.class_names.size());
    out.class_names.push_back(name);
    for (auto& f : files) out.images.push_back({f, label});
  }
  if (out.images.empty()) {
    return InvalidArgument(dir + ": holds no labelled .jpg, .png or .bmp images" +
                           (include.empty() ? "" : " matching '" + include + "'"));
  }
  return out;
}

}  // namespace edgeforge::data
