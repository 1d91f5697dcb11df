// The photos head-only transfer learning trains, validates and tests on. DIR is either a folder
// with one subfolder per class (split into train and validation here), or a folder with train/
// and test/ subfolders laid out that way (flowers-mini): train/ is split into train and
// validation, test/ (optional) is only used for the final test accuracy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/labelled_images.h"
#include "edgeforge/status.h"

namespace edgeforge::transfer {

struct TrainingData {
  std::vector<std::string> class_names;  // sorted; label = index
  std::vector<data::LabelledImage> train;
  std::vector<data::LabelledImage> val;
  std::vector<data::LabelledImage> test;  // empty unless DIR has test/
  std::string train_dir;                  // the folder train and val come from
};

// Errors: DIR missing or without images; fewer than 2 classes; test/ with a class train/ lacks.
StatusOr<TrainingData> LoadTrainingData(const std::string& dir, float val_fraction, uint32_t seed);

// Stratified split: for each class, a seeded shuffle, then round(fraction * n) photos go to
// `val` (at least one when the class has two or more and fraction > 0, never all of them).
void StratifiedSplit(const std::vector<data::LabelledImage>& images, int num_classes, float fraction, uint32_t seed,
                     std::vector<data::LabelledImage>* train, std::vector<data::LabelledImage>* val);

}  // namespace edgeforge::transfer
