#include "make/recipe.h"

#include <cmath>
#include <memory>

#include "ir/training_passes.h"
#include "make/latency.h"

namespace edgeforge::make {

std::vector<Candidate> DefaultCandidates(const std::string& target) {
  std::vector<std::string> architectures = {"mnasnet-small", "mnasnet-b1", "mnasnet-a1", "mobilenet-v2"};
  if (target != "edgetpu") architectures.push_back("mobilenet-v3-small");
  std::vector<Candidate> out;
  for (const std::string& a : architectures) {
    for (float width : {0.5f, 0.75f, 1.0f}) out.push_back({a, width});
  }
  return out;
}

double AccuracyProxy(int64_t macs) { return std::log(static_cast<double>(std::max<int64_t>(macs, 2))); }

double MnasNetScore(double proxy, double latency_ms, double target_ms) {
  const double w = latency_ms <= target_ms ? kSoftLatencyExponent : kHardLatencyExponent;
  return proxy * std::pow(latency_ms / target_ms, w);
}

StatusOr<ArchitectureChoice> ChooseArchitecture(const std::vector<Candidate>& candidates,
                                                const models::ModelOptions& base, double target_ms, int threads,
                                                std::FILE* log) {
  if (candidates.empty()) return InvalidArgument("no candidate architectures to choose from");
  ArchitectureChoice choice;
  for (const Candidate& c : candidates) {
    models::ModelOptions options = base;
    options.width_multiplier = c.width;
    EF_ASSIGN_OR_RETURN(ir::Graph training, models::BuildModel(c.architecture, options));
    const models::ModelSize size = models::MeasureModel(training);
    EF_ASSIGN_OR_RETURN(ir::Graph inference, ir::ToInferenceForm(training));
    const std::string name = c.architecture + " width " + std::to_string(c.width);
    // The fastest of a few runs: on a machine shared with other work, the median of five can
    // still land on a disturbed run and misrank a candidate.
    EF_ASSIGN_OR_RETURN(LatencyStats stats, MeasureLatency(std::make_shared<const ir::Graph>(std::move(inference)),
                                                           name, {1, 5, std::max(1, threads)}));
    const double latency = stats.fastest_ms;
    report::CandidateScore score;
    score.architecture = c.architecture;
    score.width = c.width;
    score.macs = size.macs;
    score.parameters = size.parameters;
    score.latency_ms = latency;
    score.proxy = AccuracyProxy(size.macs);
    score.score = MnasNetScore(score.proxy, std::max(latency, 1e-6), target_ms);
    if (log) {
      std::fprintf(log, "  %-20s width %.2f: %8.2f M MACs %7.3f ms  score %.3f\n", c.architecture.c_str(), c.width,
                   static_cast<double>(size.macs) / 1e6, latency, score.score);
    }
    choice.candidates.push_back(score);
  }
  for (size_t i = 1; i < choice.candidates.size(); ++i) {
    if (choice.candidates[i].score > choice.candidates[choice.chosen].score) choice.chosen = i;
  }
  choice.candidates[choice.chosen].chosen = true;
  return choice;
}

}  // namespace edgeforge::make
