// Calibration: runs the float model over representative inputs in edgeforge's runtime and
// chooses a float range for every activation with one of the calibrators of
// range_estimators.h. Min/max needs one pass over the inputs; percentile and MSE a second
// one that fills a histogram over each tensor's min/max range.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "quant/range_estimators.h"

namespace edgeforge::quant {

struct CalibrationOptions {
  Calibrator calibrator = Calibrator::kMinMax;
  double percentile = 99.99;  // kPercentile
  int histogram_bins = 2048;  // kPercentile, kMse
  int num_threads = 1;
};

// Ranges indexed by tensor; std::nullopt for constants and tensors never seen.
using TensorRanges = std::vector<std::optional<ValueRange>>;

// The input tensor's bytes for representative sample `index` (0 .. count - 1). Samples are
// asked for once per pass, so they need not all be held in memory.
using SampleSource = std::function<StatusOr<std::vector<uint8_t>>(size_t index)>;

StatusOr<TensorRanges> CalibrateRanges(const ir::Graph& float_graph, size_t count, const SampleSource& samples,
                                       const CalibrationOptions& options, const std::string& source);

// The same over inputs held in memory.
StatusOr<TensorRanges> CalibrateRanges(const ir::Graph& float_graph, const std::vector<std::vector<uint8_t>>& inputs,
                                       const CalibrationOptions& options, const std::string& source);

const char* CalibratorName(Calibrator calibrator);

}  // namespace edgeforge::quant
