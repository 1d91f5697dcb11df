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

F32GatherRowsFn F32GatherRowsFor(const F32GemmKernel& kernel) {
  return kernel.isa >= core::Isa::kAvx512 && core::IsaAvailable(core::Isa::kAvx512)
             ? GatherF32RowsAvx512
             : GatherF32Rows;
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
  gather_rows_ = F32GatherRowsFor(kernel);
  // Pixels ox in [interior_begin_, interior_end_) have every filter column inside the image.
  implicit_rows_ = !geometry.is_pointwise() && geometry.dilation_w == 1 &&
                   geometry.k_h <= kMaxGemmSegments;
  interior_begin_ = (geometry.pad_left + geometry.stride_w - 1) / geometry.stride_w;
  interior_end_ = std::max<int64_t>(
      interior_begin_,
      std::min<int64_t>(geometry.out_w,
                        (geometry.in_w - geometry.k_w + geometry.pad_left) / geometry.stride_w + 1));
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

  const ConvGeometry& g = geometry_;
  const int32_t n = g.n();
  const int32_t k = g.k();
  const int32_t col0 = panel0 * kPanelWidth;
  F32GemmBlock block;
  block.cols = std::min(n, panel1 * kPanelWidth) - col0;
  block.b = b_.as<float>() + static_cast<size_t>(panel0) * k * kPanelWidth;
  block.b_panel_stride = static_cast<size_t>(k) * kPanelWidth;
  block.bias = bias_.data() + col0;
  block.min = clamp_.min;
  block.max = clamp_.max;
  block.c_stride = static_cast<size_t>(n);

  // Rows [first, last) as one im2col piece starting at `a`, rows a_stride apart.
  auto run_rows = [&](int64_t first, int64_t last, const float* a, size_t a_stride) {
    block.rows = static_cast<int32_t>(last - first);
    block.segments = 1;
    block.segment_k = k;
    block.a_segment[0] = a;
    block.a_stride = a_stride;
    block.c = output + first * n + col0;
    kernel_->fn(block);
  };
  if (slot_bytes_ == 0) {
    run_rows(m0, m1, input + m0 * k, static_cast<size_t>(k));  // pointwise: input rows are A
    return;
  }
  float* slot = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(scratch) +
                                         static_cast<size_t>(task) * slot_bytes_);
  auto run_gathered = [&](int64_t first, int64_t last) {
    if (first >= last) return;
    gather_rows_(g, input, first, last, slot);
    run_rows(first, last, slot, static_cast<size_t>(k));
  };
  if (!implicit_rows_) {
    run_gathered(m0, m1);
    return;
  }
  // Output row by output row: the pixels whose filter lies inside the image horizontally read
  // the input directly (one piece per filter row); the few others are gathered.
  const int64_t line_floats = static_cast<int64_t>(g.in_w) * g.in_c;
  for (int64_t m = m0; m < m1;) {
    const OutputPixelCursor at(g, m);
    const int64_t row_start = m - at.ox;  // pixel (at.batch, at.oy, 0)
    const int64_t end = std::min(m1, row_start + g.out_w);
    const int64_t inner_first = std::max(m, row_start + interior_begin_);
    const int64_t inner_last = std::min(end, row_start + interior_end_);
    if (inner_first >= inner_last) {
      run_gathered(m, end);
      m = end;
      continue;
    }
    run_gathered(m, inner_first);
    const float* image = input + static_cast<int64_t>(at.batch) * g.in_h * line_floats;
    const int32_t ix0 = static_cast<int32_t>(inner_first - row_start) * g.stride_w - g.pad_left;
    const int32_t iy0 = at.iy0(g);
    block.rows = static_cast<int32_t>(inner_last - inner_first);
    block.segments = g.k_h;
    block.segment_k = g.k_w * g.in_c;
    for (int32_t ky = 0; ky < g.k_h; ++ky) {
      const int32_t iy = iy0 + ky * g.dilation_h;
      block.a_segment[ky] = iy < 0 || iy >= g.in_h
                                ? nullptr
                                : image + iy * line_floats + static_cast<int64_t>(ix0) * g.in_c;
    }
    block.a_stride = static_cast<size_t>(g.stride_w) * g.in_c;
    block.c = output + inner_first * n + col0;
    kernel_->fn(block);
    run_gathered(inner_last, end);
    m = end;
  }
}

}  // namespace edgeforge::kernels::optimized
