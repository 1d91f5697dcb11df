// The depthwise family (DEPTHWISE_CONV_2D plans in kernels/optimized/dwconv.h) on the layer
// shapes of MobileNetV2 1.0 224 (3x3) and MnasNet (5x5), for every ISA level this CPU can run,
// int8, uint8 (legacy, weight zero point != 0) and float32. Reports GMAC/s.
//   build/<dir>/bench/dwconv_bench --benchmark_filter=qs8 [threads via EF_BENCH_THREADS]
//   float32 on AVX-512, best of 5 (the machine is shared; take the max GMAC/s, not the mean):
//   build/<dir>/bench/dwconv_bench --benchmark_filter=f32/avx512/ --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/optimized/dwconv.h"
#include "kernels/reference/activation.h"

namespace {

namespace ko = edgeforge::kernels::optimized;
namespace kr = edgeforge::kernels::reference;
namespace core = edgeforge::core;

struct Layer {
  const char* name;
  int in_hw, channels, k, stride;
};

constexpr Layer kLayers[] = {
    {"112x112x32_3x3s1", 112, 32, 3, 1},  {"112x112x96_3x3s2", 112, 96, 3, 2},
    {"56x56x144_3x3s1", 56, 144, 3, 1},   {"56x56x144_3x3s2", 56, 144, 3, 2},
    {"28x28x192_3x3s1", 28, 192, 3, 1},   {"28x28x192_3x3s2", 28, 192, 3, 2},
    {"14x14x384_3x3s1", 14, 384, 3, 1},   {"14x14x576_3x3s1", 14, 576, 3, 1},
    {"14x14x576_3x3s2", 14, 576, 3, 2},   {"7x7x960_3x3s1", 7, 960, 3, 1},
    {"56x56x72_5x5s2_mnas", 56, 72, 5, 2}, {"28x28x120_5x5s1_mnas", 28, 120, 5, 1},
    {"14x14x480_5x5s1_mnas", 14, 480, 5, 1}, {"7x7x1152_5x5s1_mnas", 7, 1152, 5, 1},
};

ko::DepthwiseGeometry GeometryOf(const Layer& layer) {
  ko::DepthwiseGeometry g;
  g.in_h = g.in_w = layer.in_hw;
  g.channels = layer.channels;
  g.kernel_h = g.kernel_w = layer.k;
  g.out_h = g.out_w = (layer.in_hw + layer.stride - 1) / layer.stride;
  g.stride_h = g.stride_w = layer.stride;
  const int total = std::max((g.out_h - 1) * layer.stride + layer.k - layer.in_hw, 0);
  g.pad_top = g.pad_left = total / 2;
  return g;
}

int64_t Macs(const ko::DepthwiseGeometry& g) {
  return static_cast<int64_t>(g.out_h) * g.out_w * g.channels * g.kernel_h * g.kernel_w;
}

int BenchThreads() {
  const char* env = std::getenv("EF_BENCH_THREADS");
  return env ? std::max(1, std::atoi(env)) : 1;
}

struct AlignedScratch {
  explicit AlignedScratch(size_t n)
      : p(static_cast<uint8_t*>(std::aligned_alloc(64, std::max<size_t>(64, (n + 63) / 64 * 64)))) {}
  ~AlignedScratch() { std::free(p); }
  uint8_t* p;
};

void BenchQuantized(benchmark::State& state, const Layer& layer, core::Isa isa, bool is_uint8) {
  const ko::DepthwiseGeometry g = GeometryOf(layer);
  std::mt19937 rng(1);
  std::vector<uint8_t> input(static_cast<size_t>(g.in_h) * g.in_w * g.channels);
  std::vector<uint8_t> filter(static_cast<size_t>(g.kernel_h) * g.kernel_w * g.channels);
  for (auto& v : input) v = static_cast<uint8_t>(rng());
  for (auto& v : filter) v = static_cast<uint8_t>(is_uint8 ? rng() : rng() % 255 + 129);
  std::vector<int32_t> bias(static_cast<size_t>(g.channels), 1000);
  std::vector<float> scales(static_cast<size_t>(g.channels), 1e-3f);
  ko::QuantizedDepthwiseSpec spec;
  spec.geometry = g;
  spec.is_uint8 = is_uint8;
  spec.input_zero_point = is_uint8 ? 120 : -3;
  spec.filter_zero_point = is_uint8 ? 131 : 0;
  spec.filter = filter.data();
  spec.bias = bias.data();
  spec.output = {kr::OutputStage::Scheme::kXnnpackFloatScale, scales.data(), nullptr, 5,
                 is_uint8 ? 5 : -128, is_uint8 ? 255 : 127};
  const int threads = BenchThreads();
  core::ThreadPool pool(threads);
  auto plan = ko::QuantizedDepthwiseConv::Create(spec, isa, threads);
  state.SetLabel(plan->name());
  AlignedScratch scratch(plan->scratch_bytes());
  std::vector<uint8_t> output(static_cast<size_t>(g.out_h) * g.out_w * g.channels);
  for (auto _ : state) {
    plan->Run(input.data(), output.data(), scratch.p, pool);
    benchmark::DoNotOptimize(output.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(Macs(g)) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void BenchFloat(benchmark::State& state, const Layer& layer, core::Isa isa) {
  const ko::DepthwiseGeometry g = GeometryOf(layer);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> input(static_cast<size_t>(g.in_h) * g.in_w * g.channels);
  std::vector<float> filter(static_cast<size_t>(g.kernel_h) * g.kernel_w * g.channels);
  std::vector<float> bias(static_cast<size_t>(g.channels));
  for (auto& v : input) v = dist(rng);
  for (auto& v : filter) v = dist(rng);
  for (auto& v : bias) v = dist(rng);
  ko::FloatDepthwiseSpec spec;
  spec.geometry = g;
  spec.filter = filter.data();
  spec.bias = bias.data();
  spec.clamp = {0.0f, 6.0f};
  const int threads = BenchThreads();
  core::ThreadPool pool(threads);
  auto plan = ko::FloatDepthwiseConv::Create(spec, isa, threads);
  state.SetLabel(plan->name());
  AlignedScratch scratch(plan->scratch_bytes());
  std::vector<float> output(static_cast<size_t>(g.out_h) * g.out_w * g.channels);
  for (auto _ : state) {
    plan->Run(input.data(), output.data(), scratch.p, pool);
    benchmark::DoNotOptimize(output.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(Macs(g)) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// One benchmark per (ISA level, dtype, layer) that this CPU can run. ISA levels that pick the
// same kernel as a lower one (AVX2 and AMX have no depthwise kernel of their own) are skipped.
int RegisterAll() {
  for (core::Isa isa : {core::Isa::kPortable, core::Isa::kAvx512, core::Isa::kAvx512Vnni}) {
    if (!core::IsaAvailable(isa)) continue;
    const std::string level = core::IsaName(isa);
    for (const Layer& layer : kLayers) {
      benchmark::RegisterBenchmark(("qs8/" + level + "/" + layer.name).c_str(),
                                   [&layer, isa](benchmark::State& s) { BenchQuantized(s, layer, isa, false); });
      benchmark::RegisterBenchmark(("qu8/" + level + "/" + layer.name).c_str(),
                                   [&layer, isa](benchmark::State& s) { BenchQuantized(s, layer, isa, true); });
      if (isa != core::Isa::kAvx512Vnni) {
        benchmark::RegisterBenchmark(("f32/" + level + "/" + layer.name).c_str(),
                                     [&layer, isa](benchmark::State& s) { BenchFloat(s, layer, isa); });
      }
    }
  }
  return 0;
}

const int kRegistered = RegisterAll();

}  // namespace

BENCHMARK_MAIN();
