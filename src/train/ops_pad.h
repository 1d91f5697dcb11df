// Spatial padding of an NCHW (channels_last) tensor for TF's uneven SAME split, differentiable.
// Unlike constant_pad_nd, which fills the whole output and then copies the input over it, only
// the border is filled (measured ~1.5x faster on the stride-2 layers of MobileNet / MnasNet),
// and the gradient is a view of the incoming one, not a copy.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace edgeforge::train::internal {

struct SpatialPads {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};

torch::Tensor PadSpatial(const torch::Tensor& x, const SpatialPads& pads, double value);

}  // namespace edgeforge::train::internal
