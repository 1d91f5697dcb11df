// Labelled image datasets behind one interface, whatever they are stored as: a folder of photos
// (one subfolder per class), TFRecord files of tf.train.Example (TF's usual keys), or the IDX
// files of MNIST / Fashion-MNIST (gzipped or not). Training, evaluation, calibration and
// transfer learning read images through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edgeforge/image.h"
#include "edgeforge/status.h"

namespace edgeforge::data {

enum class Split { kTrain, kTest };

class Dataset {
 public:
  virtual ~Dataset() = default;
  // Number of examples.
  virtual size_t size() const = 0;
  // Class names; label = index. Never empty for an opened dataset.
  virtual const std::vector<std::string>& class_names() const = 0;
  // Label of example i (cheap: no decoding).
  virtual int label(size_t i) const = 0;
  // Decodes example i in its native channels (1 for gray, 3 for colour). Thread-safe: the
  // loader calls it from several worker threads at once. Errors name the file (and the record
  // offset for TFRecord).
  virtual StatusOr<Image> Load(size_t i) const = 0;
  // "flowers/daisy/1.jpg", "train-00000-of-00004.tfrecord@1234", "fashion-mnist train #17":
  // where example i comes from, for messages.
  virtual std::string Describe(size_t i) const = 0;
  // A short description of the whole dataset for logs ("folder DIR: 5 classes, 300 images").
  virtual std::string Summary() const = 0;
};

// Opens `spec`:
//   "fashion-mnist" / "mnist"  the IDX files under /usr/share/datasets/<name> (Debian
//                              dataset-fashion-mnist), or $EDGEFORGE_DATASETS/<name>
//   a folder of class subfolders (or flat <class>_*.jpg) -> ListLabelledImages
//   a folder holding IDX files (train-images-idx3-ubyte[.gz] ...) -> IDX
//   a .tfrecord file, a TFRecord prefix (PREFIX-train-*.tfrecord / PREFIX-*.tfrecord), or a
//   folder of .tfrecord files
// `split` picks train or test files where the storage has both (IDX: train-* / t10k-*;
// TFRecord written by `edgeforge dataset build`: PREFIX-train-* / PREFIX-validation-*). A
// folder of photos has no split: both return every image (split it with StratifiedSplit).
// (Except a folder holding train/ and test/ (or validation/) subfolders of classes, such as
// flowers-mini: the split picks one.) TFRecord shards named as TF's build_image_data
// (train-00000-of-01024, no extension) or TFDS (NAME-train.tfrecord-00000-of-00001) name their
// split too; without PREFIX-labels.txt / labels.txt, class names come from image/class/text.
StatusOr<std::unique_ptr<Dataset>> OpenDataset(const std::string& spec, Split split = Split::kTrain);

// Indices of `dataset` split per class: round(fraction * n_c) examples of each class go to
// `second` (at least one when the class has two or more), the rest to `first`; the choice is a
// seeded shuffle, so the same seed gives the same split.
struct IndexSplit {
  std::vector<size_t> first;
  std::vector<size_t> second;
};
IndexSplit StratifiedSplit(const Dataset& dataset, double fraction, uint64_t seed);

// `indices` reordered by taking each class in turn (the first example of every class in label
// order, then the second of each, ...), keeping their order within a class, cut to at most
// `limit`: any prefix samples every class evenly (calibration, limited evaluation or training).
std::vector<size_t> InterleaveClasses(const Dataset& dataset, const std::vector<size_t>& indices,
                                      size_t limit = SIZE_MAX);

}  // namespace edgeforge::data
