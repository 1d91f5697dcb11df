#include "quant/calibrate.h"

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

StatusOr<TensorRanges> CalibrateRanges(const ir::Graph& float_graph,
                                       const std::vector<std::vector<uint8_t>>& inputs,
                                       const CalibrationOptions& options, const std::string& source,
                                       const std::function<void(int, size_t, size_t)>& progress) {
  if (inputs.empty()) return InvalidArgument(source + ": no calibration samples");
  EF_ASSIGN_OR_RETURN(auto tap, ActivationTap::Create(float_graph, source, options.num_threads));
  const std::vector<int> activations = ActivationTensors(float_graph);
  auto observed = [&](int t) { return float_graph.tensor(t).dtype == DType::kFloat32; };

  std::vector<MinMaxObserver> minmax(float_graph.tensors.size());
  std::vector<float> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Status s = tap->Run(inputs[i]);
    if (!s.ok()) return s.WithContext("calibration sample " + std::to_string(i));
    for (int t : activations) {
      if (!observed(t)) continue;
      tap->ReadFloat(t, values);
      minmax[static_cast<size_t>(t)].Add(values);
    }
    if (progress) progress(1, i + 1, inputs.size());
  }

  TensorRanges ranges(float_graph.tensors.size());
  for (int t : activations) {
    if (observed(t) && minmax[static_cast<size_t>(t)].seen()) {
      ranges[static_cast<size_t>(t)] = minmax[static_cast<size_t>(t)].range();
    }
  }
  if (options.calibrator == Calibrator::kMinMax) return ranges;

  std::vector<std::optional<Histogram>> histograms(float_graph.tensors.size());
  for (int t : activations) {
    if (ranges[static_cast<size_t>(t)]) {
      histograms[static_cast<size_t>(t)].emplace(*ranges[static_cast<size_t>(t)], options.histogram_bins);
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    Status s = tap->Run(inputs[i]);
    if (!s.ok()) return s.WithContext("calibration sample " + std::to_string(i));
    for (int t : activations) {
      if (!histograms[static_cast<size_t>(t)]) continue;
      tap->ReadFloat(t, values);
      histograms[static_cast<size_t>(t)]->Add(values);
    }
    if (progress) progress(2, i + 1, inputs.size());
  }
  for (int t : activations) {
    const auto& h = histograms[static_cast<size_t>(t)];
    if (!h) continue;
    ranges[static_cast<size_t>(t)] = options.calibrator == Calibrator::kPercentile
                                         ? PercentileRange(*h, options.percentile)
                                         : MseOptimalRange(*h);
  }
  return ranges;
}

}  // namespace edgeforge::quant
