// TensorBoard event files (events.out.tfevents.<time>.<host>): TFRecord files of
// tensorflow.Event protos, the first carrying file_version "brain.Event:2", then one Event per
// scalar with a Summary value (tag, simple_value). `tensorboard --logdir OUT` plots them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "data/tfrecord.h"
#include "edgeforge/status.h"

namespace edgeforge::train {

class EventWriter {
 public:
  // Creates a new event file in `dir` (a resumed run adds a file; TensorBoard merges them).
  static StatusOr<std::unique_ptr<EventWriter>> Create(const std::string& dir);
  Status AddScalar(const std::string& tag, int64_t step, double value);
  Status Flush();
  const std::string& path() const { return path_; }

 private:
  EventWriter(std::string path, std::unique_ptr<data::TfRecordWriter> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}
  std::string path_;
  std::unique_ptr<data::TfRecordWriter> writer_;
};

// The serialized Event protos (exposed for tests).
std::string EncodeFileVersionEvent(double wall_time);
std::string EncodeScalarEvent(double wall_time, int64_t step, const std::string& tag, float value);

}  // namespace edgeforge::train
