// TFRecord files of tf.train.Example image records (image/encoded + image/class/label, see
// tf_example.h) as a Dataset. Every record of every file is read and CRC-checked at open, so a
// corrupt file fails there, naming the file and offset; Load re-reads one record from the
// file's read-only mapping.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace edgeforge::data {

// `files` in order; `labels_path` (one class name a line, may be empty) names the classes.
// Without it, class names come from image/class/text, or are the label numbers.
StatusOr<std::unique_ptr<Dataset>> OpenTfRecordDataset(const std::vector<std::string>& files,
                                                       const std::string& labels_path, const std::string& name);

// Reads a labels file: one class name a line, '\r' stripped, trailing empty lines ignored.
StatusOr<std::vector<std::string>> ReadClassNames(const std::string& path);

}  // namespace edgeforge::data
