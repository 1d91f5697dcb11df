// Centre crops: by fraction (tf.image.central_crop's arithmetic) or to an exact size.
#include <cstring>

#include "core/check.h"
#include "edgeforge/image.h"

namespace edgeforge {
namespace {

Image CopyWindow(const Image& image, int left, int top, int width, int height) {
  EF_CHECK_EQ(image.pixels.size(),
              static_cast<size_t>(image.width) * image.height * image.channels);
  Image out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<size_t>(width) * height * image.channels);
  const size_t row_bytes = static_cast<size_t>(width) * image.channels;
  for (int y = 0; y < height; ++y) {
    const uint8_t* src =
        image.pixels.data() + (static_cast<size_t>(top + y) * image.width + left) * image.channels;
    std::memcpy(out.pixels.data() + y * row_bytes, src, row_bytes);
  }
  return out;
}

}  // namespace

Image CenterCrop(const Image& image, float fraction) {
  EF_CHECK(fraction > 0.0f && fraction <= 1.0f);
  // tf.image.central_crop: start = int((size - size * fraction) / 2) in double precision,
  // kept = size - 2 * start, so the crop stays exactly centred.
  const auto start = [fraction](int size) {
    return static_cast<int>((size - size * static_cast<double>(fraction)) / 2);
  };
  const int left = start(image.width);
  const int top = start(image.height);
  return CopyWindow(image, left, top, image.width - 2 * left, image.height - 2 * top);
}

Image CenterCrop(const Image& image, int width, int height) {
  EF_CHECK_GT(width, 0);
  EF_CHECK_GT(height, 0);
  EF_CHECK_LE(width, image.width);
  EF_CHECK_LE(height, image.height);
  return CopyWindow(image, (image.width - width) / 2, (image.height - height) / 2, width, height);
}

}  // namespace edgeforge
