#include "train/checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <cstring>
#include <map>

namespace edgeforge::train {

namespace {

namespace fs = std::filesystem;

// Group prefixes inside the archive: one flat key space, "<group>/<name>".
constexpr const char* kGroups[] = {"param", "buffer", "optimizer", "ema"};

void WriteGroup(torch::serialize::OutputArchive& archive, const char* group, const NamedTensors& tensors) {
  archive.write(std::string(group) + "#count", torch::tensor(static_cast<int64_t>(tensors.size())));
  for (size_t i = 0; i < tensors.size(); ++i) {
    // Names go in as the index so any character may appear in a tensor name; the name itself
    // is stored as a byte tensor next to it.
    const std::string key = std::string(group) + "#" + std::to_string(i);
    const std::string& name = tensors[i].first;
    torch::Tensor name_bytes = torch::empty({static_cast<int64_t>(name.size())}, torch::kUInt8);
    std::memcpy(name_bytes.data_ptr<uint8_t>(), name.data(), name.size());
    archive.write(key + "#name", name_bytes);
    archive.write(key, tensors[i].second.detach().to(torch::kCPU).clone());
  }
}

NamedTensors ReadGroup(torch::serialize::InputArchive& archive, const char* group) {
  torch::Tensor count;
  archive.read(std::string(group) + "#count", count);
  NamedTensors out;
  for (int64_t i = 0; i < count.item<int64_t>(); ++i) {
    const std::string key = std::string(group) + "#" + std::to_string(i);
    torch::Tensor name_bytes, value;
    archive.read(key + "#name", name_bytes);
    archive.read(key, value);
    std::string name(reinterpret_cast<const char*>(name_bytes.data_ptr<uint8_t>()),
                     static_cast<size_t>(name_bytes.numel()));
    out.emplace_back(std::move(name), value);
  }
  return out;
}

}  // namespace

bool HasCheckpoint(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / kCheckpointFile, ec);
}

Status SaveCheckpoint(const std::string& dir, const Checkpoint& c) {
  const fs::path final_path = fs::path(dir) / kCheckpointFile;
  const fs::path temp_path = fs::path(dir) / (std::string(kCheckpointFile) + ".tmp");
  try {
    torch::serialize::OutputArchive archive;
    archive.write("epoch", torch::tensor(c.epoch));
    archive.write("step_in_epoch", torch::tensor(c.step_in_epoch));
    archive.write("global_step", torch::tensor(c.global_step));
    WriteGroup(archive, kGroups[0], c.parameters);
    WriteGroup(archive, kGroups[1], c.buffers);
    WriteGroup(archive, kGroups[2], c.optimizer);
    WriteGroup(archive, kGroups[3], c.ema);
    if (c.rng_state.defined()) archive.write("rng", c.rng_state);
    archive.save_to(temp_path.string());
  } catch (const c10::Error& e) {
    return IoError(temp_path.string() + ": cannot write the checkpoint: " + e.what_without_backtrace());
  }
  std::error_code ec;
  fs::rename(temp_path, final_path, ec);
  if (ec) return IoError(final_path.string() + ": cannot replace the checkpoint: " + ec.message());
  return Status::Ok();
}

StatusOr<Checkpoint> LoadCheckpoint(const std::string& dir) {
  const fs::path path = fs::path(dir) / kCheckpointFile;
  if (!HasCheckpoint(dir)) return NotFound(path.string() + ": no checkpoint to resume from");
  Checkpoint c;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    torch::Tensor t;
    archive.read("epoch", t);
    c.epoch = t.item<int64_t>();
    archive.read("step_in_epoch", t);
    c.step_in_epoch = t.item<int64_t>();
    archive.read("global_step", t);
    c.global_step = t.item<int64_t>();
    c.parameters = ReadGroup(archive, kGroups[0]);
    c.buffers = ReadGroup(archive, kGroups[1]);
    c.optimizer = ReadGroup(archive, kGroups[2]);
    c.ema = ReadGroup(archive, kGroups[3]);
    // A fresh tensor: reading into `t` would set_() a scalar loaded from the archive, whose
    // storage cannot grow to the generator state ("Trying to resize storage that is not
    // resizable").
    torch::Tensor rng;
    if (archive.try_read("rng", rng)) c.rng_state = rng;
  } catch (const c10::Error& e) {
    return InvalidArgument(path.string() + ": not a readable edgeforge checkpoint: " +
                           e.what_without_backtrace());
  }
  return c;
}

Status RestoreInto(const NamedTensors& from, const NamedTensors& to, const std::string& what,
                   const std::string& file) {
  std::map<std::string, const torch::Tensor*> by_name;
  for (const auto& [name, t] : from) by_name[name] = &t;
  torch::NoGradGuard no_grad;
  for (const auto& [name, target] : to) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      return InvalidArgument(file + ": the checkpoint has no " + what + " '" + name +
                             "' (was it written for another model?)");
    }
    if (!it->second->sizes().equals(target.sizes())) {
      return InvalidArgument(file + ": " + what + " '" + name + "' has another shape in the checkpoint");
    }
    torch::Tensor dst = target;
    dst.copy_(*it->second);
  }
  return Status::Ok();
}

}  // namespace edgeforge::train
