#include "data/tfrecord.h"

#include <array>
#include <cerrno>
#include <cstring>

namespace edgeforge::data {

namespace {

// Byte-at-a-time table for the reflected Castagnoli polynomial 0x82F63B78.
constexpr std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = MakeCrc32cTable();

constexpr uint32_t kMaskDelta = 0xa282ead8u;
// A record's framing: length (8 bytes), its masked CRC (4), the data, the data's masked CRC (4).
constexpr size_t kHeaderBytes = 12;
constexpr size_t kFooterBytes = 4;
// A length above this is corruption, not a record: refuse before allocating it.
constexpr uint64_t kMaxRecordBytes = uint64_t{1} << 31;

void PutUint32(uint32_t v, uint8_t* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutUint64(uint64_t v, uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t GetUint32(const uint8_t* in) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}
uint64_t GetUint64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}

std::string Hex(uint32_t v) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08x", v);
  return buffer;
}

}  // namespace

uint32_t Crc32c(std::span<const uint8_t> bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : bytes) crc = kCrc32cTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t MaskedCrc32c(std::span<const uint8_t> bytes) {
  const uint32_t crc = Crc32c(bytes);
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

// ---- writer ----

TfRecordWriter::TfRecordWriter(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}

TfRecordWriter::~TfRecordWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

StatusOr<std::unique_ptr<TfRecordWriter>> TfRecordWriter::Create(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return IoError(path + ": cannot create TFRecord file: " + std::strerror(errno));
  return std::unique_ptr<TfRecordWriter>(new TfRecordWriter(path, file));
}

Status TfRecordWriter::Write(std::span<const uint8_t> record) {
  if (file_ == nullptr) return FailedPrecondition(path_ + ": TFRecord writer already closed");
  uint8_t header[kHeaderBytes];
  PutUint64(record.size(), header);
  PutUint32(MaskedCrc32c({header, 8}), header + 8);
  uint8_t footer[kFooterBytes];
  PutUint32(MaskedCrc32c(record), footer);
  if (std::fwrite(header, 1, sizeof header, file_) != sizeof header ||
      (!record.empty() && std::fwrite(record.data(), 1, record.size(), file_) != record.size()) ||
      std::fwrite(footer, 1, sizeof footer, file_) != sizeof footer) {
    return IoError(path_ + ": cannot write a TFRecord record: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status TfRecordWriter::Flush() {
  if (file_ == nullptr) return FailedPrecondition(path_ + ": TFRecord writer already closed");
  if (std::fflush(file_) != 0) return IoError(path_ + ": cannot flush: " + std::strerror(errno));
  return Status::Ok();
}

Status TfRecordWriter::Close() {
  if (file_ == nullptr) return Status::Ok();
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return IoError(path_ + ": cannot close: " + std::strerror(errno));
  return Status::Ok();
}

// ---- reader ----

TfRecordReader::TfRecordReader(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}

TfRecordReader::~TfRecordReader() {
  if (file_ != nullptr) std::fclose(file_);
}

StatusOr<std::unique_ptr<TfRecordReader>> TfRecordReader::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error = errno;
    if (error == ENOENT) return NotFound(path + ": no such TFRecord file");
    return IoError(path + ": cannot open TFRecord file: " + std::strerror(error));
  }
  return std::unique_ptr<TfRecordReader>(new TfRecordReader(path, file));
}

StatusOr<bool> TfRecordReader::Next(std::vector<uint8_t>* record, uint64_t* offset) {
  const uint64_t start = position_;
  const std::string where = path_ + ": record at offset " + std::to_string(start);
  uint8_t header[kHeaderBytes];
  const size_t got = std::fread(header, 1, sizeof header, file_);
  if (got == 0 && std::feof(file_)) return false;
  if (got != sizeof header) {
    if (std::ferror(file_)) return IoError(where + ": read failed: " + std::strerror(errno));
    return InvalidArgument(where + ": truncated header (" + std::to_string(got) + " of 12 bytes)");
  }
  const uint64_t length = GetUint64(header);
  const uint32_t stored_length_crc = GetUint32(header + 8);
  const uint32_t length_crc = MaskedCrc32c({header, 8});
  if (stored_length_crc != length_crc) {
    return InvalidArgument(where + ": length CRC mismatch (stored " + Hex(stored_length_crc) + ", computed " +
                           Hex(length_crc) + "): corrupt TFRecord");
  }
  if (length > kMaxRecordBytes) {
    return InvalidArgument(where + ": record length " + std::to_string(length) + " exceeds the 2 GiB limit");
  }
  record->resize(length);
  if (length > 0 && std::fread(record->data(), 1, length, file_) != length) {
    return InvalidArgument(where + ": truncated record (expected " + std::to_string(length) + " data bytes)");
  }
  uint8_t footer[kFooterBytes];
  if (std::fread(footer, 1, sizeof footer, file_) != sizeof footer) {
    return InvalidArgument(where + ": truncated record (missing the data CRC)");
  }
  const uint32_t stored_data_crc = GetUint32(footer);
  const uint32_t data_crc = MaskedCrc32c(*record);
  if (stored_data_crc != data_crc) {
    return InvalidArgument(where + ": data CRC mismatch (stored " + Hex(stored_data_crc) + ", computed " +
                           Hex(data_crc) + "): corrupt TFRecord");
  }
  position_ = start + kHeaderBytes + length + kFooterBytes;
  if (offset != nullptr) *offset = start;
  return true;
}

}  // namespace edgeforge::data

namespace edgeforge::data {

StatusOr<std::span<const uint8_t>> ParseTfRecordAt(std::span<const uint8_t> file_bytes, uint64_t offset,
                                                   const std::string& path, uint64_t* next_offset) {
  const std::string where = path + ": record at offset " + std::to_string(offset);
  if (offset > file_bytes.size() || file_bytes.size() - offset < kHeaderBytes) {
    return InvalidArgument(where + ": truncated header (" +
                           std::to_string(offset > file_bytes.size() ? 0 : file_bytes.size() - offset) +
                           " of 12 bytes)");
  }
  const uint8_t* header = file_bytes.data() + offset;
  const uint64_t length = GetUint64(header);
  const uint32_t stored_length_crc = GetUint32(header + 8);
  const uint32_t length_crc = MaskedCrc32c({header, 8});
  if (stored_length_crc != length_crc) {
    return InvalidArgument(where + ": length CRC mismatch (stored " + Hex(stored_length_crc) + ", computed " +
                           Hex(length_crc) + "): corrupt TFRecord");
  }
  const uint64_t available = file_bytes.size() - offset - kHeaderBytes;
  if (length > available || available - length < kFooterBytes) {
    return InvalidArgument(where + ": truncated record (expected " + std::to_string(length) +
                           " data bytes and a 4-byte CRC, " + std::to_string(available) + " bytes left)");
  }
  std::span<const uint8_t> data = file_bytes.subspan(offset + kHeaderBytes, length);
  const uint32_t stored_data_crc = GetUint32(data.data() + length);
  const uint32_t data_crc = MaskedCrc32c(data);
  if (stored_data_crc != data_crc) {
    return InvalidArgument(where + ": data CRC mismatch (stored " + Hex(stored_data_crc) + ", computed " +
                           Hex(data_crc) + "): corrupt TFRecord");
  }
  if (next_offset != nullptr) *next_offset = offset + kHeaderBytes + length + kFooterBytes;
  return data;
}

}  // namespace edgeforge::data
