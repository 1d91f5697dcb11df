// Writing a dataset's images out as a class-per-folder tree of PNG files: how `edgeforge make`
// hands IDX or TFRecord data to steps that read a folder of photos (calibration, head-only
// transfer learning). PNG is lossless, so the exported pixels are exactly the dataset's.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/image.h"
#include "edgeforge/status.h"

namespace edgeforge::make {

// 8-bit gray or RGB as a PNG file; the error names `path`.
Status WritePng(const Image& image, const std::string& path);

struct ExportCount {
  size_t written = 0;
  size_t skipped = 0;  // examples that could not be decoded
};

// A class name as one folder name: path separators become '_' (Fashion-MNIST's "T-shirt/top"
// -> "T-shirt_top"), "", "." and ".." get a leading '_'.
std::string ClassFolderName(const std::string& class_name);

// Writes example i of `indices` to DIR/<ClassFolderName>/<i>.png (folders created). Undecodable
// examples are skipped and counted; failing to write is an error.
StatusOr<ExportCount> ExportImages(const data::Dataset& dataset, const std::vector<size_t>& indices,
                                   const std::string& dir);

// At most `count` of `indices`, taken round-robin over the classes (the first of each class,
// then the second of each ...), so any prefix is class-balanced. count 0: all of them.
std::vector<size_t> ClassBalancedPrefix(const data::Dataset& dataset, const std::vector<size_t>& indices,
                                        size_t count);

}  // namespace edgeforge::make
