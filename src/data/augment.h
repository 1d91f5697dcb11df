// The per-example image work of the batch loader: a seeded random generator whose stream
// depends only on (seed, epoch, example), choosing the crop window (random resized crop or
// centre crop), and sampling that window bilinearly straight into normalised float pixels
// (no intermediate images, so a worker allocates nothing per example).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "data/batch_loader.h"
#include "edgeforge/image.h"

namespace edgeforge::data {

// SplitMix64: tiny, fast, and the same on every platform and standard library (std::shuffle
// and the std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  // A stream for one (seed, epoch, index): the three are mixed so nearby values give
  // unrelated streams.
  static Rng For(uint64_t seed, uint64_t epoch, uint64_t index);
  uint64_t Next();
  float Uniform();                     // [0, 1)
  float Uniform(float lo, float hi);   // [lo, hi)
  uint64_t Below(uint64_t n);          // [0, n), n > 0
  template <typename T>
  void Shuffle(std::vector<T>& v) {    // Fisher-Yates
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(i)]);
  }

 private:
  uint64_t state_;
};

// A window of the source image, in pixels.
struct CropWindow {
  int x = 0, y = 0, width = 0, height = 0;
};

// Inception-style random resized crop: 10 attempts at an area fraction in [min_area,
// max_area] and a log-uniform aspect ratio; the whole image when none fits.
CropWindow RandomResizedCropWindow(int width, int height, const Augmentation& augmentation, Rng& rng);
// The central `fraction` of the image, as tf.image.central_crop (and CenterCrop) picks it.
CropWindow CenterCropWindow(int width, int height, float fraction);

// Samples `window` of `image` to size x size (bilinear, half-pixel centres, as ResizeBilinear
// but without rounding), mirrored when `flip`, converts channels (gray replicated to RGB, RGB
// to luma) and writes (value - mean[c]) / std[c] as NHWC floats into `out` (size*size*channels).
// mean/std have 1 or `channels` entries.
void SampleToFloat(const Image& image, const CropWindow& window, int size, int channels, bool flip,
                   std::span<const float> mean, std::span<const float> std, std::span<float> out);

}  // namespace edgeforge::data

namespace edgeforge::data {

// `image` with `channels` channels: gray replicated into RGB, or RGB to luma with the same
// fixed-point BT.601 weights as DecodeImage(..., ColorMode::kGray), so converting a decoded
// colour image gives exactly what decoding it as gray gives.
Image ConvertChannels(const Image& image, int channels);

}  // namespace edgeforge::data
