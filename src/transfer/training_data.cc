#include "transfer/training_data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

namespace edgeforge::transfer {

void StratifiedSplit(const std::vector<data::LabelledImage>& images, int num_classes, float fraction, uint32_t seed,
                     std::vector<data::LabelledImage>* train, std::vector<data::LabelledImage>* val) {
  std::vector<std::vector<data::LabelledImage>> per_class(static_cast<size_t>(num_classes));
  for (const data::LabelledImage& img : images) per_class[static_cast<size_t>(img.label)].push_back(img);
  std::mt19937 rng(seed);
  for (std::vector<data::LabelledImage>& members : per_class) {
    std::shuffle(members.begin(), members.end(), rng);
    const int n = static_cast<int>(members.size());
    int held = static_cast<int>(std::lround(fraction * static_cast<float>(n)));
    if (fraction > 0 && n >= 2) held = std::max(held, 1);
    held = std::min(held, n - 1);
    for (int i = 0; i < n; ++i) (i < held ? val : train)->push_back(members[static_cast<size_t>(i)]);
  }
}

StatusOr<TrainingData> LoadTrainingData(const std::string& dir, float val_fraction, uint32_t seed) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool has_train = fs::is_directory(dir + "/train", ec);
  const bool has_test = has_train && fs::is_directory(dir + "/test", ec);
  TrainingData out;
  out.train_dir = has_train ? dir + "/train" : dir;
  EF_ASSIGN_OR_RETURN(data::LabelledImages train, data::ListLabelledImages(out.train_dir));
  if (train.class_names.size() < 2) {
    return InvalidArgument(out.train_dir + ": found one class ('" + train.class_names.at(0) +
                           "'); a classifier needs at least 2 classes, one subfolder of photos each");
  }
  out.class_names = train.class_names;
  StratifiedSplit(train.images, static_cast<int>(out.class_names.size()), val_fraction, seed, &out.train, &out.val);
  if (has_test) {
    EF_ASSIGN_OR_RETURN(data::LabelledImages test, data::ListLabelledImages(dir + "/test"));
    for (data::LabelledImage img : test.images) {
      const std::string& name = test.class_names[static_cast<size_t>(img.label)];
      auto at = std::find(out.class_names.begin(), out.class_names.end(), name);
      if (at == out.class_names.end()) {
        return InvalidArgument(dir + "/test: class '" + name + "' is not among the classes of " + out.train_dir);
      }
      img.label = static_cast<int>(at - out.class_names.begin());
      out.test.push_back(std::move(img));
    }
  }
  return out;
}

}  // namespace edgeforge::transfer
