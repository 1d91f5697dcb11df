// Batches for training and evaluation: worker threads decode, augment and normalise images in
// parallel while the trainer computes, and hand out float NHWC batches in a deterministic order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/status.h"

namespace edgeforge::data {

struct Augmentation {
  // Random resized crop (Inception style, as in the MnasNet reference): area fraction in
  // [min_area, max_area] of the source, aspect ratio log-uniform in [min_aspect, max_aspect],
  // 10 attempts, then a centre crop fallback; resized bilinearly to the output size.
  bool random_resized_crop = false;
  float min_area = 0.08f, max_area = 1.0f;
  float min_aspect = 3.0f / 4.0f, max_aspect = 4.0f / 3.0f;
  bool horizontal_flip = false;
  // Evaluation: centre crop of this fraction of the image (0.875 as in Inception/MnasNet eval)
  // before resizing; 1 = resize the whole image. Ignored with random_resized_crop.
  float center_crop_fraction = 1.0f;
};

struct BatchOptions {
  int image_size = 224;  // output height = width
  int channels = 3;      // 1: gray (colour images become luma); 3: RGB (gray replicated)
  size_t batch_size = 32;
  bool shuffle = false;   // reshuffle the order every epoch (seed + epoch)
  bool drop_last = false; // skip a final partial batch
  Augmentation augmentation;
  // value = (pixel - mean[c]) / std[c]; 1 or `channels` entries.
  std::vector<float> mean{127.5f};
  std::vector<float> std{127.5f};
  int workers = 2;        // decoding threads
  uint64_t seed = 1;      // with epoch and example index, fixes every random choice
};

struct Batch {
  size_t size = 0;             // examples in this batch (<= batch_size)
  std::vector<float> images;   // [size, image_size, image_size, channels], NHWC
  std::vector<int64_t> labels; // [size]
  std::vector<size_t> indices; // dataset indices of the examples
};

// Iterates over `indices` of `dataset` (all of it when empty) one epoch at a time. An example
// that cannot be decoded is skipped, counted and warned about once (naming it) - it does not
// stop training; when every example of a batch fails, that is an error.
class BatchLoader {
 public:
  BatchLoader(const Dataset& dataset, std::vector<size_t> indices, BatchOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Starts epoch `epoch` (0-based): order and augmentation depend only on (seed, epoch, index),
  // so a resumed run sees the same batches as an uninterrupted one.
  void StartEpoch(int epoch);
  // Fills `batch` with the next batch of the epoch; returns false at the end of the epoch.
  StatusOr<bool> Next(Batch* batch);
  size_t batches_per_epoch() const;
  size_t skipped() const;  // examples skipped so far because they could not be decoded

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgeforge::data
