// The two JPEG pixel reconstructions (include/edgeforge/image.h, JpegDecoding) on the Coral
// photos: the whole DecodeImage call (libjpeg-turbo's parsing and entropy decoding included),
// and the reference path's two halves alone, so a regression can be placed.
//   build/<dir>/bench/jpeg_decode_bench [--benchmark_filter=parrot]
// The photos are read from EF_TESTDATA (default: ../shared/testdata from the working folder).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "data/jpeg_reconstruct.h"
#include "edgeforge/image.h"

namespace {

using edgeforge::DecodeImage;
using edgeforge::JpegDecoding;
using edgeforge::ResizeBilinear;

std::string TestDataPath(const std::string& relative) {
  const char* dir = std::getenv("EF_TESTDATA");
  return std::string(dir != nullptr ? dir : "../shared/testdata") + "/" + relative;
}

std::vector<uint8_t> ReadFileOrSkip(const std::string& path, benchmark::State& state) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) state.SkipWithError((path + ": cannot read (set EF_TESTDATA)").c_str());
  return bytes;
}

void BM_Decode(benchmark::State& state, const char* photo, JpegDecoding decoding) {
  const std::vector<uint8_t> bytes = ReadFileOrSkip(TestDataPath(photo), state);
  if (bytes.empty()) return;
  int64_t pixels = 0;
  for (auto _ : state) {
    auto image = DecodeImage(bytes, photo, edgeforge::ColorMode::kRgb, decoding);
    if (!image.ok()) {
      state.SkipWithError(image.status().message().c_str());
      return;
    }
    pixels = int64_t{image->width} * image->height;
    benchmark::DoNotOptimize(image->pixels.data());
  }
  state.counters["Mpixel/s"] =
      benchmark::Counter(static_cast<double>(pixels) * state.iterations() / 1e6,
                         benchmark::Counter::kIsRate);
}

// What `edgeforge serve` / `classify` spend before Invoke for a 224x224 model: decode, resize.
void BM_DecodeAndResize224(benchmark::State& state, const char* photo, JpegDecoding decoding) {
  const std::vector<uint8_t> bytes = ReadFileOrSkip(TestDataPath(photo), state);
  if (bytes.empty()) return;
  for (auto _ : state) {
    auto image = DecodeImage(bytes, photo, edgeforge::ColorMode::kRgb, decoding);
    if (!image.ok()) {
      state.SkipWithError(image.status().message().c_str());
      return;
    }
    edgeforge::Image resized = ResizeBilinear(*image, 224, 224);
    benchmark::DoNotOptimize(resized.pixels.data());
  }
}

// The reference IDCT alone on 4096 blocks shaped like a photo's: a DC term and a few small
// low-frequency AC terms, most high frequencies zero.
void BM_ReferenceInverseDct(benchmark::State& state) {
  constexpr int kBlocks = 4096;
  std::mt19937 rng(7);
  std::vector<int16_t> coefficients(kBlocks * 64, 0);
  for (int b = 0; b < kBlocks; ++b) {
    coefficients[b * 64] = static_cast<int16_t>(static_cast<int>(rng() % 256) - 128);
    for (int i = 1; i < 64; ++i) {
      const int row = i / 8, column = i % 8;
      if (row + column < 4 && rng() % 2 == 0) {
        coefficients[b * 64 + i] = static_cast<int16_t>(static_cast<int>(rng() % 31) - 15);
      }
    }
  }
  uint16_t steps[64];
  for (int i = 0; i < 64; ++i) steps[i] = static_cast<uint16_t>(2 + i / 4);
  std::vector<uint8_t> out(64);
  for (auto _ : state) {
    for (int b = 0; b < kBlocks; ++b) {
      edgeforge::data::ReferenceInverseDct(&coefficients[b * 64], steps, out.data(), 8);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kBlocks);
}
BENCHMARK(BM_ReferenceInverseDct)->Unit(benchmark::kMicrosecond);

// The reference upsampling and YCbCr -> RGB alone: a parrot-sized 4:2:0 frame of random samples.
void BM_ReferenceColorConvert(benchmark::State& state) {
  namespace data = edgeforge::data;
  data::ReferenceFrame frame;
  frame.width = 512;
  frame.height = 929;
  frame.max_sampling_h = 2;
  frame.max_sampling_v = 2;
  std::mt19937 rng(11);
  auto plane = [&](int sampling, int blocks_across, int blocks_down) {
    data::ReferencePlane p{sampling, sampling, blocks_across * 8, blocks_down * 8, {}};
    p.samples.resize(static_cast<size_t>(p.width) * p.height);
    for (uint8_t& s : p.samples) s = static_cast<uint8_t>(rng());
    return p;
  };
  frame.planes = {plane(2, 64, 117), plane(1, 32, 59), plane(1, 32, 59)};
  for (auto _ : state) {
    auto image = data::ReferenceColorConvert(frame, "frame");
    benchmark::DoNotOptimize(image->pixels.data());
  }
  state.counters["Mpixel/s"] = benchmark::Counter(512.0 * 929 * state.iterations() / 1e6,
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReferenceColorConvert)->Unit(benchmark::kMillisecond);

constexpr const char* kPhotos[] = {"coral/parrot.jpg", "coral/owl.jpg", "coral/hot_dog.jpg"};

int RegisterAll() {
  for (const char* photo : kPhotos) {
    const std::string name = std::string(photo).substr(6);  // drop "coral/"
    benchmark::RegisterBenchmark(("decode/reference/" + name).c_str(), BM_Decode, photo,
                                 JpegDecoding::kReference)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("decode/libjpeg_turbo/" + name).c_str(), BM_Decode, photo,
                                 JpegDecoding::kLibjpegTurbo)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("decode_resize224/reference/" + name).c_str(),
                                 BM_DecodeAndResize224, photo, JpegDecoding::kReference)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("decode_resize224/libjpeg_turbo/" + name).c_str(),
                                 BM_DecodeAndResize224, photo, JpegDecoding::kLibjpegTurbo)
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}
const int kRegistered = RegisterAll();

}  // namespace

BENCHMARK_MAIN();
