// Augmented views of a training photo for head-only transfer learning. Backbone features of a
// few views per photo are cached next to the photo's own, so the head sees more than one view
// of it without any backbone pass during training. The first views are fixed (the mirror image,
// centre crops and their mirror images): on flowers-mini, 7 of them gave the head as much
// validation accuracy as random crops, with nothing left to chance; more views than that are
// random resized crops (Inception style) with a random horizontal flip.
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

// Fixed views 1..kFixedViews: mirror image; centre crops keeping 87.5 %, 75 % and 60 % of each
// side, each then also mirrored. Small crops are left out: a cached view is seen in every epoch,
// so one that lost the subject would mislabel training data for the whole run.
inline constexpr int kFixedViews = 7;
Image FixedView(const Image& image, int view);  // 1 <= view <= kFixedViews

// The centred window keeping `side_share` (0, 1] of the width and of the height.
Image CentreCrop(const Image& image, float side_share);

// The window [left, left + width) x [top, top + height); it must lie inside the image.
Image CropWindow(const Image& image, int left, int top, int width, int height);
Image FlipHorizontally(const Image& image);

}  // namespace edgeforge::transfer
