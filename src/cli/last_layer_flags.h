// Flags and run function shared by `imprint` and `retrain-last-layer`, which differ only in
// how the head is fitted.
#pragma once

#include <CLI/CLI.hpp>

#include "ondevice/last_layer_training.h"

namespace edgeforge::cli {

// --extractor, --data, --out, --include, --val-fraction, --threads.
void AddLastLayerFlags(CLI::App* app, ondevice::LastLayerOptions& options);

// Trains, writes the model, prints the report; returns the exit code.
int RunLastLayer(const ondevice::LastLayerOptions& options);

}  // namespace edgeforge::cli
