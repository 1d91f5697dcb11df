#include "data/augment.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace edgeforge::data {

namespace {

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Per output coordinate: the two source taps and the weight of the second (TF's half-pixel
// bilinear rule: in = (out + 0.5) * scale - 0.5, taps floor/ceil clamped to the window).
struct Tap {
  int lo = 0, hi = 0;
  float weight = 0;
};

void ComputeTaps(int start, int extent, int out_size, std::vector<Tap>& taps) {
  taps.resize(static_cast<size_t>(out_size));
  const float scale = static_cast<float>(extent) / static_cast<float>(out_size);
  for (int o = 0; o < out_size; ++o) {
    const float in = (static_cast<float>(o) + 0.5f) * scale - 0.5f;
    const float floor_in = std::floor(in);
    Tap& t = taps[static_cast<size_t>(o)];
    t.lo = start + std::clamp(static_cast<int>(floor_in), 0, extent - 1);
    t.hi = start + std::clamp(static_cast<int>(std::ceil(in)), 0, extent - 1);
    t.weight = in - floor_in;
  }
}

}  // namespace

Rng Rng::For(uint64_t seed, uint64_t epoch, uint64_t index) {
  return Rng(Mix(Mix(Mix(seed) ^ (epoch + 0x632be59bd9b4e019ull)) ^ (index + 0x9e3779b97f4a7c15ull)));
}

uint64_t Rng::Next() {
  state_ += 0x9e3779b97f4a7c15ull;
  return Mix(state_);
}

float Rng::Uniform() { return static_cast<float>(Next() >> 40) * (1.0f / 16777216.0f); }

float Rng::Uniform(float lo, float hi) { return lo + (hi - lo) * Uniform(); }

uint64_t Rng::Below(uint64_t n) {
  EF_CHECK_GT(n, 0u);
  // Multiply-shift: unbiased enough for shuffles and crops, and branch-free.
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

CropWindow RandomResizedCropWindow(int width, int height, const Augmentation& a, Rng& rng) {
  const float area = static_cast<float>(width) * static_cast<float>(height);
  const float log_lo = std::log(a.min_aspect), log_hi = std::log(a.max_aspect);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const float target = area * rng.Uniform(a.min_area, a.max_area);
    const float aspect = std::exp(rng.Uniform(log_lo, log_hi));
    const int w = static_cast<int>(std::lround(std::sqrt(target * aspect)));
    const int h = static_cast<int>(std::lround(std::sqrt(target / aspect)));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      const int x = static_cast<int>(rng.Below(static_cast<uint64_t>(width - w) + 1));
      const int y = static_cast<int>(rng.Below(static_cast<uint64_t>(height - h) + 1));
      return {x, y, w, h};
    }
  }
  return {0, 0, width, height};
}

CropWindow CenterCropWindow(int width, int height, float fraction) {
  EF_CHECK(fraction > 0.0f && fraction <= 1.0f);
  const auto start = [fraction](int size) {
    return static_cast<int>((size - size * static_cast<double>(fraction)) / 2);
  };
  const int left = start(width), top = start(height);
  return {left, top, width - 2 * left, height - 2 * top};
}

void SampleToFloat(const Image& image, const CropWindow& window, int size, int channels, bool flip,
                   std::span<const float> mean, std::span<const float> std, std::span<float> out) {
  EF_CHECK(channels == 1 || channels == 3);
  EF_CHECK(image.channels == 1 || image.channels == 3);
  EF_CHECK_EQ(out.size(), static_cast<size_t>(size) * static_cast<size_t>(size) * static_cast<size_t>(channels));
  EF_CHECK(window.width > 0 && window.height > 0 && window.x >= 0 && window.y >= 0 &&
           window.x + window.width <= image.width && window.y + window.height <= image.height);
  // Reused across calls on the same worker thread: no allocation per example.
  thread_local std::vector<Tap> x_taps, y_taps;
  ComputeTaps(window.x, window.width, size, x_taps);
  ComputeTaps(window.y, window.height, size, y_taps);
  if (flip) std::reverse(x_taps.begin(), x_taps.end());
  float scale[3], offset[3];
  for (int c = 0; c < channels; ++c) {
    const float m = mean.size() == 1 ? mean[0] : mean[static_cast<size_t>(c)];
    const float s = std.size() == 1 ? std[0] : std[static_cast<size_t>(c)];
    scale[c] = 1.0f / s;
    offset[c] = -m / s;
  }
  const int sc = image.channels;
  const size_t stride = static_cast<size_t>(image.width) * static_cast<size_t>(sc);
  const uint8_t* pixels = image.pixels.data();
  float* o = out.data();
  for (int y = 0; y < size; ++y) {
    const Tap& ty = y_taps[static_cast<size_t>(y)];
    const uint8_t* row0 = pixels + static_cast<size_t>(ty.lo) * stride;
    const uint8_t* row1 = pixels + static_cast<size_t>(ty.hi) * stride;
    for (int x = 0; x < size; ++x) {
      const Tap& tx = x_taps[static_cast<size_t>(x)];
      const size_t a = static_cast<size_t>(tx.lo) * static_cast<size_t>(sc);
      const size_t b = static_cast<size_t>(tx.hi) * static_cast<size_t>(sc);
      float v[3];
      for (int c = 0; c < sc; ++c) {
        const float top = row0[a + c] + (row0[b + c] - row0[a + c]) * tx.weight;
        const float bottom = row1[a + c] + (row1[b + c] - row1[a + c]) * tx.weight;
        v[c] = top + (bottom - top) * ty.weight;
      }
      if (channels == sc) {
        for (int c = 0; c < channels; ++c) *o++ = v[c] * scale[c] + offset[c];
      } else if (channels == 3) {  // gray replicated
        for (int c = 0; c < 3; ++c) *o++ = v[0] * scale[c] + offset[c];
      } else {  // luma, BT.601 as the decoders' gray conversion
        *o++ = (0.299f * v[0] + 0.587f * v[1] + 0.114f * v[2]) * scale[0] + offset[0];
      }
    }
  }
}

}  // namespace edgeforge::data

namespace edgeforge::data {

Image ConvertChannels(const Image& image, int channels) {
  EF_CHECK(channels == 1 || channels == 3);
  if (image.channels == channels) return image;
  Image out;
  out.width = image.width;
  out.height = image.height;
  out.channels = channels;
  const size_t count = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  out.pixels.resize(count * static_cast<size_t>(channels));
  if (channels == 3) {
    for (size_t i = 0; i < count; ++i) out.pixels[i * 3] = out.pixels[i * 3 + 1] = out.pixels[i * 3 + 2] = image.pixels[i];
  } else {
    for (size_t i = 0; i < count; ++i) {
      const uint8_t* rgb = &image.pixels[i * 3];
      out.pixels[i] = static_cast<uint8_t>((19595 * rgb[0] + 38470 * rgb[1] + 7471 * rgb[2] + 32768) >> 16);
    }
  }
  return out;
}

}  // namespace edgeforge::data
