// DecodeImage / LoadImage: format detection by magic bytes, dispatch to the per-format
// decoder, then conversion to the caller's ColorMode.
#include <cstdio>
#include <cstring>
#include <string>

#include "core/file.h"
#include "data/image_codecs.h"

namespace edgeforge {
namespace data {

namespace {

bool StartsWith(std::span<const uint8_t> bytes, const char* magic, size_t length) {
  return bytes.size() >= length && std::memcmp(bytes.data(), magic, length) == 0;
}

// Formats we recognise only to say clearly that they are not supported.
const char* UnsupportedFormatName(std::span<const uint8_t> bytes) {
  if (StartsWith(bytes, "GIF87a", 6) || StartsWith(bytes, "GIF89a", 6)) return "GIF";
  if (StartsWith(bytes, "RIFF", 4) && bytes.size() >= 12 &&
      std::memcmp(bytes.data() + 8, "WEBP", 4) == 0) {
    return "WebP";
  }
  if (StartsWith(bytes, "II*\0", 4) || StartsWith(bytes, "MM\0*", 4)) return "TIFF";
  return nullptr;
}

std::string FirstBytesHex(std::span<const uint8_t> bytes) {
  std::string hex;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    char b[4];
    std::snprintf(b, sizeof b, i == 0 ? "%02x" : " %02x", bytes[i]);
    hex += b;
  }
  return hex;
}

// Luma with BT.601 weights in 16-bit fixed point (they sum to 65536), rounded: libjpeg's own
// RGB -> grayscale conversion, so a colour JPEG decoded to gray here matches libjpeg's.
uint8_t Luma(const uint8_t* rgb) {
  return static_cast<uint8_t>((19595 * rgb[0] + 38470 * rgb[1] + 7471 * rgb[2] + 32768) >> 16);
}

Image ConvertChannels(Image image, ColorMode mode) {
  const int wanted = mode == ColorMode::kGray ? 1 : 3;
  if (image.channels == wanted) return image;
  const size_t count = static_cast<size_t>(image.width) * image.height;
  std::vector<uint8_t> converted(count * wanted);
  if (wanted == 3) {  // gray -> RGB
    for (size_t i = 0; i < count; ++i) {
      converted[i * 3] = converted[i * 3 + 1] = converted[i * 3 + 2] = image.pixels[i];
    }
  } else {  // RGB -> gray
    for (size_t i = 0; i < count; ++i) converted[i] = Luma(&image.pixels[i * 3]);
  }
  image.pixels = std::move(converted);
  image.channels = wanted;
  return image;
}

}  // namespace

StatusOr<Image> DecodeNativeChannels(std::span<const uint8_t> bytes,
                                     const std::string& source_name, JpegDecoding jpeg) {
  if (bytes.empty()) return InvalidArgument(source_name + ": empty file, not an image");
  switch (DetectImageFormat(bytes)) {
    case ImageFormat::kJpeg:
      return DecodeJpeg(bytes, source_name, jpeg);
    case ImageFormat::kPng:
      return DecodePng(bytes, source_name);
    case ImageFormat::kBmp:
      return DecodeBmp(bytes, source_name);
    case ImageFormat::kUnknown:
      break;
  }
  if (const char* format = UnsupportedFormatName(bytes)) {
    return Unimplemented(source_name + ": " + format +
                         " images are not supported (JPEG, PNG and BMP are)");
  }
  return InvalidArgument(source_name + ": not a JPEG, PNG or BMP image (starts with " +
                         FirstBytesHex(bytes) + ")");
}

ImageFormat DetectImageFormat(std::span<const uint8_t> bytes) {
  if (StartsWith(bytes, "\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (StartsWith(bytes, "\x89PNG\r\n\x1A\n", 8)) return ImageFormat::kPng;
  if (StartsWith(bytes, "BM", 2)) return ImageFormat::kBmp;
  return ImageFormat::kUnknown;
}

Status CheckImageDimensions(int64_t width, int64_t height, const std::string& source_name) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width <= 0 || height <= 0) {
    return InvalidArgument(source_name + ": image size " + size + " is not positive");
  }
  if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels) {
    return InvalidArgument(source_name + ": image size " + size + " exceeds the limit of " +
                           std::to_string(kMaxImageSide) + " pixels a side and " +
                           std::to_string(kMaxImagePixels) + " pixels in all");
  }
  return Status::Ok();
}

}  // namespace data

StatusOr<Image> DecodeImage(std::span<const uint8_t> bytes, const std::string& source_name,
                            ColorMode mode, JpegDecoding jpeg) {
  EF_ASSIGN_OR_RETURN(Image native, data::DecodeNativeChannels(bytes, source_name, jpeg));
  return data::ConvertChannels(std::move(native), mode);
}

StatusOr<Image> LoadImage(const std::string& path, ColorMode mode, JpegDecoding jpeg) {
  EF_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, core::ReadFile(path));
  return DecodeImage(bytes, path, mode, jpeg);
}

}  // namespace edgeforge
