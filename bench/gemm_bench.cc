// The GEMM family (CONV_2D / FULLY_CONNECTED kernels in kernels/optimized) on the layer shapes
// of MobileNetV2 1.0 224 and MnasNet, for every kernel this CPU can run. Reports GMAC/s.
//   build/<dir>/bench/gemm_bench --benchmark_filter=qs8 [--threads=N via EF_BENCH_THREADS]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/optimized/f32_conv.h"
#include "kernels/optimized/qs8_conv.h"
#include "kernels/reference/activation.h"

namespace {

namespace ko = edgeforge::kernels::optimized;
namespace kr = edgeforge::kernels::reference;
namespace core = edgeforge::core;

struct Layer {
  const char* name;
  int in_hw, in_c, out_c, k, stride;
  bool fully_connected;
};

// MobileNetV2 1.0 224: stem, the pointwise expand / project layers of each resolution, the
// final 1x1 to 1280 and the classifier; MnasNet's 5x5 stages use the same pointwise shapes
// plus its 40- and 80-channel ones.
constexpr Layer kLayers[] = {
    {"stem_224x3_to_32_3x3s2", 224, 3, 32, 3, 2, false},
    {"pw_112_32_to_16", 112, 32, 16, 1, 1, false},
    {"pw_112_16_to_96", 112, 16, 96, 1, 1, false},
    {"pw_56_24_to_144", 56, 24, 144, 1, 1, false},
    {"pw_56_144_to_24", 56, 144, 24, 1, 1, false},
    {"pw_28_32_to_192", 28, 32, 192, 1, 1, false},
    {"pw_28_192_to_32", 28, 192, 32, 1, 1, false},
    {"pw_28_40_to_120_mnas", 28, 40, 120, 1, 1, false},
    {"pw_14_64_to_384", 14, 64, 384, 1, 1, false},
    {"pw_14_384_to_64", 14, 384, 64, 1, 1, false},
    {"pw_14_96_to_576", 14, 96, 576, 1, 1, false},
    {"pw_14_576_to_96", 14, 576, 96, 1, 1, false},
    {"pw_14_80_to_480_mnas", 14, 80, 480, 1, 1, false},
    {"pw_7_160_to_960", 7, 160, 960, 1, 1, false},
    {"pw_7_960_to_160", 7, 960, 160, 1, 1, false},
    {"pw_7_960_to_320", 7, 960, 320, 1, 1, false},
    {"pw_7_320_to_1280", 7, 320, 1280, 1, 1, false},
    {"fc_1280_to_1001", 1, 1280, 1001, 1, 1, true},
};

ko::ConvGeometry GeometryOf(const Layer& layer) {
  if (layer.fully_connected) return ko::FullyConnectedGeometry(1, layer.in_c, layer.out_c);
  ko::ConvGeometry g;
  g.in_h = g.in_w = layer.in_hw;
  g.in_c = layer.in_c;
  g.out_h = g.out_w = (layer.in_hw + layer.stride - 1) / layer.stride;
  g.out_c = layer.out_c;
  g.k_h = g.k_w = layer.k;
  g.stride_h = g.stride_w = layer.stride;
  const int total = std::max((g.out_h - 1) * layer.stride + layer.k - layer.in_hw, 0);
  g.pad_top = g.pad_left = total / 2;
  return g;
}

int BenchThreads() {
  const char* env = std::getenv("EF_BENCH_THREADS");
  return env ? std::max(1, std::atoi(env)) : 1;
}

void SetCounters(benchmark::State& state, const ko::ConvGeometry& g) {
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(g.macs()) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void BenchQs8(benchmark::State& state, const Layer& layer, const ko::Qs8GemmKernel& kernel) {
  const ko::ConvGeometry g = GeometryOf(layer);
  std::mt19937 rng(1);
  std::vector<uint8_t> input(static_cast<size_t>(g.in_h) * g.in_w * g.in_c);
  std::vector<uint8_t> filter(static_cast<size_t>(g.n()) * g.k());
  for (auto& v : input) v = static_cast<uint8_t>(rng());
  for (auto& v : filter) v = static_cast<uint8_t>(rng() % 255 + 1);
  std::vector<int32_t> bias(static_cast<size_t>(g.n()), 1000);
  std::vector<float> scales(static_cast<size_t>(g.n()), 1e-3f);
  kr::LinearQuantization quant;
  quant.input_zero_point = -3;
  quant.output = {kr::OutputStage::Scheme::kXnnpackFloatScale, scales.data(), nullptr, 5, -128, 127};
  const int threads = BenchThreads();
  core::ThreadPool pool(threads);
  ko::Qs8Conv conv;
  conv.Prepare(g, /*is_uint8=*/false, filter.data(), bias.data(), quant, kernel, threads);
  ko::GemmAlignedBuffer scratch(conv.scratch_bytes());
  std::vector<uint8_t> output(static_cast<size_t>(g.m()) * g.n());
  for (auto _ : state) {
    conv.Run(input.data(), output.data(), scratch.as<void>(), pool);
    benchmark::DoNotOptimize(output.data());
  }
  SetCounters(state, g);
}

void BenchF32(benchmark::State& state, const Layer& layer, const ko::F32GemmKernel& kernel) {
  const ko::ConvGeometry g = GeometryOf(layer);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> input(static_cast<size_t>(g.in_h) * g.in_w * g.in_c);
  std::vector<float> filter(static_cast<size_t>(g.n()) * g.k());
  std::vector<float> bias(static_cast<size_t>(g.n()));
  for (auto& v : input) v = dist(rng);
  for (auto& v : filter) v = dist(rng);
  for (auto& v : bias) v = dist(rng);
  const int threads = BenchThreads();
  core::ThreadPool pool(threads);
  ko::F32Conv conv;
  conv.Prepare(g, filter.data(), bias.data(), kr::FloatRange{0.0f, 6.0f}, kernel, threads);
  ko::GemmAlignedBuffer scratch(conv.scratch_bytes());
  std::vector<float> output(static_cast<size_t>(g.m()) * g.n());
  for (auto _ : state) {
    conv.Run(input.data(), output.data(), scratch.as<void>(), pool);
    benchmark::DoNotOptimize(output.data());
  }
  SetCounters(state, g);
}

// One benchmark per (kernel, layer) that this CPU can run.
int RegisterAll() {
  size_t count = 0;
  const ko::Qs8GemmKernel* qs8 = ko::Qs8GemmKernels(&count);
  for (size_t i = 0; i < count; ++i) {
    if (!core::IsaAvailable(qs8[i].isa)) continue;
    for (const Layer& layer : kLayers) {
      benchmark::RegisterBenchmark((std::string("qs8/") + qs8[i].name + "/" + layer.name).c_str(),
                                   [&layer, kernel = &qs8[i]](benchmark::State& s) { BenchQs8(s, layer, *kernel); });
    }
  }
  const ko::F32GemmKernel* f32 = ko::F32GemmKernels(&count);
  for (size_t i = 0; i < count; ++i) {
    if (!core::IsaAvailable(f32[i].isa)) continue;
    for (const Layer& layer : kLayers) {
      benchmark::RegisterBenchmark((std::string("f32/") + f32[i].name + "/" + layer.name).c_str(),
                                   [&layer, kernel = &f32[i]](benchmark::State& s) { BenchF32(s, layer, *kernel); });
    }
  }
  return 0;
}

const int kRegistered = RegisterAll();

}  // namespace

BENCHMARK_MAIN();
