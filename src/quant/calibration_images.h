// Representative images for calibration and for the quantization report: opening the
// calibration data (any dataset `data::OpenDataset` takes: a folder of images, class folders,
// IDX, TFRecord, "fashion-mnist"), choosing which examples calibrate and which are held back,
// and turning one image into the bytes of a model's input tensor exactly as `edgeforge
// classify` does (channels converted to the model's, stretched to the input's size with
// bilinear resizing, then normalised with the model's mean/std).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/image.h"
#include "edgeforge/status.h"
#include "ir/tensor.h"

namespace edgeforge::quant {

// Float preprocessing: input = (pixel - mean[c]) / std[c]. Both empty: raw pixels.
struct InputPreprocessing {
  std::vector<float> mean;
  std::vector<float> std;
};

// Opens the calibration data `spec` (its train split where it has one). Calibration needs no
// labels, so a folder holding only photos, whatever their names, is one class. Errors say what
// `spec` was taken for: missing, a .tflite model, not a dataset, or holding no images.
StatusOr<std::unique_ptr<data::Dataset>> OpenCalibrationData(const std::string& spec);

// The examples of `dataset` ordered so that any prefix samples every class evenly: the first
// example of each class, then the second of each, and so on (classes by label, examples in
// the dataset's order).
std::vector<size_t> InterleaveClasses(const data::Dataset& dataset);

// The paths of the images of folder `dir` (class subfolders, or photos directly in it) in
// InterleaveClasses order. For callers that hand paths on.
StatusOr<std::vector<std::string>> ListCalibrationImages(const std::string& dir);

struct SampleSplit {
  std::vector<size_t> calibration;
  std::vector<size_t> held_back;  // for the report; never used to calibrate
};
// The first `calibration` entries of `order` calibrate, the next `held_back` ones are held
// back. When there are fewer examples than both need, calibration gets its share first.
SampleSplit SplitSamples(const std::vector<size_t>& order, size_t calibration, size_t held_back);

// Whether `input` can take an image: [1,H,W,3] or [1,H,W,1], float32, uint8 or int8 (8-bit
// inputs quantized per tensor). The error names `source` and the tensor.
Status CheckImageInput(const ir::Tensor& input, const std::string& source);

// Checks mean/std: each empty, or 1 or `channels` entries; std entries non-zero; both given or
// neither.
Status CheckPreprocessing(const InputPreprocessing& preprocessing, int channels);

// The bytes of `input` for `image`: a gray model takes an RGB image's luma, an RGB model a
// gray image replicated into three channels; then resized and normalised as above.
StatusOr<std::vector<uint8_t>> ImageInputBytes(const Image& image, const ir::Tensor& input,
                                               const InputPreprocessing& preprocessing);

// Decodes the image at `path` and returns the bytes of `input` for it.
StatusOr<std::vector<uint8_t>> ImageInputBytes(const std::string& path, const ir::Tensor& input,
                                               const InputPreprocessing& preprocessing);

}  // namespace edgeforge::quant
