// edgeforge bench MODEL [--threads N] [--warmup N] [--runs N] [--json]
// Like TFLite's benchmark_model: init time, first inference, latency distribution over timed
// runs, a per-op profile (time by op and by op type, MACs, achieved GMAC/s), arena bytes and
// peak RSS. Inputs are filled with fixed-seed random bytes.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "cli/command.h"
#include "ir/cost.h"
#include "runtime/interpreter.h"
#include "tflite/reader.h"

namespace edgeforge::cli {

namespace {

struct BenchArgs {
  std::string model;
  int threads = 1;
  int warmup = 5;
  int runs = 50;
  bool json = false;
};

using Clock = std::chrono::steady_clock;
double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double Percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

void FillRandom(runtime::RtTensor& t, std::mt19937& rng) {
  if (t.dtype() == DType::kFloat32) {
    std::uniform_real_distribution<float> d(-1.f, 1.f);
    for (int64_t i = 0; i < t.num_elements(); ++i) t.as<float>()[i] = d(rng);
  } else {
    for (size_t i = 0; i < t.bytes(); ++i) t.data[i] = static_cast<uint8_t>(rng());
  }
}

int RunBench(const BenchArgs& a) {
  auto t0 = Clock::now();
  auto graph = tflite::ReadModelFile(a.model);
  if (!graph.ok()) return ReportError(graph.status());
  auto shared = std::make_shared<const ir::Graph>(std::move(graph).value());
  auto created = runtime::Interpreter::Create(shared, a.model, {a.threads});
  if (!created.ok()) return ReportError(created.status());
  runtime::Interpreter& interp = *created.value();
  const double init_ms = Ms(t0, Clock::now());

  std::mt19937 rng(42);
  for (size_t i = 0; i < interp.num_inputs(); ++i) FillRandom(interp.input(i), rng);

  auto t1 = Clock::now();
  Status s = interp.Invoke();
  if (!s.ok()) return ReportError(s);
  const double first_ms = Ms(t1, Clock::now());
  for (int i = 0; i < a.warmup; ++i) {
    if (Status w = interp.Invoke(); !w.ok()) return ReportError(w);
  }

  const ir::Graph& g = *shared;
  std::vector<double> latencies;
  std::vector<double> op_seconds(g.ops.size(), 0.0);
  interp.set_profiling(true);
  for (int i = 0; i < a.runs; ++i) {
    auto start = Clock::now();
    if (Status r = interp.Invoke(); !r.ok()) return ReportError(r);
    latencies.push_back(Ms(start, Clock::now()));
    for (const auto& p : interp.last_profile()) op_seconds[static_cast<size_t>(p.op_index)] += p.seconds;
  }
  std::vector<double> sorted = latencies;
  std::sort(sorted.begin(), sorted.end());
  const double runs = std::max(1, a.runs);

  struct TypeRow {
    double ms = 0;
    int64_t macs = 0;
    int count = 0;
  };
  std::map<std::string, TypeRow> by_type;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    TypeRow& r = by_type[ir::OpName(g.ops[i])];
    r.ms += op_seconds[i] * 1000.0 / runs;
    r.macs += ir::OpMacs(g, g.ops[i]);
    r.count++;
  }
  const int64_t total_macs = ir::GraphMacs(g);
  const double median = Percentile(sorted, 50);
  auto gmacs = [](int64_t macs, double ms) { return ms > 0 ? static_cast<double>(macs) / (ms * 1e6) : 0.0; };

  if (a.json) {
    nlohmann::json j{{"model", a.model},          {"threads", a.threads},
                     {"runs", a.runs},            {"init_ms", init_ms},
                     {"first_inference_ms", first_ms},
                     {"min_ms", sorted.front()},  {"median_ms", median},
                     {"p90_ms", Percentile(sorted, 90)}, {"p99_ms", Percentile(sorted, 99)},
                     {"max_ms", sorted.back()},   {"macs", total_macs},
                     {"gmacs_per_s", gmacs(total_macs, median)},
                     {"arena_bytes", interp.arena_bytes()}, {"peak_rss_kb", PeakRssKb()}};
    for (auto& [name, r] : by_type) {
      j["by_op_type"].push_back({{"op", name}, {"count", r.count}, {"ms", r.ms}, {"macs", r.macs},
                                 {"gmacs_per_s", gmacs(r.macs, r.ms)}});
    }
    for (size_t i = 0; i < g.ops.size(); ++i) {
      double ms = op_seconds[i] * 1000.0 / runs;
      int64_t macs = ir::OpMacs(g, g.ops[i]);
      j["ops"].push_back({{"index", i}, {"op", ir::OpName(g.ops[i])}, {"ms", ms}, {"macs", macs},
                          {"gmacs_per_s", gmacs(macs, ms)}});
    }
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }

  std::printf("model: %s\nthreads: %d, warmup: %d, runs: %d\n", a.model.c_str(), a.threads, a.warmup, a.runs);
  std::printf("init: %.2f ms   first inference: %.2f ms\n", init_ms, first_ms);
  std::printf("latency ms: min %.3f  median %.3f  p90 %.3f  p99 %.3f  max %.3f\n", sorted.front(), median,
              Percentile(sorted, 90), Percentile(sorted, 99), sorted.back());
  std::printf("MACs: %.1f M   achieved: %.2f GMAC/s (median)\n", static_cast<double>(total_macs) / 1e6,
              gmacs(total_macs, median));
  std::printf("arena: %zu bytes   peak RSS: %ld KB\n\n", interp.arena_bytes(), PeakRssKb());
  std::vector<std::pair<std::string, TypeRow>> rows(by_type.begin(), by_type.end());
  std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.second.ms > y.second.ms; });
  double total_op_ms = 0;
  for (auto& r : rows) total_op_ms += r.second.ms;
  std::printf("%-26s %6s %10s %7s %12s %9s\n", "op type", "count", "ms", "%", "MACs (M)", "GMAC/s");
  for (auto& [name, r] : rows) {
    std::printf("%-26s %6d %10.3f %6.1f%% %12.1f %9.2f\n", name.c_str(), r.count, r.ms,
                total_op_ms > 0 ? 100.0 * r.ms / total_op_ms : 0.0, static_cast<double>(r.macs) / 1e6,
                gmacs(r.macs, r.ms));
  }
  std::vector<size_t> order(g.ops.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return op_seconds[x] > op_seconds[y]; });
  std::printf("\nslowest ops:\n%-6s %-26s %10s %12s %9s\n", "index", "op", "ms", "MACs (M)", "GMAC/s");
  for (size_t k = 0; k < std::min<size_t>(10, order.size()); ++k) {
    size_t i = order[k];
    double ms = op_seconds[i] * 1000.0 / runs;
    int64_t macs = ir::OpMacs(g, g.ops[i]);
    std::printf("%-6zu %-26s %10.3f %12.1f %9.2f\n", i, ir::OpName(g.ops[i]).c_str(), ms,
                static_cast<double>(macs) / 1e6, gmacs(macs, ms));
  }
  return kExitOk;
}

}  // namespace

void AddBenchCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("bench", "Latency, per-op profile, arena and peak memory of a model");
  auto args = std::make_shared<BenchArgs>();
  app->add_option("model", args->model, "a .tflite file")->required();
  app->add_option("--threads", args->threads, "threads")->check(CLI::Range(1, 256));
  app->add_option("--warmup", args->warmup, "untimed runs before timing")->check(CLI::Range(0, 100000));
  app->add_option("--runs", args->runs, "timed runs")->check(CLI::Range(1, 1000000));
  app->add_flag("--json", args->json, "print JSON");
  commands.push_back({app, [args] { return RunBench(*args); }});
}

}  // namespace edgeforge::cli
