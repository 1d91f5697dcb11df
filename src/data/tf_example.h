// tf.train.Example, the record type of TFRecord image datasets, encoded and decoded with a
// small hand-written protobuf wire reader/writer (no protoc: the message is three levels of
// maps and lists). Example { Features features = 1 }; Features { map<string, Feature> feature
// = 1 }; Feature { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List
// int64_list = 3 } }; each list is `repeated value = 1` (numbers packed or not).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::data {

struct Feature {
  enum class Kind { kBytes, kFloat, kInt64 };
  Kind kind = Kind::kBytes;
  std::vector<std::string> bytes;
  std::vector<float> floats;
  std::vector<int64_t> ints;

  static Feature Bytes(std::string value) { return {Kind::kBytes, {std::move(value)}, {}, {}}; }
  static Feature Int64(int64_t value) { return {Kind::kInt64, {}, {}, {value}}; }
  static Feature Float(float value) { return {Kind::kFloat, {}, {value}, {}}; }
};

// Keys sorted, as TF writes map entries deterministically.
using TfExample = std::map<std::string, Feature>;

std::vector<uint8_t> EncodeTfExample(const TfExample& example);
// `source` (file@offset) starts every error message.
StatusOr<TfExample> DecodeTfExample(std::span<const uint8_t> bytes, const std::string& source);

// The image keys of TF's image datasets (build_image_data.py, TFDS, Model Maker).
inline constexpr char kImageEncodedKey[] = "image/encoded";
inline constexpr char kImageFormatKey[] = "image/format";
inline constexpr char kImageLabelKey[] = "image/class/label";
inline constexpr char kImageTextKey[] = "image/class/text";
inline constexpr char kImageHeightKey[] = "image/height";
inline constexpr char kImageWidthKey[] = "image/width";

struct ImageExample {
  std::string encoded;  // the JPEG / PNG / BMP file's bytes
  std::string format;   // "JPEG", "PNG", "BMP"
  int64_t label = 0;
  std::string text;     // class name; empty when absent
  int64_t height = 0;   // 0 when absent
  int64_t width = 0;
};

std::vector<uint8_t> EncodeImageExample(const ImageExample& image);
// Needs image/encoded and image/class/label; the other keys are optional. Errors name `source`
// and the missing or mistyped key.
StatusOr<ImageExample> DecodeImageExample(std::span<const uint8_t> bytes, const std::string& source);

}  // namespace edgeforge::data
