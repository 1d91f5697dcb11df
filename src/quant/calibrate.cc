#include "quant/calibrate.h"

#include <span>

#include "quant/activation_tap.h"
#include "quant/graph_surgery.h"

namespace edgeforge::quant {

const char* CalibratorName(Calibrator calibrator) {
  switch (calibrator) {
    case Calibrator::kMinMax: return "minmax";
    case Calibrator::kPercentile: return "percentile";
    case Calibrator::kMse: return "mse";
  }
  return "?";
}

namespace {

// Runs every sample through `tap` and hands each float activation's values to `observe`.
Status ForEachActivation(ActivationTap& tap, const std::vector<int>& tensors, size_t count,
                         const SampleSource& samples, const std::function<void(int, std::span<const float>)>& observe) {
  std::vector<float> values;
  for (size_t i = 0; i < count; ++i) {
    auto input = samples(i);
    if (!input.ok()) return input.status();
    Status s = tap.Run(*input);
    if (!s.ok()) return s.WithContext("calibration sample " + std::to_string(i));
    for (int t : tensors) {
      tap.ReadFloat(t, values);
      observe(t, values);
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<TensorRanges> CalibrateRanges(const ir::Graph& float_graph, size_t count, const SampleSource& samples,
                                       const CalibrationOptions& options, const std::string& source) {
  if (count == 0) return InvalidArgument(source + ": no calibration samples");
  EF_ASSIGN_OR_RETURN(auto tap, ActivationTap::Create(float_graph, source, options.num_threads));
  std::vector<int> observed;
  for (int t : ActivationTensors(float_graph)) {
    if (float_graph.tensor(t).dtype == DType::kFloat32) observed.push_back(t);
  }

  std::vector<MinMaxObserver> minmax(float_graph.tensors.size());
  EF_RETURN_IF_ERROR(ForEachActivation(*tap, observed, count, samples, [&](int t, std::span<const float> v) {
    minmax[static_cast<size_t>(t)].Add(v);
  }));
  TensorRanges ranges(float_graph.tensors.size());
  for (int t : observed) {
    if (minmax[static_cast<size_t>(t)].seen()) ranges[static_cast<size_t>(t)] = minmax[static_cast<size_t>(t)].range();
  }
  if (options.calibrator == Calibrator::kMinMax) return ranges;

  // Second pass: histograms over each tensor's min/max range.
  std::vector<std::optional<Histogram>> histograms(float_graph.tensors.size());
  std::vector<int> with_range;
  for (int t : observed) {
    if (!ranges[static_cast<size_t>(t)]) continue;
    histograms[static_cast<size_t>(t)].emplace(*ranges[static_cast<size_t>(t)], options.histogram_bins);
    with_range.push_back(t);
  }
  EF_RETURN_IF_ERROR(ForEachActivation(*tap, with_range, count, samples, [&](int t, std::span<const float> v) {
    histograms[static_cast<size_t>(t)]->Add(v);
  }));
  for (int t : with_range) {
    const Histogram& h = *histograms[static_cast<size_t>(t)];
    ranges[static_cast<size_t>(t)] = options.calibrator == Calibrator::kPercentile
                                         ? PercentileRange(h, options.percentile)
                                         : MseOptimalRange(h);
  }
  return ranges;
}

StatusOr<TensorRanges> CalibrateRanges(const ir::Graph& float_graph, const std::vector<std::vector<uint8_t>>& inputs,
                                       const CalibrationOptions& options, const std::string& source) {
  return CalibrateRanges(
      float_graph, inputs.size(), [&inputs](size_t i) -> StatusOr<std::vector<uint8_t>> { return inputs[i]; },
      options, source);
}

}  // namespace edgeforge::quant
