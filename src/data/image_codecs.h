// The per-format decoders behind DecodeImage. Each returns the image in its native colour
// layout: 1 channel for grayscale sources, 3 (RGB) for everything else; alpha is dropped.
// DecodeImage converts to the ColorMode the caller asked for.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "edgeforge/image.h"
#include "edgeforge/status.h"

namespace edgeforge::data {

enum class ImageFormat { kUnknown, kJpeg, kPng, kBmp };

// Recognises the format from the first bytes of the file.
ImageFormat DetectImageFormat(std::span<const uint8_t> bytes);

// Detects the format and decodes; 1 or 3 channels as the file holds them.
StatusOr<Image> DecodeNativeChannels(std::span<const uint8_t> bytes,
                                     const std::string& source_name, JpegDecoding jpeg);

StatusOr<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& source_name,
                           JpegDecoding decoding);
StatusOr<Image> DecodePng(std::span<const uint8_t> bytes, const std::string& source_name);
StatusOr<Image> DecodeBmp(std::span<const uint8_t> bytes, const std::string& source_name);

// Rejects sizes that are not positive or exceed kMaxImageSide / kMaxImagePixels, before a
// decoder allocates anything: a hostile header must not make us allocate gigabytes.
Status CheckImageDimensions(int64_t width, int64_t height, const std::string& source_name);

}  // namespace edgeforge::data
