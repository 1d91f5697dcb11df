// FloatDepthwiseConv::Create and its plans:
//   - "f32_dwconv_16c__avx512" (depth multiplier 1): weights packed in blocks of 16 channels,
//     rows outside the image read a zero row owned by the plan. Each kernel call takes up to
//     f32_dwconv_16c__avx512_rows output rows (4 for 3x3) so that they share input rows; the
//     loop order (channel blocks inner or outer) is chosen here from the layer's size.
//   - "f32_dwconv_c1__portable" (any depth multiplier): the reference's arithmetic in the
//     reference's order (bias, then taps row by row), vectorized over channels by the compiler,
//     so its results equal the reference's.
#include <algorithm>
#include <vector>

#include "kernels/optimized/dw_common.h"
#include "kernels/optimized/dwconv.h"
#include "kernels/optimized/dwconv_f32_kernels.h"

namespace edgeforge::kernels::optimized {

namespace {

using dw::AlignedBytes;
using dw::RoundUp64;
namespace kf = dwconv_f32;

constexpr int kMaxRowPointers = 64;  // kernel_h <= 64; several rows per call need at most 16

class Avx512FloatDepthwise final : public FloatDepthwiseConv {
 public:
  Avx512FloatDepthwise(const FloatDepthwiseSpec& spec, int num_threads) : g_(spec.geometry), clamp_(spec.clamp) {
    const int32_t C = g_.channels;
    blocks_ = (C + kf::kBlock - 1) / kf::kBlock;
    const int32_t taps = g_.kernel_h * g_.kernel_w;
    weights_ = AlignedBytes(sizeof(float) * blocks_ * taps * kf::kBlock);
    bias_ = AlignedBytes(sizeof(float) * blocks_ * kf::kBlock);
    for (int32_t c = 0; c < C; ++c) {
      const int32_t block = c / kf::kBlock, lane = c % kf::kBlock;
      for (int32_t t = 0; t < taps; ++t) {
        weights_.as<float>()[(static_cast<int64_t>(block) * taps + t) * kf::kBlock + lane] =
            spec.filter[static_cast<int64_t>(t) * C + c];
      }
      bias_.as<float>()[c] = spec.bias != nullptr ? spec.bias[c] : 0.0f;
    }
    zero_row_ = AlignedBytes(sizeof(float) * g_.in_w * C + 64);
    split_ = dw::ChooseWorkSplit(static_cast<int64_t>(g_.batches) * g_.out_h, blocks_, num_threads);
    // Consecutive output rows share input rows only without vertical dilation.
    if (g_.dilation_h == 1) {
      rows_per_call_ = kf::f32_dwconv_16c__avx512_rows(g_.kernel_h, g_.kernel_w, g_.stride_h,
                                                       g_.stride_w, g_.dilation_w);
    }
    // Measured on MobileNetV2 shapes (bench/dwconv_bench.cc): channel blocks innermost win by
    // 15-40% once input + output outgrow L2 (2 MiB per core here) and at stride 2, and lose
    // 10-15% on L2-resident stride-1 layers, whose weights then stay in registers.
    // One image's input + output (images run one after another).
    const int64_t pixels = static_cast<int64_t>(g_.in_h) * g_.in_w + static_cast<int64_t>(g_.out_h) * g_.out_w;
    const int64_t bytes = static_cast<int64_t>(sizeof(float)) * g_.channels * pixels;
    blocks_inner_ = g_.stride_w > 1 || bytes > (int64_t{2} << 20);
  }

  const char* name() const override { return "f32_dwconv_16c__avx512"; }
  size_t scratch_bytes() const override { return 0; }

  void Run(const float* input, float* output, void*, core::ThreadPool& pool) const override {
    pool.ParallelFor(split_.tasks(), 1, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) RunTask(static_cast<int32_t>(t), input, output);
    });
  }

 private:
  void RunTask(int32_t task, const float* input, float* output) const {
    const dw::Range rows = dw::PartOf(static_cast<int64_t>(g_.batches) * g_.out_h,
                                      split_.row_parts, task / split_.chunk_parts);
    const dw::Range blocks = dw::PartOf(blocks_, split_.chunk_parts, task % split_.chunk_parts);
    const int64_t row_floats = static_cast<int64_t>(g_.in_w) * g_.channels;
    const float* row_ptrs[kMaxRowPointers];
    kf::RowArgs a;
    a.rows = row_ptrs;
    a.stride_h = g_.stride_h;
    a.output_row_stride = static_cast<int64_t>(g_.out_w) * g_.channels;
    a.kernel_h = g_.kernel_h;
    a.kernel_w = g_.kernel_w;
    a.in_w = g_.in_w;
    a.channels = g_.channels;
    a.out_w = g_.out_w;
    a.stride_w = g_.stride_w;
    a.dilation_w = g_.dilation_w;
    a.pad_left = g_.pad_left;
    a.block_begin = static_cast<int32_t>(blocks.begin);
    a.block_end = static_cast<int32_t>(blocks.end);
    a.weights = weights_.as<float>();
    a.bias = bias_.as<float>();
    a.min = clamp_.min;
    a.max = clamp_.max;
    a.blocks_inner = blocks_inner_;
    // Up to rows_per_call_ output rows of one image per call, so that the kernel loads each
    // input row once for all of them.
    for (int64_t r = rows.begin; r < rows.end;) {
      const int64_t batch = r / g_.out_h;
      const int32_t oy = static_cast<int32_t>(r % g_.out_h);
      const int64_t n = std::min<int64_t>({rows_per_call_, rows.end - r, g_.out_h - oy});
      a.out_rows = static_cast<int32_t>(n);
      const int32_t rows_in = (a.out_rows - 1) * g_.stride_h + g_.kernel_h;
      for (int32_t i = 0; i < rows_in; ++i) {
        // Several rows per call only without dilation, so i * dilation_h covers both cases.
        const int64_t iy =
            static_cast<int64_t>(oy) * g_.stride_h - g_.pad_top + i * g_.dilation_h;
        row_ptrs[i] = iy >= 0 && iy < g_.in_h ? input + (batch * g_.in_h + iy) * row_floats
                                              : zero_row_.as<float>();
      }
      a.output_row = output + r * g_.out_w * g_.channels;
      kf::f32_dwconv_16c__avx512(a);
      r += n;
    }
  }

  DepthwiseGeometry g_;
  reference::FloatRange clamp_;
  int32_t blocks_ = 0;
  AlignedBytes weights_, bias_, zero_row_;
  dw::WorkSplit split_;
  int32_t rows_per_call_ = 1;
  bool blocks_inner_ = false;
};

class PortableFloatDepthwise final : public FloatDepthwiseConv {
 public:
  PortableFloatDepthwise(const FloatDepthwiseSpec& spec, int num_threads)
      : g_(spec.geometry), clamp_(spec.clamp) {
    out_channels_ = g_.channels * g_.depth_multiplier;
    weights_.assign(spec.filter,
                    spec.filter + static_cast<int64_t>(g_.kernel_h) * g_.kernel_w * out_channels_);
    bias_.assign(static_cast<size_t>(out_channels_), 0.0f);
    if (spec.bias != nullptr) bias_.assign(spec.bias, spec.bias + out_channels_);
    split_ = dw::ChooseWorkSplit(static_cast<int64_t>(g_.batches) * g_.out_h, 1, num_threads);
  }

  const char* name() const override { return "f32_dwconv_c1__portable"; }
  size_t scratch_bytes() const override { return 0; }

  void Run(const float* input, float* output, void*, core::ThreadPool& pool) const override {
    pool.ParallelFor(split_.tasks(), 1, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) RunTask(static_cast<int32_t>(t), input, output);
    });
  }

 private:
  void RunTask(int32_t task, const float* input, float* output) const {
    const dw::Range rows =
        dw::PartOf(static_cast<int64_t>(g_.batches) * g_.out_h, split_.row_parts, task);
    const int32_t C = g_.channels, M = g_.depth_multiplier, Co = out_channels_;
    for (int64_t r = rows.begin; r < rows.end; ++r) {
      const int64_t batch = r / g_.out_h;
      const int32_t oy = static_cast<int32_t>(r % g_.out_h);
      float* out = output + r * g_.out_w * Co;
      for (int32_t ox = 0; ox < g_.out_w; ++ox, out += Co) {
        // The output row doubles as the accumulator: bias first, then the taps in order.
        std::copy(bias_.begin(), bias_.end(), out);
        for (int32_t ky = 0; ky < g_.kernel_h; ++ky) {
          const int32_t iy = oy * g_.stride_h - g_.pad_top + ky * g_.dilation_h;
          if (iy < 0 || iy >= g_.in_h) continue;
          for (int32_t kx = 0; kx < g_.kernel_w; ++kx) {
            const int32_t ix = ox * g_.stride_w - g_.pad_left + kx * g_.dilation_w;
            if (ix < 0 || ix >= g_.in_w) continue;
            const float* x = input + ((batch * g_.in_h + iy) * g_.in_w + ix) * C;
            const float* w = weights_.data() + (static_cast<int64_t>(ky) * g_.kernel_w + kx) * Co;
            if (M == 1) {
              for (int32_t c = 0; c < C; ++c) out[c] += x[c] * w[c];
            } else {
              for (int32_t ic = 0; ic < C; ++ic) {
                for (int32_t m = 0; m < M; ++m) out[ic * M + m] += x[ic] * w[ic * M + m];
              }
            }
          }
        }
        for (int32_t c = 0; c < Co; ++c) out[c] = std::min(std::max(out[c], clamp_.min), clamp_.max);
      }
    }
  }

  DepthwiseGeometry g_;
  reference::FloatRange clamp_;
  int32_t out_channels_ = 0;
  std::vector<float> weights_, bias_;
  dw::WorkSplit split_;
};

}  // namespace

std::unique_ptr<FloatDepthwiseConv> FloatDepthwiseConv::Create(const FloatDepthwiseSpec& spec,
                                                               core::Isa isa, int num_threads) {
  num_threads = std::max(1, num_threads);
  const DepthwiseGeometry& g = spec.geometry;
  if (dw::AtLeast(dw::UsableIsa(isa), core::Isa::kAvx512) && g.depth_multiplier == 1 &&
      g.kernel_h <= kMaxRowPointers) {
    return std::make_unique<Avx512FloatDepthwise>(spec, num_threads);
  }
  return std::make_unique<PortableFloatDepthwise>(spec, num_threads);
}

}  // namespace edgeforge::kernels::optimized
