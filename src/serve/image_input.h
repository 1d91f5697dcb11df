// How a photo becomes a classifier's input tensor, exactly as `edgeforge classify` does it:
// decode (JPEG via the reference decoder the goldens were made with), stretch to the input's
// height x width with bilinear half-pixel resizing, then ImageToTensor with the model's
// metadata mean/std (raw pixels when absent). Split in two so the tensor is written straight
// into an interpreter's input buffer, with no copy.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/image.h"
#include "edgeforge/interpreter.h"
#include "edgeforge/status.h"

namespace edgeforge::serve {

// What the input tensor of an image classifier wants.
struct ImageInputSpec {
  int width = 0;
  int height = 0;
  ColorMode mode = ColorMode::kRgb;  // kGray for 1-channel inputs
  DType dtype = DType::kUInt8;
  QuantParams quant;
  std::vector<float> mean;  // empty: raw pixels
  std::vector<float> std;
};

// Fails unless input 0 is [1, H, W, 1] or [1, H, W, 3].
[[nodiscard]] StatusOr<ImageInputSpec> ImageInputSpecFor(const Model& model);

// Decodes JPEG / PNG / BMP bytes (recognised by magic bytes) and resizes to the spec's size.
// `source_name` is named in error messages.
[[nodiscard]] StatusOr<Image> DecodeForInput(std::span<const uint8_t> bytes,
                                             const std::string& source_name,
                                             const ImageInputSpec& spec);

// Writes a DecodeForInput result into `tensor` (the interpreter's input 0 bytes).
[[nodiscard]] Status WriteInputTensor(const Image& resized, const ImageInputSpec& spec,
                                      std::span<uint8_t> tensor);

}  // namespace edgeforge::serve
