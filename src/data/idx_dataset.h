// MNIST / Fashion-MNIST IDX files (gzipped or not): an unsigned-byte array with a big-endian
// header (magic 0x0000 08 NDIMS, then NDIMS uint32 sizes). A whole file is decompressed once
// at open (Fashion-MNIST's 60,000 x 784 training bytes fit in memory comfortably).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/status.h"

namespace edgeforge::data {

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;  // product(dims) bytes, row-major
};

// Reads an unsigned-byte IDX file (type 0x08), gzipped or plain. Errors name the file: wrong
// magic, unsupported element type, truncated data.
StatusOr<IdxArray> ReadIdxFile(const std::string& path);

// Class names of the two IDX datasets edgeforge knows.
const std::vector<std::string>& FashionMnistClassNames();  // "T-shirt/top", ... "Ankle boot"
const std::vector<std::string>& MnistClassNames();         // "0" ... "9"

// An images file [N, H, W] and a labels file [N]; `name` is used in descriptions
// ("fashion-mnist train"). Labels must be below class_names.size().
StatusOr<std::unique_ptr<Dataset>> OpenIdxDataset(const std::string& images_path, const std::string& labels_path,
                                                  std::vector<std::string> class_names, const std::string& name);

// Whether `dir` holds IDX files for `split` (train-images-idx3-ubyte[.gz] / t10k-...).
bool HasIdxFiles(const std::string& dir, Split split);
// Opens the IDX files of `split` in `dir`. Fashion-MNIST class names when the folder's name
// says "fashion", digit names otherwise.
StatusOr<std::unique_ptr<Dataset>> OpenIdxFolder(const std::string& dir, Split split);

}  // namespace edgeforge::data
