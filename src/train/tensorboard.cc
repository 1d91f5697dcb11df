#include "train/tensorboard.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

namespace edgeforge::train {

namespace {

// The few protobuf wire-format pieces an Event needs (field numbers from
// tensorflow/core/util/event.proto and summary.proto).
void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void PutTag(std::string& out, int field, int wire_type) { PutVarint(out, (uint64_t(field) << 3) | wire_type); }
void PutDouble(std::string& out, int field, double v) {
  PutTag(out, field, 1);
  char b[8];
  std::memcpy(b, &v, 8);  // little-endian host (x86-64, aarch64)
  out.append(b, 8);
}
void PutFloat(std::string& out, int field, float v) {
  PutTag(out, field, 5);
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}
void PutBytes(std::string& out, int field, const std::string& bytes) {
  PutTag(out, field, 2);
  PutVarint(out, bytes.size());
  out += bytes;
}

double WallTime() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::string EncodeFileVersionEvent(double wall_time) {
  std::string event;
  PutDouble(event, 1, wall_time);    // Event.wall_time
  PutBytes(event, 3, "brain.Event:2");  // Event.file_version
  return event;
}

std::string EncodeScalarEvent(double wall_time, int64_t step, const std::string& tag, float value) {
  std::string summary_value;
  PutBytes(summary_value, 1, tag);   // Summary.Value.tag
  PutFloat(summary_value, 2, value); // Summary.Value.simple_value
  std::string summary;
  PutBytes(summary, 1, summary_value);  // Summary.value
  std::string event;
  PutDouble(event, 1, wall_time);
  PutTag(event, 2, 0);  // Event.step
  PutVarint(event, static_cast<uint64_t>(step));
  PutBytes(event, 5, summary);  // Event.summary
  return event;
}

StatusOr<std::unique_ptr<EventWriter>> EventWriter::Create(const std::string& dir) {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  const double now = WallTime();
  std::string name = "events.out.tfevents." + std::to_string(static_cast<int64_t>(now)) + "." + host;
  // Two writers in the same second (a quick resume) must not overwrite each other.
  std::filesystem::path path = std::filesystem::path(dir) / name;
  for (int i = 1; std::filesystem::exists(path); ++i) {
    path = std::filesystem::path(dir) / (name + "." + std::to_string(i));
  }
  EF_ASSIGN_OR_RETURN(std::unique_ptr<data::TfRecordWriter> writer,
                      data::TfRecordWriter::Create(path.string()));
  EF_RETURN_IF_ERROR(writer->Write(AsBytes(EncodeFileVersionEvent(now))));
  EF_RETURN_IF_ERROR(writer->Flush());
  return std::unique_ptr<EventWriter>(new EventWriter(path.string(), std::move(writer)));
}

Status EventWriter::AddScalar(const std::string& tag, int64_t step, double value) {
  return writer_->Write(AsBytes(EncodeScalarEvent(WallTime(), step, tag, static_cast<float>(value))));
}

Status EventWriter::Flush() { return writer_->Flush(); }

}  // namespace edgeforge::train
