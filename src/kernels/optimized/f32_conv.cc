#include "kernels/optimized/f32_conv.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"

namespace edgeforge::kernels::optimized {

namespace {

constexpr size_t kAlign = 64;
size_t AlignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

// im2col row m (taps in the filter's (ky, kx, ic) order) into dst[0, k); padded taps are 0.
void GatherRow(const ConvGeometry& g, const float* input, int64_t m, float* dst) {
  const int64_t pixels = static_cast<int64_t>(g.out_h) * g.out_w;
  const int32_t batch = static_cast<int32_t>(m / pixels);
  const int32_t oy = static_cast<int32_t>((m % pixels) / g.out_w);
  const int32_t ox = static_cast<int32_t>(m % g.out_w);
  const int32_t iy0 = oy * g.stride_h - g.pad_top;
  const int32_t ix0 = ox * g.stride_w - g.pad_left;
  const float* image = input + static_cast<int64_t>(batch) * g.in_h * g.in_w * g.in_c;
  const size_t tap_bytes = sizeof(float) * static_cast<size_t>(g.in_c);
  const bool whole_rows = g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w;
  for (int32_t ky = 0; ky < g.k_h; ++ky) {
    const int32_t iy = iy0 + ky * g.dilation_h;
    if (iy < 0 || iy >= g.in_h) {
      std::memset(dst, 0, tap_bytes * g.k_w);
      dst += static_cast<size_t>(g.k_w) * g.in_c;
      continue;
    }
    const float* line = image + static_cast<int64_t>(iy) * g.in_w * g.in_c;
    if (whole_rows) {
      std::memcpy(dst, line + static_cast<int64_t>(ix0) * g.in_c, tap_bytes * g.k_w);
      dst += static_cast<size_t>(g.k_w) * g.in_c;
      continue;
    }
    for (int32_t kx = 0; kx < g.k_w; ++kx, dst += g.in_c) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      if (ix < 0 || ix >= g.in_w) {
        std::memset(dst, 0, tap_bytes);
      } else {
        std::memcpy(dst, line + static_cast<int64_t>(ix) * g.in_c, tap_bytes);
      }
    }
  }
}

}  // namespace

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
  slot_bytes_ = geometry.is_pointwise() ? 0 : AlignUp(row_bytes * static_cast<size_t>(split_.rows_per_block));
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
    for (int64_t m = m0; m < m1; ++m) GatherRow(geometry_, input, m, a + (m - m0) * k);
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
