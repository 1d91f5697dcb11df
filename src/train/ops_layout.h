// How GraphModule lays out the IR's NHWC tensors in ATen: a rank-4 tensor [N, H, W, C] is held
// as the NCHW-sized tensor [N, C, H, W] in channels_last memory (the same bytes, so an NHWC batch
// becomes one with a permute and no copy, and convolutions take oneDNN's path); tensors of every
// other rank keep their IR dimension order. Helpers here translate axes and shapes between the
// two views.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "edgeforge/types.h"
#include "ir/tensor.h"

namespace edgeforge::train::internal {

// Rank-4 IR tensors are images and live permuted; everything else keeps IR order.
inline bool IsImageRank(size_t rank) { return rank == 4; }

// NHWC axis of a rank-4 tensor -> its dimension in the NCHW-sized ATen tensor.
inline int64_t NhwcAxisToTorch(int64_t axis) {
  static constexpr int64_t kMap[4] = {0, 2, 3, 1};
  return kMap[axis];
}
// Inverse of NhwcAxisToTorch.
inline int64_t TorchDimToNhwc(int64_t dim) {
  static constexpr int64_t kMap[4] = {0, 3, 1, 2};
  return kMap[dim];
}

// An axis of a tensor of IR rank `rank` (negative counts from the end) as the ATen dimension.
inline int64_t IrAxisToTorch(int64_t axis, size_t rank) {
  if (axis < 0) axis += static_cast<int64_t>(rank);
  return IsImageRank(rank) ? NhwcAxisToTorch(axis) : axis;
}

// A tensor in IR dimension order -> GraphModule's layout (view; permuted for rank 4).
inline torch::Tensor FromIrOrder(const torch::Tensor& t) {
  return t.dim() == 4 ? t.permute({0, 3, 1, 2}) : t;
}
// GraphModule's layout -> IR dimension order (view; permuted for rank 4).
inline torch::Tensor ToIrOrder(const torch::Tensor& t) {
  return t.dim() == 4 ? t.permute({0, 2, 3, 1}) : t;
}

inline std::vector<int64_t> ToSizes(const Shape& shape) {
  return std::vector<int64_t>(shape.begin(), shape.end());
}

// A float32 constant of the IR as a CPU float32 tensor of its IR shape (a copy: the IR's bytes
// may be a read-only mapped file, and may be unaligned).
inline torch::Tensor ConstantToTorch(const ir::Tensor& t) {
  torch::Tensor out = torch::empty(ToSizes(t.shape), torch::kFloat32);
  std::memcpy(out.data_ptr(), t.data.data(), static_cast<size_t>(out.numel()) * sizeof(float));
  return out;
}

// Integer constant values (int32 or int64) as int64, e.g. MEAN axes, PAD paddings.
inline std::vector<int64_t> ConstantInts(const ir::Tensor& t) {
  std::vector<int64_t> out;
  if (t.dtype == DType::kInt32) {
    for (int32_t v : t.values<int32_t>()) out.push_back(v);
  } else if (t.dtype == DType::kInt64) {
    for (int64_t v : t.values<int64_t>()) out.push_back(v);
  }
  return out;
}

}  // namespace edgeforge::train::internal
