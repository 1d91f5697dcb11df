// Images: decoding JPEG / PNG / BMP to 8-bit pixels, resizing and cropping them, and turning
// them into the bytes of a model's input tensor.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "edgeforge/types.h"

namespace edgeforge {

// An 8-bit image, rows top to bottom, pixels interleaved (HWC): pixel (x, y) channel c is
// pixels[(y * width + x) * channels + c]. channels is 3 (RGB) or 1 (gray).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;

  bool operator==(const Image&) const = default;
};

// What the decoder returns, whatever the file holds. Alpha is always dropped (not blended).
enum class ColorMode {
  kRgb,   // 3 channels; gray images are replicated into R, G and B
  kGray,  // 1 channel; colour images become luma (0.299 R + 0.587 G + 0.114 B, rounded)
};

// How JPEG pixels are reconstructed from the entropy-decoded DCT coefficients. JPEG decoders
// legitimately differ by a few levels per sample (IDCT precision, chroma upsampling, colour
// conversion rounding), and a classifier's top-5 can change with them.
enum class JpegDecoding {
  // Bit-exact with jpeg-js 0.4.4 (npm; pdf.js-derived): its integer IDCT, nearest-sample
  // chroma upsampling and double-precision YCbCr -> RGB truncated toward zero. This is the
  // decoder behind the TFLite goldens in testdata/golden, so classifying a JPEG here gives
  // the same input tensor as the golden pipeline. Like jpeg-js, every 3-component JPEG is
  // treated as YCbCr (even one an Adobe marker says is RGB). Files jpeg-js cannot read but
  // libjpeg-turbo can (arithmetic coding: the same arithmetic is applied; 4 components
  // without an Adobe marker: libjpeg-turbo's pixels are returned) still decode.
  kReference,
  // libjpeg-turbo's own output with its default settings (accurate integer IDCT "ISLOW",
  // fancy upsampling): what TensorFlow's decode_jpeg and Pillow return.
  kLibjpegTurbo,
};

// Decodes a JPEG, PNG or BMP, recognised by its magic bytes (not by a file extension).
// `source_name` (usually the path) is named in every error message. Corrupt or truncated
// data, and images larger than kMaxImageSide x kMaxImageSide or kMaxImagePixels, are errors
// (a JPEG cut anywhere, even just before its end marker, is an error, never a padded image).
// Pixels are returned as stored: EXIF orientation and colour profiles are not applied, as in
// TensorFlow's decoders. `jpeg` picks the JPEG pixel reconstruction (ignored for PNG / BMP);
// libjpeg-turbo parses and entropy-decodes either way, so errors are the same for both.
inline constexpr int kMaxImageSide = 32768;
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 28;
[[nodiscard]] StatusOr<Image> DecodeImage(std::span<const uint8_t> bytes,
                                          const std::string& source_name,
                                          ColorMode mode = ColorMode::kRgb,
                                          JpegDecoding jpeg = JpegDecoding::kReference);

// Reads and decodes the file at `path`.
[[nodiscard]] StatusOr<Image> LoadImage(const std::string& path, ColorMode mode = ColorMode::kRgb,
                                        JpegDecoding jpeg = JpegDecoding::kReference);

// Bilinear resize to width x height, as TensorFlow's resize_bilinear with
// half_pixel_centers=true and no antialiasing computes it, each result rounded to the nearest
// integer (floor(v + 0.5)). The aspect ratio is not preserved. Both sizes must be positive.
Image ResizeBilinear(const Image& image, int width, int height);

// The central `fraction` (0 < fraction <= 1) of the image in each dimension, as
// tf.image.central_crop picks it: offset = int((size - size * fraction) / 2), kept size =
// size - 2 * offset.
Image CenterCrop(const Image& image, float fraction);
// The centred width x height window (offset (size - kept) / 2, rounded down). The window must
// fit inside the image.
Image CenterCrop(const Image& image, int width, int height);

// Writes `image` as the bytes of a [1, height, width, channels] input tensor of type `dtype`
// (kUInt8, kInt8, kFloat32) into `out`, which must be exactly that size.
//
// Two rules, chosen by whether `mean`/`std` are given:
//
// * Raw pixels (`mean` and `std` empty) — how the published quantized classifiers are fed, and
//   exactly how every golden input in testdata/golden was made:
//     uint8:   q = p                (Coral TF1 models: scale 1/128, zp 128, i.e. (p-128)/128;
//                                    TF2 PTQ model: uint8 input, scale 1/127.5, zp 127)
//     int8:    q = p - 128          (the same real value on an int8 tensor with zp shifted by -128)
//     float32: x = p                (the model does its own normalisation)
//   `quant` is not used; the model's own input scale/zero point say what the pixels mean.
//
// * Normalised (`mean` and `std` each with 1 or `channels` entries): the real value the model
//   expects is r = (p - mean[c]) / std[c], computed in float32;
//     float32:      x = r
//     uint8 / int8: q = clamp(round_half_away(r / scale) + zero_point)  (TFLite's QUANTIZE rule)
//   With mean = 128, std = 128 and the Coral input scale 1/128, zp 128 this gives q = p again.
[[nodiscard]] Status ImageToTensor(const Image& image, DType dtype, const QuantParams& quant,
                                   std::span<const float> mean, std::span<const float> std,
                                   std::span<uint8_t> out);

}  // namespace edgeforge
