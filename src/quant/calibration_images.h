// Representative images for calibration and for the quantization report: listing a folder,
// choosing which images calibrate and which are held back, and turning one image into the
// bytes of a model's input tensor exactly as `edgeforge classify` does (stretch to the input's
// size with bilinear resizing, then normalise with the model's mean/std).
//
// Calibration data is a folder now: one subfolder per class, or image files directly in it.
// TFRecord and IDX files come with the dataset loaders of a later issue.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/tensor.h"

namespace edgeforge::quant {

// Float preprocessing: input = (pixel - mean[c]) / std[c]. Both empty: raw pixels.
struct InputPreprocessing {
  std::vector<float> mean;
  std::vector<float> std;
};

// The images of `dir` (.jpg, .jpeg, .png, .bmp), ordered so that any prefix samples every
// class evenly: the first image of each class, then the second of each, and so on (classes
// and files sorted by name). Errors: `dir` missing, a file rather than a folder (TFRecord and
// IDX are not read yet), or holding no images.
StatusOr<std::vector<std::string>> ListCalibrationImages(const std::string& dir);

struct ImageSplit {
  std::vector<std::string> calibration;
  std::vector<std::string> held_back;  // for the report; never used to calibrate
};
// The first `calibration` images calibrate, the next `held_back` ones are held back. When
// there are fewer images than both need, calibration gets its share first.
ImageSplit SplitImages(const std::vector<std::string>& images, size_t calibration, size_t held_back);

// Whether `input` can take an image: [1,H,W,3] or [1,H,W,1], float32, uint8 or int8 (8-bit
// inputs quantized per tensor). The error names `source` and the tensor.
Status CheckImageInput(const ir::Tensor& input, const std::string& source);

// Checks mean/std: each empty, or 1 or `channels` entries; std entries non-zero; both given or
// neither.
Status CheckPreprocessing(const InputPreprocessing& preprocessing, int channels);

// Decodes the image at `path` and returns the bytes of `input` for it.
StatusOr<std::vector<uint8_t>> ImageInputBytes(const std::string& path, const ir::Tensor& input,
                                               const InputPreprocessing& preprocessing);

}  // namespace edgeforge::quant
