// Small datasets for the transfer-learning tests, linked from ../shared/testdata so the suite
// stays fast (also under ASan): a few flowers-mini photos per class keep the train/ + test/
// layout of the real thing.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace edgeforge::testing {

// DIR/train/<class>/ with the first `train_per_class` photos of flowers-mini/train/<class>, and
// DIR/test/<class>/ with the first `test_per_class` of flowers-mini/test/<class>.
inline void MakeFlowersSubset(const std::string& dir, const std::vector<std::string>& classes, int train_per_class,
                              int test_per_class) {
  namespace fs = std::filesystem;
  for (const auto& [split, count] : {std::pair<std::string, int>{"train", train_per_class}, {"test", test_per_class}}) {
    if (count == 0) continue;
    for (const std::string& c : classes) {
      const fs::path from = TestData("flowers-mini/" + split + "/" + c);
      const fs::path to = fs::path(dir) / split / c;
      fs::create_directories(to);
      std::vector<fs::path> photos;
      for (const auto& e : fs::directory_iterator(from)) photos.push_back(e.path());
      std::sort(photos.begin(), photos.end());
      for (int i = 0; i < count && i < static_cast<int>(photos.size()); ++i) {
        fs::create_symlink(photos[static_cast<size_t>(i)], to / photos[static_cast<size_t>(i)].filename());
      }
    }
  }
}

}  // namespace edgeforge::testing
