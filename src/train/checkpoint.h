// Checkpoints of a training run: every tensor that defines its state (parameters, batch-norm
// statistics, optimizer slots, EMA shadows, the CPU random generator) plus the counters, in one
// file written atomically (temporary file, then rename) so a crash or a second SIGINT during
// the write never leaves a half-written checkpoint in place of the last good one.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::train {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

struct Checkpoint {
  int64_t epoch = 0;          // completed epochs
  int64_t step_in_epoch = 0;  // optimizer steps done in the current epoch
  int64_t global_step = 0;
  NamedTensors parameters;
  NamedTensors buffers;
  NamedTensors optimizer;
  NamedTensors ema;
  torch::Tensor rng_state;    // the CPU generator's state (dropout masks)
};

inline constexpr const char* kCheckpointFile = "checkpoint.pt";

// Writes DIR/checkpoint.pt atomically.
Status SaveCheckpoint(const std::string& dir, const Checkpoint& checkpoint);
// Reads DIR/checkpoint.pt; errors name the file.
StatusOr<Checkpoint> LoadCheckpoint(const std::string& dir);
bool HasCheckpoint(const std::string& dir);

// Copies `from` into the same-named tensors of `to` (in place, no autograd); every name of
// `to` must be present with the same shape. `what` names the group in errors.
Status RestoreInto(const NamedTensors& from, const NamedTensors& to, const std::string& what,
                   const std::string& file);

}  // namespace edgeforge::train
