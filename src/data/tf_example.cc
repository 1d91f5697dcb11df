#include "data/tf_example.h"

#include <cstring>

namespace edgeforge::data {

namespace {

// Protobuf wire types used by tf.train.Example.
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr int kFixed32 = 5;

// ---- writing ----

void PutVarint(uint64_t v, std::vector<uint8_t>* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

void PutTag(int field, int wire_type, std::vector<uint8_t>* out) {
  PutVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type), out);
}

void PutLengthDelimited(int field, std::span<const uint8_t> bytes, std::vector<uint8_t>* out) {
  PutTag(field, kLengthDelimited, out);
  PutVarint(bytes.size(), out);
  out->insert(out->end(), bytes.begin(), bytes.end());
}

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::vector<uint8_t> EncodeFeature(const Feature& feature) {
  std::vector<uint8_t> list;
  int list_field = 1;
  switch (feature.kind) {
    case Feature::Kind::kBytes:
      for (const std::string& value : feature.bytes) PutLengthDelimited(1, AsBytes(value), &list);
      list_field = 1;
      break;
    case Feature::Kind::kFloat: {
      std::vector<uint8_t> packed;
      for (float value : feature.floats) {
        uint32_t bits;
        std::memcpy(&bits, &value, 4);
        for (int i = 0; i < 4; ++i) packed.push_back(static_cast<uint8_t>(bits >> (8 * i)));
      }
      if (!packed.empty()) PutLengthDelimited(1, packed, &list);
      list_field = 2;
      break;
    }
    case Feature::Kind::kInt64: {
      std::vector<uint8_t> packed;
      for (int64_t value : feature.ints) PutVarint(static_cast<uint64_t>(value), &packed);
      if (!packed.empty()) PutLengthDelimited(1, packed, &list);
      list_field = 3;
      break;
    }
  }
  std::vector<uint8_t> out;
  PutLengthDelimited(list_field, list, &out);
  return out;
}

// ---- reading ----

// A cursor over one message's bytes; every read is bounds-checked.
class WireReader {
 public:
  explicit WireReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool done() const { return pos_ >= bytes_.size(); }

  bool ReadVarint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return false;
      const uint8_t b = bytes_[pos_++];
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool ReadTag(int* field, int* wire_type) {
    uint64_t tag;
    if (!ReadVarint(&tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1FFFFFFF) return false;
    *field = static_cast<int>(tag >> 3);
    *wire_type = static_cast<int>(tag & 7);
    return true;
  }
  bool ReadLengthDelimited(std::span<const uint8_t>* out) {
    uint64_t length;
    if (!ReadVarint(&length) || length > bytes_.size() - pos_) return false;
    *out = bytes_.subspan(pos_, length);
    pos_ += length;
    return true;
  }
  bool ReadFixed(size_t n, uint64_t* v) {
    if (n > bytes_.size() - pos_) return false;
    *v = 0;
    for (size_t i = 0; i < n; ++i) *v |= static_cast<uint64_t>(bytes_[pos_ + i]) << (8 * i);
    pos_ += n;
    return true;
  }
  // Skips a field of a type we do not read (unknown fields are legal protobuf).
  bool Skip(int wire_type) {
    uint64_t ignored;
    std::span<const uint8_t> ignored_bytes;
    switch (wire_type) {
      case kVarint: return ReadVarint(&ignored);
      case kFixed64: return ReadFixed(8, &ignored);
      case kLengthDelimited: return ReadLengthDelimited(&ignored_bytes);
      case kFixed32: return ReadFixed(4, &ignored);
      default: return false;
    }
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

float FloatFromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// One list message (BytesList, FloatList or Int64List): field 1, packed or not.
bool DecodeList(std::span<const uint8_t> bytes, Feature* feature) {
  WireReader reader(bytes);
  while (!reader.done()) {
    int field, wire_type;
    if (!reader.ReadTag(&field, &wire_type)) return false;
    if (field != 1) {
      if (!reader.Skip(wire_type)) return false;
      continue;
    }
    std::span<const uint8_t> payload;
    uint64_t v;
    switch (feature->kind) {
      case Feature::Kind::kBytes:
        if (wire_type != kLengthDelimited || !reader.ReadLengthDelimited(&payload)) return false;
        feature->bytes.emplace_back(reinterpret_cast<const char*>(payload.data()), payload.size());
        break;
      case Feature::Kind::kFloat:
        if (wire_type == kFixed32) {
          if (!reader.ReadFixed(4, &v)) return false;
          feature->floats.push_back(FloatFromBits(static_cast<uint32_t>(v)));
        } else if (wire_type == kLengthDelimited) {
          if (!reader.ReadLengthDelimited(&payload) || payload.size() % 4 != 0) return false;
          WireReader packed(payload);
          while (!packed.done()) {
            if (!packed.ReadFixed(4, &v)) return false;
            feature->floats.push_back(FloatFromBits(static_cast<uint32_t>(v)));
          }
        } else {
          return false;
        }
        break;
      case Feature::Kind::kInt64:
        if (wire_type == kVarint) {
          if (!reader.ReadVarint(&v)) return false;
          feature->ints.push_back(static_cast<int64_t>(v));
        } else if (wire_type == kLengthDelimited) {
          if (!reader.ReadLengthDelimited(&payload)) return false;
          WireReader packed(payload);
          while (!packed.done()) {
            if (!packed.ReadVarint(&v)) return false;
            feature->ints.push_back(static_cast<int64_t>(v));
          }
        } else {
          return false;
        }
        break;
    }
  }
  return true;
}

bool DecodeFeature(std::span<const uint8_t> bytes, Feature* feature) {
  WireReader reader(bytes);
  while (!reader.done()) {
    int field, wire_type;
    if (!reader.ReadTag(&field, &wire_type)) return false;
    if (field < 1 || field > 3 || wire_type != kLengthDelimited) {
      if (!reader.Skip(wire_type)) return false;
      continue;
    }
    std::span<const uint8_t> list;
    if (!reader.ReadLengthDelimited(&list)) return false;
    // A oneof: the last list seen wins, as protobuf parsers do.
    *feature = Feature{};
    feature->kind = field == 1 ? Feature::Kind::kBytes : field == 2 ? Feature::Kind::kFloat : Feature::Kind::kInt64;
    if (!DecodeList(list, feature)) return false;
  }
  return true;
}

bool DecodeMapEntry(std::span<const uint8_t> bytes, std::string* key, Feature* feature) {
  WireReader reader(bytes);
  while (!reader.done()) {
    int field, wire_type;
    if (!reader.ReadTag(&field, &wire_type)) return false;
    std::span<const uint8_t> payload;
    if ((field == 1 || field == 2) && wire_type == kLengthDelimited) {
      if (!reader.ReadLengthDelimited(&payload)) return false;
      if (field == 1) {
        key->assign(reinterpret_cast<const char*>(payload.data()), payload.size());
      } else if (!DecodeFeature(payload, feature)) {
        return false;
      }
    } else if (!reader.Skip(wire_type)) {
      return false;
    }
  }
  return true;
}


}  // namespace

std::vector<uint8_t> EncodeTfExample(const TfExample& example) {
  std::vector<uint8_t> features;
  for (const auto& [key, feature] : example) {
    std::vector<uint8_t> entry;
    PutLengthDelimited(1, AsBytes(key), &entry);
    PutLengthDelimited(2, EncodeFeature(feature), &entry);
    PutLengthDelimited(1, entry, &features);
  }
  std::vector<uint8_t> out;
  PutLengthDelimited(1, features, &out);
  return out;
}

StatusOr<TfExample> DecodeTfExample(std::span<const uint8_t> bytes, const std::string& source) {
  const auto malformed = [&source](const std::string& what) {
    return InvalidArgument(source + ": malformed tf.train.Example (" + what + ")");
  };
  TfExample example;
  WireReader reader(bytes);
  while (!reader.done()) {
    int field, wire_type;
    if (!reader.ReadTag(&field, &wire_type)) return malformed("bad field tag");
    if (field != 1 || wire_type != kLengthDelimited) {
      if (!reader.Skip(wire_type)) return malformed("bad field of type " + std::to_string(wire_type));
      continue;
    }
    std::span<const uint8_t> features;
    if (!reader.ReadLengthDelimited(&features)) return malformed("Features runs past the end");
    WireReader entries(features);
    while (!entries.done()) {
      int entry_field, entry_type;
      if (!entries.ReadTag(&entry_field, &entry_type)) return malformed("bad tag in Features");
      if (entry_field != 1 || entry_type != kLengthDelimited) {
        if (!entries.Skip(entry_type)) return malformed("bad field in Features");
        continue;
      }
      std::span<const uint8_t> entry;
      if (!entries.ReadLengthDelimited(&entry)) return malformed("feature entry runs past the end");
      std::string key;
      Feature feature;
      if (!DecodeMapEntry(entry, &key, &feature)) {
        return malformed(key.empty() ? std::string("bad feature entry") : "bad feature '" + key + "'");
      }
      example[key] = std::move(feature);
    }
  }
  return example;
}

std::vector<uint8_t> EncodeImageExample(const ImageExample& image) {
  TfExample example;
  example[kImageEncodedKey] = Feature::Bytes(image.encoded);
  example[kImageFormatKey] = Feature::Bytes(image.format);
  example[kImageLabelKey] = Feature::Int64(image.label);
  if (!image.text.empty()) example[kImageTextKey] = Feature::Bytes(image.text);
  if (image.height > 0) example[kImageHeightKey] = Feature::Int64(image.height);
  if (image.width > 0) example[kImageWidthKey] = Feature::Int64(image.width);
  return EncodeTfExample(example);
}

StatusOr<ImageExample> DecodeImageExample(std::span<const uint8_t> bytes, const std::string& source) {
  EF_ASSIGN_OR_RETURN(TfExample example, DecodeTfExample(bytes, source));
  const auto find = [&](const char* key, Feature::Kind kind, bool required) -> StatusOr<const Feature*> {
    auto it = example.find(key);
    if (it == example.end()) {
      if (required) return InvalidArgument(source + ": tf.train.Example has no '" + key + "' feature");
      return static_cast<const Feature*>(nullptr);
    }
    const Feature& f = it->second;
    const bool empty = kind == Feature::Kind::kBytes ? f.bytes.empty() : kind == Feature::Kind::kInt64 ? f.ints.empty() : f.floats.empty();
    const char* type = kind == Feature::Kind::kBytes ? "a bytes_list" : kind == Feature::Kind::kInt64 ? "an int64_list" : "a float_list";
    if (f.kind != kind || empty) {
      return InvalidArgument(source + ": feature '" + key + "' must be " + type + " with one value");
    }
    return &f;
  };
  ImageExample image;
  EF_ASSIGN_OR_RETURN(const Feature* encoded, find(kImageEncodedKey, Feature::Kind::kBytes, true));
  image.encoded = encoded->bytes[0];
  EF_ASSIGN_OR_RETURN(const Feature* label, find(kImageLabelKey, Feature::Kind::kInt64, true));
  image.label = label->ints[0];
  EF_ASSIGN_OR_RETURN(const Feature* format, find(kImageFormatKey, Feature::Kind::kBytes, false));
  if (format != nullptr) image.format = format->bytes[0];
  EF_ASSIGN_OR_RETURN(const Feature* text, find(kImageTextKey, Feature::Kind::kBytes, false));
  if (text != nullptr) image.text = text->bytes[0];
  EF_ASSIGN_OR_RETURN(const Feature* height, find(kImageHeightKey, Feature::Kind::kInt64, false));
  if (height != nullptr) image.height = height->ints[0];
  EF_ASSIGN_OR_RETURN(const Feature* width, find(kImageWidthKey, Feature::Kind::kInt64, false));
  if (width != nullptr) image.width = width->ints[0];
  return image;
}

}  // namespace edgeforge::data
