#include "kernels/optimized/f32_conv.h"

#include <algorithm>

#include "core/check.h"
#include "core/cpu_features.h"

namespace edgeforge::kernels::optimized {

namespace {

constexpr size_t kAlign = 64;
size_t AlignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

// Short runs (a stem's 3-channel taps) are copied inline: a libc call each costs more.
inline void CopyFloats(const float* src, int32_t n, float* dst) {
  for (int32_t i = 0; i < n; ++i) dst[i] = src[i];
}
inline void ZeroFloats(int32_t n, float* dst) {
  for (int32_t i = 0; i < n; ++i) dst[i] = 0.0f;
}

// The im2col row of output pixel `at` (taps in the filter's (ky, kx, ic) order) into
// dst[0, k); padded taps are 0.
void GatherRow(const ConvGeometry& g, const float* input, const OutputPixelCursor& at, float* dst) {
  const int32_t iy0 = at.iy0(g);
  const int32_t ix0 = at.ix0(g);
  const float* image = input + static_cast<int64_t>(at.batch) * g.in_h * g.in_w * g.in_c;
  const int32_t row_taps = g.k_w * g.in_c;
  const bool whole_rows = g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w;
  for (int32_t ky = 0; ky < g.k_h; ++ky, dst += row_taps) {
    const int32_t iy = iy0 + ky * g.dilation_h;
    if (iy < 0 || iy >= g.in_h) {
      ZeroFloats(row_taps, dst);
      continue;
    }
    const float* line = image + static_cast<int64_t>(iy) * g.in_w * g.in_c;
    if (whole_rows) {
      CopyFloats(line + static_cast<int64_t>(ix0) * g.in_c, row_taps, dst);
      continue;
    }
    for (int32_t kx = 0; kx < g.k_w; ++kx) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      if (ix < 0 || ix >= g.in_w) {
        ZeroFloats(g.in_c, dst + kx * g.in_c);
      } else {
        CopyFloats(line + static_cast<int64_t>(ix) * g.in_c, g.in_c, dst + kx * g.in_c);
      }
    }
  }
}

}  // namespace

void GatherF32Rows(const ConvGeometry& g, const float* input, int64_t m_begin, int64_t m_end,
                   float* a) {
  OutputPixelCursor at(g, m_begin);
  for (int64_t m = m_begin; m < m_end; ++m, at.Advance(g)) {
    GatherRow(g, input, at, a + (m - m_begin) * g.k());
  }
}

F32GatherRowsFn BestF32GatherRows() {
  return core::IsaAvailable(core::Isa::kAvx512) ? GatherF32RowsAvx512 : GatherF32Rows;
}

void F32Conv::Prepare(const ConvGeometry& geometry, const float* filter, const float* bias,
                      reference::FloatRange clamp, const F32GemmKernel& kernel, int num_threads) {
  geometry_ = geometry;
  clamp_ = clamp;
  kernel_ = &kernel;
  const int32_t n = geometry.n();
  const int32_t k = geometry.k();
  EF_CHECK_GT(n, 0);
  panels_ = (n + kPanelWidth - 1) / kPanelWidth;
  const size_t panel_floats = static_cast<size_t>(k) * kPanelWidth;
  b_.Resize(sizeof(float) * panel_floats * static_cast<size_t>(panels_));
  float* b = b_.as<float>();
  for (int32_t c = 0; c < n; ++c) {
    float* panel = b + static_cast<size_t>(c / kPanelWidth) * panel_floats + c % kPanelWidth;
    for (int32_t t = 0; t < k; ++t) panel[static_cast<size_t>(t) * kPanelWidth] = filter[static_cast<int64_t>(c) * k + t];
  }
  bias_.assign(static_cast<size_t>(panels_) * kPanelWidth, 0.0f);
  if (bias != nullptr) std::copy(bias, bias + n, bias_.begin());

  const size_t row_bytes = sizeof(float) * static_cast<size_t>(k);
  split_ = PlanGemmWork(geometry.m(), panels_, row_bytes, num_threads);
  slot_bytes_ = geometry.is_pointwise()
                    ? 0
                    : AlignUp(row_bytes * static_cast<size_t>(split_.rows_per_block) + kGatherSlack);
  gather_rows_ = BestF32GatherRows();
}

void F32Conv::Run(const float* input, float* output, void* scratch, core::ThreadPool& pool) const {
  EF_CHECK(kernel_ != nullptr);
  auto* slots = static_cast<float*>(scratch);
  pool.ParallelFor(split_.tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) RunTask(t, input, output, slots);
  });
}

void F32Conv::RunTask(int64_t task, const float* input, float* output, float* scratch) const {
  const int64_t m0 = split_.row_begin(task);
  const int64_t m1 = std::min(geometry_.m(), m0 + split_.rows_per_block);
  const int32_t panel0 = split_.panel_begin(task);
  const int32_t panel1 = std::min(panels_, panel0 + split_.panels_per_split);
  if (m0 >= m1 || panel0 >= panel1) return;

  const int32_t n = geometry_.n();
  const int32_t k = geometry_.k();
  F32GemmBlock block;
  if (slot_bytes_ == 0) {
    block.a = input + m0 * k;  // pointwise: input rows are A's rows
  } else {
    float* a = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(scratch) +
                                        static_cast<size_t>(task) * slot_bytes_);
    gather_rows_(geometry_, input, m0, m1, a);
    block.a = a;
  }
  const int32_t col0 = panel0 * kPanelWidth;
  block.rows = static_cast<int32_t>(m1 - m0);
  block.cols = std::min(n, panel1 * kPanelWidth) - col0;
  block.k = k;
  block.a_stride = static_cast<size_t>(k);
  block.b = b_.as<float>() + static_cast<size_t>(panel0) * k * kPanelWidth;
  block.b_panel_stride = static_cast<size_t>(k) * kPanelWidth;
  block.bias = bias_.data() + col0;
  block.min = clamp_.min;
  block.max = clamp_.max;
  block.c = output + m0 * n + col0;
  block.c_stride = static_cast<size_t>(n);
  kernel_->fn(block);
}

}  // namespace edgeforge::kernels::optimized
