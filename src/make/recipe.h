// Choosing what to train from scratch the MnasNet way (Tan et al. 2019, "MnasNet", section 3):
// every candidate (architecture, width) is built at the data's image size, turned into its
// inference form and timed in edgeforge's runtime on this machine (fastest of five runs, one
// thread), then scored
//   score = proxy × (latency / target)^w,   w = −0.07 within the target, −1 over it
// (MnasNet's soft exponent α = −0.07 below the target and its hard-constraint β = −1 above
// it: with the same exponent on both sides the target would scale every score alike and never
// change the choice). The paper's ACC(m) comes from training each candidate; a recipe that
// must decide before training uses a proxy instead: ln(MACs). Within one family at a fixed
// resolution, accuracy grows roughly with the logarithm of compute (the MnasNet and
// EfficientNet scaling curves), which ln(MACs) follows; parameters would favour wide heads
// that add little accuracy.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "models/zoo.h"
#include "report/report_data.h"

namespace edgeforge::make {

inline constexpr double kSoftLatencyExponent = -0.07;  // MnasNet α
inline constexpr double kHardLatencyExponent = -1.0;   // MnasNet β with a hard constraint

struct Candidate {
  std::string architecture;
  float width = 1.0f;
};

// The zoo architectures × widths 0.5, 0.75, 1.0; for the Edge TPU without MobileNetV3 (its
// hard-swish maps only as three ops, ADD + MUL + MUL, a cost the CPU latency measurement
// that ranks the candidates does not see).
std::vector<Candidate> DefaultCandidates(const std::string& target);

double AccuracyProxy(int64_t macs);
double MnasNetScore(double proxy, double latency_ms, double target_ms);

struct ArchitectureChoice {
  std::vector<report::CandidateScore> candidates;  // in the order considered; one chosen
  size_t chosen = 0;
};

// Builds, times and scores each candidate with `base` (image size, channels, classes).
// Progress lines go to `log` (may be null).
StatusOr<ArchitectureChoice> ChooseArchitecture(const std::vector<Candidate>& candidates,
                                                const models::ModelOptions& base, double target_ms, int threads,
                                                std::FILE* log);

}  // namespace edgeforge::make
