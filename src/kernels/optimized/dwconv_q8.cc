// QuantizedDepthwiseConv::Create and the portable plan ("qs8_dwconv_c1__portable"): any depth
// multiplier, either output stage, no scratch. Per output pixel and block of channels it
// accumulates channel rows (acc[c] += (x[c] - z_in) * w'[c], a loop compilers vectorize) in a
// small stack array, with the border handled by skipping out-of-range taps once per pixel
// rather than per channel.
#include <algorithm>
#include <vector>

#include "kernels/optimized/dw_common.h"
#include "kernels/optimized/dwconv.h"
#include "kernels/optimized/dwconv_q8_quads_plan.h"

namespace edgeforge::kernels::optimized {

namespace {


class PortableDepthwise final : public QuantizedDepthwiseConv {
 public:
  PortableDepthwise(const QuantizedDepthwiseSpec& spec, int num_threads)
      : g_(spec.geometry), is_uint8_(spec.is_uint8), input_zero_point_(spec.input_zero_point) {
    out_channels_ = g_.channels * g_.depth_multiplier;
    const int64_t weights = static_cast<int64_t>(g_.kernel_h) * g_.kernel_w * out_channels_;
    weights_.resize(static_cast<size_t>(weights));
    for (int64_t i = 0; i < weights; ++i) {
      const int32_t raw = is_uint8_ ? static_cast<const uint8_t*>(spec.filter)[i]
                                    : static_cast<const int8_t*>(spec.filter)[i];
      weights_[static_cast<size_t>(i)] = static_cast<int16_t>(raw - spec.filter_zero_point);
    }
    bias_.assign(static_cast<size_t>(out_channels_), 0);
    if (spec.bias != nullptr) bias_.assign(spec.bias, spec.bias + out_channels_);
    stage_ = spec.output;
    float_scale_ = stage_.scheme == reference::OutputStage::Scheme::kXnnpackFloatScale;
    if (stage_.scale != nullptr) {
      scales_.assign(stage_.scale, stage_.scale + out_channels_);
      stage_.scale = scales_.data();
    }
    if (stage_.multiplier != nullptr) {
      multipliers_.assign(stage_.multiplier, stage_.multiplier + out_channels_);
      stage_.multiplier = multipliers_.data();
    }
    split_ = dw::ChooseWorkSplit(static_cast<int64_t>(g_.batches) * g_.out_h, 1, num_threads);
  }

  const char* name() const override {
    return is_uint8_ ? "qu8_dwconv_c1__portable" : "qs8_dwconv_c1__portable";
  }
  size_t scratch_bytes() const override { return 0; }

  void Run(const void* input, void* output, void*, core::ThreadPool& pool) const override {
    pool.ParallelFor(split_.tasks(), 1, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        if (is_uint8_) {
          RunTask(static_cast<int32_t>(t), static_cast<const uint8_t*>(input),
                  static_cast<uint8_t*>(output));
        } else {
          RunTask(static_cast<int32_t>(t), static_cast<const int8_t*>(input),
                  static_cast<int8_t*>(output));
        }
      }
    });
  }

 private:
  // Accumulators for this many output channels live on the stack.
  static constexpr int32_t kBlock = 256;

  // The accumulator is unsigned: it wraps modulo 2^32 like the runtime's int32 one, without
  // signed overflow.
  template <typename T>
  void RunTask(int32_t task, const T* input, T* output) const {
    const dw::Range rows =
        dw::PartOf(static_cast<int64_t>(g_.batches) * g_.out_h, split_.row_parts, task);
    const int32_t C = g_.channels, M = g_.depth_multiplier, Co = out_channels_;
    const int32_t zx = input_zero_point_;
    uint32_t acc[kBlock];
    for (int64_t r = rows.begin; r < rows.end; ++r) {
      const int64_t batch = r / g_.out_h;
      const int32_t oy = static_cast<int32_t>(r % g_.out_h);
      T* out = output + r * g_.out_w * Co;
      for (int32_t ox = 0; ox < g_.out_w; ++ox, out += Co) {
        // Output channels [c0, c0 + n) read input channels [c0 / M, (c0 + n) / M).
        for (int32_t c0 = 0; c0 < Co; c0 += kBlock) {
          const int32_t n = std::min(kBlock, Co - c0);
          for (int32_t c = 0; c < n; ++c) acc[c] = static_cast<uint32_t>(bias_[static_cast<size_t>(c0 + c)]);
          for (int32_t ky = 0; ky < g_.kernel_h; ++ky) {
            const int32_t iy = oy * g_.stride_h - g_.pad_top + ky * g_.dilation_h;
            if (iy < 0 || iy >= g_.in_h) continue;
            for (int32_t kx = 0; kx < g_.kernel_w; ++kx) {
              const int32_t ix = ox * g_.stride_w - g_.pad_left + kx * g_.dilation_w;
              if (ix < 0 || ix >= g_.in_w) continue;
              const T* x = input + ((batch * g_.in_h + iy) * g_.in_w + ix) * C;
              const int16_t* w =
                  weights_.data() + (static_cast<int64_t>(ky) * g_.kernel_w + kx) * Co + c0;
              if (M == 1) {
                x += c0;
                for (int32_t c = 0; c < n; ++c) {
                  acc[c] += static_cast<uint32_t>((static_cast<int32_t>(x[c]) - zx) * w[c]);
                }
              } else {
                for (int32_t c = 0; c < n; ++c) {
                  const int32_t xv = static_cast<int32_t>(x[(c0 + c) / M]) - zx;
                  acc[c] += static_cast<uint32_t>(xv * w[c]);
                }
              }
            }
          }
          if (float_scale_) {
            RequantizeBlock(acc, scales_.data() + c0, n, out + c0);
          } else {
            for (int32_t c = 0; c < n; ++c) {
              out[c0 + c] = static_cast<T>(
                  reference::Requantize(stage_, static_cast<int32_t>(acc[c]), c0 + c));
            }
          }
        }
      }
    }
  }

  // reference::RequantizeWithFloatScale in a form compilers vectorize: clamp in float as the
  // reference does, then round to nearest even by adding and subtracting 1.5 * 2^23 (exact for
  // |v| < 2^22, which the clamp guarantees), which is what lrintf does in the default mode.
  template <typename T>
  void RequantizeBlock(const uint32_t* acc, const float* scale, int32_t n, T* out) const {
    constexpr float kRound = 12582912.0f;  // 1.5 * 2^23
    const float lo = static_cast<float>(stage_.min - stage_.zero_point);
    const float hi = static_cast<float>(stage_.max - stage_.zero_point);
    const int32_t zero_point = stage_.zero_point;
    for (int32_t c = 0; c < n; ++c) {
      float v = static_cast<float>(static_cast<int32_t>(acc[c])) * scale[c];
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      const float rounded = (v + kRound) - kRound;
      out[c] = static_cast<T>(static_cast<int32_t>(rounded) + zero_point);
    }
  }

  DepthwiseGeometry g_;
  bool is_uint8_;
  int32_t input_zero_point_;
  int32_t out_channels_ = 0;
  std::vector<int16_t> weights_;  // w - z_w, [kh][kw][C * M]
  std::vector<int32_t> bias_;
  std::vector<float> scales_;
  std::vector<reference::QuantizedMultiplier> multipliers_;
  reference::OutputStage stage_;
  bool float_scale_ = false;
  dw::WorkSplit split_;
};

}  // namespace

std::unique_ptr<QuantizedDepthwiseConv> QuantizedDepthwiseConv::Create(
    const QuantizedDepthwiseSpec& spec, core::Isa isa, int num_threads) {
  num_threads = std::max(1, num_threads);
  if (auto quads = CreateQuadsDepthwise(spec, dw::UsableIsa(isa), num_threads)) return quads;
  return std::make_unique<PortableDepthwise>(spec, num_threads);
}

}  // namespace edgeforge::kernels::optimized
