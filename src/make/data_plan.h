// How `edgeforge make` lays out its data for each step, so that training never sees the images
// the accuracies are measured on:
//   * a photo folder with train/ and test/ is used as it is;
//   * a flat photo folder (one subfolder per class) is split 80/20 per class into
//     OUT/data/train and OUT/data/test as symbolic links (nothing copied); so is a split folder
//     when --limit asks for fewer training photos;
//   * IDX / TFRecord / fashion-mnist stay where they are for training from scratch and int8
//     calibration (the test split is theirs, or the 10% edgeforge-train holds out with the
//     same seed), and are exported as PNG folders OUT/data/{train,test} for head-only transfer
//     learning, which reads photos.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/status.h"
#include "make/make_options.h"

namespace edgeforge::make {

// Photos exported per class for head-only transfer learning from IDX / TFRecord data when no
// --limit is given: features of a 224x224 backbone cost tens of ms per image on a CPU core.
inline constexpr size_t kTransferExportPerClass = 100;
// Calibration images (int8 ranges) plus the held-back images the quantization report uses.
inline constexpr size_t kCalibrationImages = 100;
inline constexpr size_t kReportImages = 20;

struct DataPlan {
  std::string train_spec;       // what edgeforge-train's --data or head-only's data gets
  bool train_is_photo_folder = false;
  std::string calibration_dir;  // a dataset spec quant::OpenCalibrationData takes
  std::unique_ptr<data::Dataset> eval_dataset;
  std::vector<size_t> eval_indices;  // of eval_dataset (empty: all of it)
  std::string test_split;       // how the test split was formed, for the report
  std::vector<std::string> class_names;
  std::string summary;          // the training data's Summary()
  size_t train_examples = 0;
  int native_size = 0;          // larger side of the first training image
  int native_channels = 0;
  std::vector<std::string> notes;
};

// NotFound naming --data when `spec` is neither a known dataset name nor an existing path (or
// the folder of a TFRecord prefix). Cheap: run before anything slow.
Status CheckDataExists(const std::string& spec);

// `photos_for_training`: the recipe reads photo folders (head-only transfer learning), so
// other storage is exported. Progress goes to `log` (may be null).
StatusOr<DataPlan> PlanData(const MakeOptions& options, bool photos_for_training, std::FILE* log);

}  // namespace edgeforge::make
