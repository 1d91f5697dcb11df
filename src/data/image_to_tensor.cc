// ImageToTensor: the bytes of a model's input tensor from an 8-bit image. The two rules (raw
// pixels, or normalised then quantized) are described in include/edgeforge/image.h.
//
// All 20 golden inputs (testdata/golden) are raw pixels: the three TF1 Coral models take uint8
// with scale 1/128, zp 128, and the TF2 PTQ MobileNetV2 also takes *uint8* (scale 1/127.5,
// zp 127; its first op is a QUANTIZE to int8), so its .in.bin files are byte-identical to the
// others'. Normalising with mean 127.5 / std 127.5 for that model would NOT reproduce them
// (q = round(p - 127.5) + 127 is p or p - 1).
#include <cmath>
#include <cstring>
#include <string>

#include "edgeforge/image.h"

namespace edgeforge {
namespace {

std::string DescribeImage(const Image& image) {
  return std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
         std::to_string(image.channels) + " image";
}

Status CheckNormalisation(const Image& image, std::span<const float> mean,
                          std::span<const float> std) {
  const size_t channels = static_cast<size_t>(image.channels);
  if (mean.size() != std.size()) {
    return InvalidArgument("ImageToTensor: " + std::to_string(mean.size()) + " mean values but " +
                           std::to_string(std.size()) + " std values; give both or neither");
  }
  if (mean.size() != 1 && mean.size() != channels) {
    return InvalidArgument("ImageToTensor: " + std::to_string(mean.size()) +
                           " mean/std values for a " + DescribeImage(image) + "; expected 1 or " +
                           std::to_string(channels));
  }
  for (size_t i = 0; i < mean.size(); ++i) {
    if (!std::isfinite(mean[i]) || !std::isfinite(std[i]) || std[i] == 0.0f) {
      return InvalidArgument("ImageToTensor: mean " + std::to_string(mean[i]) + " / std " +
                             std::to_string(std[i]) + " must be finite with std non-zero");
    }
  }
  return Status::Ok();
}

template <typename T>
void StoreAt(std::span<uint8_t> out, size_t index, T value) {
  std::memcpy(out.data() + index * sizeof(T), &value, sizeof(T));
}

}  // namespace

Status ImageToTensor(const Image& image, DType dtype, const QuantParams& quant,
                     std::span<const float> mean, std::span<const float> std,
                     std::span<uint8_t> out) {
  const size_t count = static_cast<size_t>(image.width) * image.height * image.channels;
  if (image.width <= 0 || image.height <= 0 || image.channels <= 0 ||
      image.pixels.size() != count) {
    return InvalidArgument("ImageToTensor: malformed " + DescribeImage(image) + " with " +
                           std::to_string(image.pixels.size()) + " pixel bytes");
  }
  if (dtype != DType::kUInt8 && dtype != DType::kInt8 && dtype != DType::kFloat32) {
    return Unimplemented(std::string("ImageToTensor: input tensors of type ") + DTypeName(dtype) +
                         " are not supported (uint8, int8, float32 are)");
  }
  if (out.size() != count * DTypeSize(dtype)) {
    return InvalidArgument("ImageToTensor: the input tensor holds " + std::to_string(out.size()) +
                           " bytes but a " + DescribeImage(image) + " as " + DTypeName(dtype) +
                           " needs " + std::to_string(count * DTypeSize(dtype)));
  }
  const std::vector<uint8_t>& pixels = image.pixels;

  if (mean.empty() && std.empty()) {  // raw pixels
    for (size_t i = 0; i < count; ++i) {
      switch (dtype) {
        case DType::kUInt8:
          out[i] = pixels[i];
          break;
        case DType::kInt8:
          StoreAt(out, i, static_cast<int8_t>(pixels[i] - 128));
          break;
        default:
          StoreAt(out, i, static_cast<float>(pixels[i]));
          break;
      }
    }
    return Status::Ok();
  }

  EF_RETURN_IF_ERROR(CheckNormalisation(image, mean, std));
  const size_t channels = static_cast<size_t>(image.channels);
  const auto normalised = [&](size_t i) {
    const size_t c = mean.size() == 1 ? 0 : i % channels;
    return (static_cast<float>(pixels[i]) - mean[c]) / std[c];
  };
  if (dtype == DType::kFloat32) {
    for (size_t i = 0; i < count; ++i) StoreAt(out, i, normalised(i));
    return Status::Ok();
  }

  if (quant.scale.size() != 1 || quant.zero_point.size() != 1 || !(quant.scale[0] > 0.0f)) {
    return InvalidArgument(
        "ImageToTensor: a quantized input needs one positive scale and one "
        "zero point, got " +
        QuantToString(quant));
  }
  const float scale = quant.scale[0];
  const int64_t zero_point = quant.zero_point[0];
  const int64_t lowest = dtype == DType::kUInt8 ? 0 : -128;
  const int64_t highest = dtype == DType::kUInt8 ? 255 : 127;
  for (size_t i = 0; i < count; ++i) {
    // TFLite's float -> integer QUANTIZE: round half away from zero of r / scale (float32).
    // Clamped before the conversion to an integer, which could overflow for tiny scales.
    const double q = static_cast<double>(std::round(normalised(i) / scale)) + zero_point;
    const int64_t clamped = q < lowest ? lowest : (q > highest ? highest : static_cast<int64_t>(q));
    if (dtype == DType::kUInt8) {
      out[i] = static_cast<uint8_t>(clamped);
    } else {
      StoreAt(out, i, static_cast<int8_t>(clamped));
    }
  }
  return Status::Ok();
}

}  // namespace edgeforge
