// TFRecord framing (masked CRC32C) and tf.train.Example encoding.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "data/tf_example.h"
#include "data/tfrecord.h"
#include "test_util.h"

namespace edgeforge::data {
namespace {

using edgeforge::testing::ReadBytes;
using edgeforge::testing::TempDir;
using edgeforge::testing::WriteBytes;

std::span<const uint8_t> Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(DataTfRecord, Crc32cKnownVectors) {
  EXPECT_EQ(Crc32c(Bytes("123456789")), 0xE3069283u);
  // RFC 3720 (iSCSI) appendix B.4 vectors.
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF), ascending(32);
  for (int i = 0; i < 32; ++i) ascending[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c({}), 0u);
}

TEST(DataTfRecord, MaskRotatesAndAddsDelta) {
  const uint32_t crc = Crc32c(Bytes("123456789"));
  EXPECT_EQ(MaskedCrc32c(Bytes("123456789")), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

TEST(DataTfRecord, RecordLayoutIsTfs) {
  TempDir dir;
  const std::string path = dir.file("one.tfrecord");
  {
    auto writer = TfRecordWriter::Create(path);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    ASSERT_TRUE(writer.value()->Write(Bytes("abc")).ok());
    ASSERT_TRUE(writer.value()->Close().ok());
  }
  const std::vector<uint8_t> file = ReadBytes(path);
  ASSERT_EQ(file.size(), 8u + 4 + 3 + 4);
  const std::vector<uint8_t> length(file.begin(), file.begin() + 8);
  EXPECT_EQ(length, (std::vector<uint8_t>{3, 0, 0, 0, 0, 0, 0, 0}));
  uint32_t length_crc, data_crc;
  std::memcpy(&length_crc, &file[8], 4);  // little-endian host
  std::memcpy(&data_crc, &file[15], 4);
  EXPECT_EQ(length_crc, MaskedCrc32c(length));
  EXPECT_EQ(std::string(file.begin() + 12, file.begin() + 15), "abc");
  EXPECT_EQ(data_crc, MaskedCrc32c(Bytes("abc")));
}

// Writes records of sizes 0..n-1 filled with their index; returns their offsets.
std::vector<uint64_t> WriteRecords(const std::string& path, int n) {
  auto writer = TfRecordWriter::Create(path);
  EXPECT_TRUE(writer.ok());
  std::vector<uint64_t> offsets;
  uint64_t offset = 0;
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> record(static_cast<size_t>(i * 7), static_cast<uint8_t>(i));
    EXPECT_TRUE(writer.value()->Write(record).ok());
    offsets.push_back(offset);
    offset += 16 + record.size();
  }
  EXPECT_TRUE(writer.value()->Flush().ok());
  EXPECT_TRUE(writer.value()->Close().ok());
  return offsets;
}

TEST(DataTfRecord, RoundTripWithOffsets) {
  TempDir dir;
  const std::string path = dir.file("r.tfrecord");
  const std::vector<uint64_t> offsets = WriteRecords(path, 6);
  auto reader = TfRecordReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  std::vector<uint8_t> record;
  uint64_t offset = 99;
  for (int i = 0; i < 6; ++i) {
    auto next = reader.value()->Next(&record, &offset);
    ASSERT_TRUE(next.ok()) << next.status().message();
    ASSERT_TRUE(next.value());
    EXPECT_EQ(offset, offsets[static_cast<size_t>(i)]);
    EXPECT_EQ(record, std::vector<uint8_t>(static_cast<size_t>(i * 7), static_cast<uint8_t>(i)));
  }
  auto end = reader.value()->Next(&record, &offset);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end.value());

  // The in-memory parser agrees.
  const std::vector<uint8_t> file = ReadBytes(path);
  uint64_t at = 0;
  for (int i = 0; i < 6; ++i) {
    uint64_t next = 0;
    auto data = ParseTfRecordAt(file, at, path, &next);
    ASSERT_TRUE(data.ok()) << data.status().message();
    EXPECT_EQ(data.value().size(), static_cast<size_t>(i * 7));
    at = next;
  }
  EXPECT_EQ(at, file.size());
}

// Reads every record; returns the first error's message ("" when all are fine).
std::string ReadAllError(const std::string& path) {
  auto reader = TfRecordReader::Open(path);
  if (!reader.ok()) return reader.status().message();
  std::vector<uint8_t> record;
  uint64_t offset;
  while (true) {
    auto next = reader.value()->Next(&record, &offset);
    if (!next.ok()) return next.status().message();
    if (!next.value()) return "";
  }
}

TEST(DataTfRecord, CorruptDataNamesFileAndOffset) {
  TempDir dir;
  const std::string path = dir.file("bad.tfrecord");
  const std::vector<uint64_t> offsets = WriteRecords(path, 4);
  std::vector<uint8_t> file = ReadBytes(path);
  file[offsets[2] + 12 + 3] ^= 0x40;  // a data byte of record 2
  WriteBytes(path, file);
  const std::string message = ReadAllError(path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("offset " + std::to_string(offsets[2])), std::string::npos) << message;
  EXPECT_NE(message.find("data CRC mismatch"), std::string::npos) << message;
  auto parsed = ParseTfRecordAt(file, offsets[2], path, nullptr);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("offset " + std::to_string(offsets[2])), std::string::npos);
}

TEST(DataTfRecord, CorruptLengthAndTruncation) {
  TempDir dir;
  const std::string path = dir.file("bad.tfrecord");
  const std::vector<uint64_t> offsets = WriteRecords(path, 3);
  const std::vector<uint8_t> good = ReadBytes(path);
  {
    std::vector<uint8_t> file = good;
    file[offsets[1] + 1] ^= 1;  // the length of record 1
    WriteBytes(path, file);
    const std::string message = ReadAllError(path);
    EXPECT_NE(message.find("offset " + std::to_string(offsets[1]) + ": length CRC mismatch"), std::string::npos)
        << message;
  }
  // Every truncation point is an error (or a clean end exactly at a record boundary).
  for (size_t cut = 1; cut < good.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteBytes(path, std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
    const bool boundary = std::find(offsets.begin(), offsets.end(), cut) != offsets.end();
    const std::string message = ReadAllError(path);
    if (boundary) {
      EXPECT_EQ(message, "");
    } else {
      EXPECT_NE(message.find("truncated"), std::string::npos) << message;
      std::vector<uint8_t> bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
      uint64_t at = 0, next = 0;
      std::string parse_error;
      while (at < bytes.size()) {
        auto parsed = ParseTfRecordAt(bytes, at, path, &next);
        if (!parsed.ok()) {
          parse_error = parsed.status().message();
          break;
        }
        at = next;
      }
      EXPECT_NE(parse_error.find("truncated"), std::string::npos) << parse_error;
    }
  }
}

TEST(DataTfRecord, MissingFile) {
  auto reader = TfRecordReader::Open("/nonexistent/x.tfrecord");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("/nonexistent/x.tfrecord"), std::string::npos);
}

TEST(DataTfExample, ImageExampleRoundTrip) {
  ImageExample image;
  image.encoded = std::string("\xFF\xD8\xFF\x00 jpeg bytes\x00\x01", 16);
  image.format = "JPEG";
  image.label = 300;  // a two-byte varint
  image.text = "sunflowers";
  image.height = 240;
  image.width = 320;
  const std::vector<uint8_t> bytes = EncodeImageExample(image);
  auto decoded = DecodeImageExample(bytes, "x@0");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded.value().encoded, image.encoded);
  EXPECT_EQ(decoded.value().format, "JPEG");
  EXPECT_EQ(decoded.value().label, 300);
  EXPECT_EQ(decoded.value().text, "sunflowers");
  EXPECT_EQ(decoded.value().height, 240);
  EXPECT_EQ(decoded.value().width, 320);
}

TEST(DataTfExample, WireBytesOfASmallExample) {
  // Example{features{feature{key:"a" value{int64_list{value:[1]}}}}}, as protobuf serialises it
  // (packed int64 list): 0a 0c | 0a 0a | 0a 01 'a' | 12 05 | 1a 03 | 0a 01 01
  TfExample example;
  example["a"] = Feature::Int64(1);
  const std::vector<uint8_t> expected = {0x0a, 0x0c, 0x0a, 0x0a, 0x0a, 0x01, 'a', 0x12,
                                         0x05, 0x1a, 0x03, 0x0a, 0x01, 0x01};
  EXPECT_EQ(EncodeTfExample(example), expected);
}

TEST(DataTfExample, ReadsUnpackedNumbersAndSkipsUnknownFields) {
  // An int64_list with two unpacked varints and a float_list with one unpacked fixed32, plus
  // an unknown varint field 9 at the top level: all legal protobuf that TF's parser accepts.
  std::vector<uint8_t> n_list = {0x08, 0x05, 0x08, 0x07};              // Int64List, unpacked
  std::vector<uint8_t> f_list = {0x0d, 0x00, 0x00, 0x80, 0x3f};        // FloatList, 1.0f unpacked
  auto wrap = [](int field, const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> out = {static_cast<uint8_t>((field << 3) | 2), static_cast<uint8_t>(payload.size())};
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
  };
  auto entry = [&](char key, int list_field, const std::vector<uint8_t>& list) {
    std::vector<uint8_t> e = {0x0a, 0x01, static_cast<uint8_t>(key)};
    const std::vector<uint8_t> feature = wrap(list_field, list);
    const std::vector<uint8_t> value = wrap(2, feature);
    e.insert(e.end(), value.begin(), value.end());
    return wrap(1, e);
  };
  std::vector<uint8_t> features = entry('n', 3, n_list);
  const std::vector<uint8_t> f_entry = entry('f', 2, f_list);
  features.insert(features.end(), f_entry.begin(), f_entry.end());
  std::vector<uint8_t> example = {0x48, 0x2a};
  const std::vector<uint8_t> wrapped = wrap(1, features);
  example.insert(example.end(), wrapped.begin(), wrapped.end());
  auto decoded = DecodeTfExample(example, "hand@0");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded.value().at("n").ints, (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(decoded.value().at("f").floats, (std::vector<float>{1.0f}));
}

TEST(DataTfExample, MissingKeysAndGarbageAreErrors) {
  TfExample no_label;
  no_label[kImageEncodedKey] = Feature::Bytes("x");
  auto decoded = DecodeImageExample(EncodeTfExample(no_label), "f.tfrecord@12");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("f.tfrecord@12"), std::string::npos);
  EXPECT_NE(decoded.status().message().find("image/class/label"), std::string::npos);

  TfExample wrong_type;
  wrong_type[kImageEncodedKey] = Feature::Bytes("x");
  wrong_type[kImageLabelKey] = Feature::Bytes("3");
  decoded = DecodeImageExample(EncodeTfExample(wrong_type), "f@0");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("int64_list"), std::string::npos);

  // Every truncation and random byte flips: an error or a value, never a crash.
  ImageExample image;
  image.encoded = "0123456789";
  image.label = 3;
  image.text = "cat";
  const std::vector<uint8_t> good = EncodeImageExample(image);
  for (size_t cut = 0; cut < good.size(); ++cut) {
    auto r = DecodeImageExample(std::span<const uint8_t>(good.data(), cut), "cut");
    (void)r;
  }
  std::mt19937 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    std::vector<uint8_t> bytes = good;
    bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    auto r = DecodeImageExample(bytes, "flip");
    (void)r;
  }
}

}  // namespace
}  // namespace edgeforge::data
