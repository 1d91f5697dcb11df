// Listing a folder of labelled photos: either one subfolder per class (DIR/<class>/*.jpg, the
// layout of TF's image_dataset_from_directory and Model Maker) or, when DIR has no subfolders,
// flat files named <class>_<anything>.<ext> (the layout of Coral's imprinting test data).
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::data {

struct LabelledImage {
  std::string path;
  int label = 0;
};

struct LabelledImages {
  std::vector<std::string> class_names;  // sorted; label = index
  std::vector<LabelledImage> images;     // sorted by class, then path
};

// `include` is an fnmatch pattern on file names ("*_train_*"); empty keeps every image.
// Errors name the folder: missing, not a folder, or no .jpg/.jpeg/.png/.bmp image in it.
StatusOr<LabelledImages> ListLabelledImages(const std::string& dir, const std::string& include = "");

bool HasImageExtension(const std::string& path);

}  // namespace edgeforge::data
