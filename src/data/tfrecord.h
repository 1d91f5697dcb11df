// TFRecord files: each record is length (uint64 LE), masked CRC32C of the length, the data,
// masked CRC32C of the data. Used for datasets (tf.train.Example) and for TensorBoard event
// files.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::data {

// CRC32C (Castagnoli) and TFRecord's masking: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t Crc32c(std::span<const uint8_t> bytes);
uint32_t MaskedCrc32c(std::span<const uint8_t> bytes);

// Parses the record starting at `offset` of `file_bytes` (a whole TFRecord file held in memory,
// e.g. mapped): checks both CRCs and returns the record's data as a view into `file_bytes`;
// `*next_offset` receives the offset of the following record. Errors name `path` and `offset`.
StatusOr<std::span<const uint8_t>> ParseTfRecordAt(std::span<const uint8_t> file_bytes, uint64_t offset,
                                                   const std::string& path, uint64_t* next_offset);

class TfRecordWriter {
 public:
  // Creates (truncates) `path`.
  static StatusOr<std::unique_ptr<TfRecordWriter>> Create(const std::string& path);
  Status Write(std::span<const uint8_t> record);
  Status Flush();  // fflush: a reader (TensorBoard) sees every record written so far
  Status Close();
  ~TfRecordWriter();

 private:
  TfRecordWriter(std::string path, std::FILE* file);
  std::string path_;
  std::FILE* file_;
};

class TfRecordReader {
 public:
  static StatusOr<std::unique_ptr<TfRecordReader>> Open(const std::string& path);
  // Reads the next record into `record` and its byte offset in the file into `offset`; returns
  // false at a clean end of file. A truncated record or a CRC mismatch is an error naming the
  // file and the offset.
  StatusOr<bool> Next(std::vector<uint8_t>* record, uint64_t* offset);
  ~TfRecordReader();

 private:
  TfRecordReader(std::string path, std::FILE* file);
  std::string path_;
  std::FILE* file_;
  uint64_t position_ = 0;
};

}  // namespace edgeforge::data
