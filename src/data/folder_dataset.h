// A folder of photos as a Dataset: one subfolder per class, or flat <class>_*.jpg files (see
// labelled_images.h). Images are decoded on every Load, in their native channels.
#pragma once

#include <memory>
#include <string>

#include "data/dataset.h"
#include "data/labelled_images.h"

namespace edgeforge::data {

StatusOr<std::unique_ptr<Dataset>> OpenFolderDataset(const std::string& dir);
std::unique_ptr<Dataset> MakeFolderDataset(const std::string& dir, LabelledImages images);

}  // namespace edgeforge::data
