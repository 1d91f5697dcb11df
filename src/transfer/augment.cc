#include "transfer/augment.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/check.h"

namespace edgeforge::transfer {

Image CropWindow(const Image& image, int left, int top, int width, int height) {
  EF_CHECK(left >= 0 && top >= 0 && width > 0 && height > 0);
  EF_CHECK_LE(left + width, image.width);
  EF_CHECK_LE(top + height, image.height);
  Image out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(image.channels));
  const size_t row_bytes = static_cast<size_t>(width) * static_cast<size_t>(image.channels);
  for (int y = 0; y < height; ++y) {
    const uint8_t* src = image.pixels.data() +
                         (static_cast<size_t>(top + y) * static_cast<size_t>(image.width) + static_cast<size_t>(left)) *
                             static_cast<size_t>(image.channels);
    std::memcpy(out.pixels.data() + static_cast<size_t>(y) * row_bytes, src, row_bytes);
  }
  return out;
}

Image FlipHorizontally(const Image& image) {
  Image out = image;
  const int c = image.channels;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const size_t src = (static_cast<size_t>(y) * static_cast<size_t>(image.width) + static_cast<size_t>(x)) * static_cast<size_t>(c);
      const size_t dst = (static_cast<size_t>(y) * static_cast<size_t>(image.width) +
                          static_cast<size_t>(image.width - 1 - x)) * static_cast<size_t>(c);
      std::memcpy(&out.pixels[dst], &image.pixels[src], static_cast<size_t>(c));
    }
  }
  return out;
}

Image CentreCrop(const Image& image, float side_share) {
  EF_CHECK(side_share > 0 && side_share <= 1);
  const int w = std::clamp(static_cast<int>(std::lround(static_cast<float>(image.width) * side_share)), 1, image.width);
  const int h = std::clamp(static_cast<int>(std::lround(static_cast<float>(image.height) * side_share)), 1, image.height);
  return CropWindow(image, (image.width - w) / 2, (image.height - h) / 2, w, h);
}

Image FixedView(const Image& image, int view) {
  EF_CHECK(view >= 1 && view <= kFixedViews);
  constexpr float kSideShare[] = {1.0f, 0.875f, 0.75f, 0.6f};
  const float share = kSideShare[view / 2];
  const Image cropped = share < 1.0f ? CentreCrop(image, share) : image;
  return view % 2 == 1 ? FlipHorizontally(cropped) : cropped;
}

Image RandomCropAndFlip(const Image& image, const AugmentOptions& o, std::mt19937& rng) {
  std::uniform_real_distribution<float> area_share(o.min_area, o.max_area);
  std::uniform_real_distribution<float> log_aspect(std::log(o.min_aspect), std::log(o.max_aspect));
  const float area = static_cast<float>(image.width) * static_cast<float>(image.height);
  Image out = image;
  for (int attempt = 0; attempt < 10; ++attempt) {
    const float target = area * area_share(rng);
    const float aspect = std::exp(log_aspect(rng));
    const int w = static_cast<int>(std::lround(std::sqrt(target * aspect)));
    const int h = static_cast<int>(std::lround(std::sqrt(target / aspect)));
    if (w < 1 || h < 1 || w > image.width || h > image.height) continue;
    const int left = std::uniform_int_distribution<int>(0, image.width - w)(rng);
    const int top = std::uniform_int_distribution<int>(0, image.height - h)(rng);
    out = CropWindow(image, left, top, w, h);
    break;
  }
  if (o.horizontal_flip && std::uniform_int_distribution<int>(0, 1)(rng) == 1) out = FlipHorizontally(out);
  return out;
}

}  // namespace edgeforge::transfer
