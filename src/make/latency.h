// Latency in edgeforge's runtime on this machine, measured the way `edgeforge bench` does:
// inputs filled with fixed-seed random values, untimed warm-up runs, then the median of timed
// runs, with the per-op profile summed by op type.
#pragma once

#include <memory>
#include <string>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "report/report_data.h"

namespace edgeforge::make {

struct LatencyRuns {
  int warmup = 2;
  int runs = 10;
  int threads = 1;
};

struct LatencyStats {
  double median_ms = 0;
  double fastest_ms = 0;  // least disturbed by other work on a shared machine
};

// Milliseconds of one inference. `source` names the graph in errors.
StatusOr<LatencyStats> MeasureLatency(std::shared_ptr<const ir::Graph> graph, const std::string& source,
                                      const LatencyRuns& runs);

// The model file's median latency and time per op type (slowest first).
StatusOr<report::LatencySummary> ProfileModelFile(const std::string& path, const LatencyRuns& runs);

}  // namespace edgeforge::make
