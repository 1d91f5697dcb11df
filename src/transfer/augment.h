// Augmented variants of a training photo for head-only transfer learning: a random resized
// crop (Inception style) and a random horizontal flip. Backbone features of a few such variants
// per photo are cached next to the photo's own, so the head sees more than one view of it
// without any backbone pass during training.
#pragma once

#include <random>

#include "edgeforge/image.h"

namespace edgeforge::transfer {

struct AugmentOptions {
  // Share of the photo's area the crop keeps, and the crop's aspect ratio range (log-uniform).
  // The smallest area is larger than Inception's 0.08: a cached variant is seen in every epoch,
  // so a crop that lost the subject would mislabel training data for the whole run.
  float min_area = 0.35f;
  float max_area = 1.0f;
  float min_aspect = 3.0f / 4.0f;
  float max_aspect = 4.0f / 3.0f;
  bool horizontal_flip = true;
};

// A random window of `image` (10 attempts to fit the drawn size, then the whole image), flipped
// left-right with probability 1/2. Resizing to the model's input happens later, as for any photo.
Image RandomCropAndFlip(const Image& image, const AugmentOptions& options, std::mt19937& rng);

// The window [left, left + width) x [top, top + height); it must lie inside the image.
Image CropWindow(const Image& image, int left, int top, int width, int height);
Image FlipHorizontally(const Image& image);

}  // namespace edgeforge::transfer
