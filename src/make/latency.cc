#include "make/latency.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <vector>

#include "ir/op.h"
#include "runtime/interpreter.h"
#include "tflite/reader.h"

namespace edgeforge::make {

namespace {

using Clock = std::chrono::steady_clock;

void FillRandom(runtime::RtTensor& t, std::mt19937& rng) {
  if (t.dtype() == DType::kFloat32) {
    std::uniform_real_distribution<float> d(-1.f, 1.f);
    for (int64_t i = 0; i < t.num_elements(); ++i) t.as<float>()[i] = d(rng);
  } else {
    for (size_t i = 0; i < t.bytes(); ++i) t.data[i] = static_cast<uint8_t>(rng());
  }
}

LatencyStats Stats(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

// Runs warm-up then timed invocations; op_seconds (when given) accumulates the profile.
StatusOr<LatencyStats> TimeRuns(runtime::Interpreter& interpreter, const LatencyRuns& r,
                                std::vector<double>* op_seconds) {
  std::mt19937 rng(42);
  for (size_t i = 0; i < interpreter.num_inputs(); ++i) FillRandom(interpreter.input(i), rng);
  for (int i = 0; i < r.warmup; ++i) EF_RETURN_IF_ERROR(interpreter.Invoke());
  interpreter.set_profiling(op_seconds != nullptr);
  std::vector<double> ms;
  for (int i = 0; i < std::max(1, r.runs); ++i) {
    const auto start = Clock::now();
    EF_RETURN_IF_ERROR(interpreter.Invoke());
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (op_seconds) {
      for (const runtime::OpTiming& t : interpreter.last_profile()) {
        (*op_seconds)[static_cast<size_t>(t.op_index)] += t.seconds;
      }
    }
  }
  return Stats(std::move(ms));
}

}  // namespace

StatusOr<LatencyStats> MeasureLatency(std::shared_ptr<const ir::Graph> graph, const std::string& source,
                                      const LatencyRuns& runs) {
  EF_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Interpreter> interpreter,
                      runtime::Interpreter::Create(std::move(graph), source, {runs.threads}));
  return TimeRuns(*interpreter, runs, nullptr);
}

StatusOr<report::LatencySummary> ProfileModelFile(const std::string& path, const LatencyRuns& runs) {
  EF_ASSIGN_OR_RETURN(ir::Graph graph, tflite::ReadModelFile(path));
  auto shared = std::make_shared<const ir::Graph>(std::move(graph));
  EF_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Interpreter> interpreter,
                      runtime::Interpreter::Create(shared, path, {runs.threads}));
  std::vector<double> op_seconds(shared->ops.size(), 0.0);
  report::LatencySummary summary;
  EF_ASSIGN_OR_RETURN(LatencyStats stats, TimeRuns(*interpreter, runs, &op_seconds));
  summary.median_ms = stats.median_ms;
  summary.model = std::filesystem::path(path).filename().string();
  summary.threads = runs.threads;
  summary.runs = std::max(1, runs.runs);
  std::map<std::string, report::OpTypeLatency> by_type;
  for (size_t i = 0; i < shared->ops.size(); ++i) {
    report::OpTypeLatency& row = by_type[ir::OpName(shared->ops[i])];
    row.op = ir::OpName(shared->ops[i]);
    row.count++;
    row.ms += op_seconds[i] * 1000.0 / summary.runs;
  }
  for (auto& [name, row] : by_type) summary.by_op_type.push_back(row);
  std::sort(summary.by_op_type.begin(), summary.by_op_type.end(),
            [](const auto& a, const auto& b) { return a.ms > b.ms; });
  return summary;
}

}  // namespace edgeforge::make
