// The options of a training run as OUT/run.json: written when a run starts, read by --resume
// so a resumed run continues with exactly the settings it started with.
#pragma once

#include <string>

#include "edgeforge/status.h"
#include "train/trainer.h"

namespace edgeforge::train {

inline constexpr const char* kRunConfigFile = "run.json";

Status SaveRunConfig(const std::string& dir, const TrainOptions& options);
// Fills every option stored in DIR/run.json into `options` (the initial graph of a transfer
// run is not stored: the caller rebuilds it the same way).
Status LoadRunConfig(const std::string& dir, TrainOptions* options);

}  // namespace edgeforge::train
