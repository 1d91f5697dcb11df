#include "kernels/reference/broadcast.h"

#include "core/check.h"

namespace edgeforge::kernels::reference {

namespace {
constexpr size_t kMaxRank = 16;  // ForEachBroadcastElement's odometer size

// The dimension of `shape` aligned with output dimension d (1 where `shape` has fewer dims).
int32_t AlignedDim(const Shape& shape, size_t rank, size_t d) {
  const size_t missing = rank - shape.size();
  return d < missing ? 1 : shape[d - missing];
}
}  // namespace

bool BroadcastsTo(const Shape& a, const Shape& b, const Shape& output_shape) {
  const size_t rank = output_shape.size();
  if (a.size() > rank || b.size() > rank || rank > kMaxRank) return false;
  for (size_t d = 0; d < rank; ++d) {
    const int32_t da = AlignedDim(a, rank, d);
    const int32_t db = AlignedDim(b, rank, d);
    const int32_t out = output_shape[d];
    if ((da != out && da != 1) || (db != out && db != 1)) return false;
    if (out != (da == 1 ? db : da)) return false;
  }
  return true;
}

BroadcastLayout MakeBroadcastLayout(const Shape& a, const Shape& b, const Shape& output_shape) {
  EF_CHECK(BroadcastsTo(a, b, output_shape));
  const size_t rank = output_shape.size();
  BroadcastLayout layout;
  layout.output_shape = output_shape;
  layout.a_strides.assign(rank, 0);
  layout.b_strides.assign(rank, 0);
  int64_t a_stride = 1;
  int64_t b_stride = 1;
  for (size_t d = rank; d-- > 0;) {
    const int32_t da = AlignedDim(a, rank, d);
    const int32_t db = AlignedDim(b, rank, d);
    layout.a_strides[d] = da == 1 ? 0 : a_stride;
    layout.b_strides[d] = db == 1 ? 0 : b_stride;
    a_stride *= da;
    b_stride *= db;
  }
  return layout;
}

}  // namespace edgeforge::kernels::reference
