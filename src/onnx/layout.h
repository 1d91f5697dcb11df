// NHWC (TFLite) versus NCHW (ONNX convolutions): the permutations and the axis mapping.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgeforge::onnx_export {

// Transpose perms: output dim i is input dim perm[i].
inline const std::vector<int64_t> kNhwcToNchw = {0, 3, 1, 2};
inline const std::vector<int64_t> kNchwToNhwc = {0, 2, 3, 1};

// Where a TFLite (NHWC) axis of a rank-4 tensor lives in its NCHW ONNX form.
inline int64_t NchwAxis(int64_t nhwc_axis) {
  static constexpr std::array<int64_t, 4> kMap = {0, 2, 3, 1};
  return kMap[static_cast<std::size_t>(nhwc_axis)];
}

// A possibly negative axis made non-negative; -1 when out of range.
inline int64_t NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0) axis += rank;
  return (axis >= 0 && axis < rank) ? axis : -1;
}

}  // namespace edgeforge::onnx_export
