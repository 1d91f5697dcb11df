// `edgeforge dataset build` and `dataset info`: writing a folder of photos as sharded TFRecord
// files of tf.train.Example (train and validation, split per class), and describing any
// dataset OpenDataset accepts.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/status.h"

namespace edgeforge::data {

struct BuildOptions {
  std::string from_dir;     // class-per-folder photos
  std::string out_prefix;   // PREFIX-train-00000-of-0000N.tfrecord, PREFIX-validation-..., PREFIX-labels.txt
  int shards = 1;           // files per split
  double val_fraction = 0.1;
  uint64_t seed = 1;        // the split and the order of examples in the shards
};

struct BuildResult {
  std::vector<std::string> class_names;
  std::vector<std::string> files;  // every file written, labels file last
  size_t train = 0;
  size_t validation = 0;
  size_t skipped = 0;  // photos that could not be decoded (warned on `warnings`)
};

// Each photo's original bytes are stored (no re-encoding) with its format, size, label and class
// name. Undecodable photos are skipped with a warning naming them. Photos are decoded once (to
// check them) and read again when their shard is written: memory stays bounded. Files are written to a
// temporary name and renamed, so a failed build leaves no half-written shard.
StatusOr<BuildResult> BuildTfRecordDataset(const BuildOptions& options, std::FILE* warnings);

// The shard name TF's build_image_data uses: PREFIX-train-00001-of-00004.tfrecord.
std::string ShardPath(const std::string& prefix, const std::string& split, int shard, int shards);

struct DatasetInfo {
  std::string kind;     // "folder", "TFRecord", "IDX"
  std::string summary;  // Dataset::Summary()
  std::vector<std::string> class_names;
  std::vector<size_t> counts;  // examples per class
  size_t total = 0;
};

// Opens `spec` (for TFRecord that reads every record and checks every CRC) and counts.
StatusOr<DatasetInfo> InspectDataset(const std::string& spec, Split split);
DatasetInfo Describe(const Dataset& dataset);

}  // namespace edgeforge::data
