// How a photo becomes an image classifier's input tensor: the one implementation behind
// `edgeforge classify`, `edgeforge serve` and calibration (quant/calibration_images.cc can build
// its ImageInputBytes on ModelInputBytes). Decode in the input's colour mode (JPEG with the
// reference reconstruction the goldens were made with), stretch to its height x width with
// bilinear half-pixel resizing (aspect ratio not kept), then ImageToTensor with the model's
// metadata mean/std (raw pixels when absent). The last step writes into a caller's buffer, so
// an interpreter's input can be filled in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/image.h"
#include "edgeforge/status.h"
#include "edgeforge/types.h"

namespace edgeforge::data {

// What an image classifier's input tensor wants.
struct ModelInput {
  int width = 0;
  int height = 0;
  int channels = 3;  // 1 (gray) or 3 (RGB)
  DType dtype = DType::kUInt8;
  QuantParams quant;
  std::vector<float> mean;  // both empty: raw pixels (see ImageToTensor)
  std::vector<float> std;

  ColorMode color_mode() const { return channels == 1 ? ColorMode::kGray : ColorMode::kRgb; }
  size_t byte_size() const;
};

// Describes tensor `tensor_name` of the model read from `source`. Fails, naming both, unless
// the shape is [1, H, W, 1] or [1, H, W, 3] and the type float32, uint8 or int8.
[[nodiscard]] StatusOr<ModelInput> DescribeImageInput(const std::string& source,
                                                      const std::string& tensor_name,
                                                      const Shape& shape, DType dtype,
                                                      QuantParams quant, std::vector<float> mean,
                                                      std::vector<float> std);

// Decodes JPEG / PNG / BMP bytes (recognised by magic bytes) in the input's colour mode and
// resizes to its size. `source_name` is named in errors.
[[nodiscard]] StatusOr<Image> DecodeForModelInput(std::span<const uint8_t> bytes,
                                                  const std::string& source_name,
                                                  const ModelInput& input);

// The same for the image file at `path`.
[[nodiscard]] StatusOr<Image> LoadForModelInput(const std::string& path, const ModelInput& input);

// Writes an image of the input's size and channel count (what the two functions above return)
// into `tensor`, which must be byte_size() long.
[[nodiscard]] Status WriteModelInput(const Image& sized, const ModelInput& input,
                                     std::span<uint8_t> tensor);

// An already decoded image with the input's channel count (convert others first, e.g. with
// data::ConvertChannels): resized, then returned as the tensor's bytes.
[[nodiscard]] StatusOr<std::vector<uint8_t>> ModelInputBytes(const Image& image,
                                                             const ModelInput& input);

}  // namespace edgeforge::data
