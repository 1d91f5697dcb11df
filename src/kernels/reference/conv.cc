#include "kernels/reference/conv.h"

#include <algorithm>

#include "core/check.h"

namespace edgeforge::kernels::reference {

namespace {

struct ConvGeometry {
  int32_t batches, in_h, in_w, in_c;
  int32_t out_c, k_h, k_w, filter_in_c;
  int32_t out_h, out_w;
  int32_t groups, out_c_per_group;
};

ConvGeometry CheckedGeometry(const Shape& input_shape, const Shape& filter_shape,
                             const Shape& output_shape) {
  EF_CHECK_EQ(input_shape.size(), 4u);
  EF_CHECK_EQ(filter_shape.size(), 4u);
  EF_CHECK_EQ(output_shape.size(), 4u);
  ConvGeometry g{};
  g.batches = input_shape[0];
  g.in_h = input_shape[1];
  g.in_w = input_shape[2];
  g.in_c = input_shape[3];
  g.out_c = filter_shape[0];
  g.k_h = filter_shape[1];
  g.k_w = filter_shape[2];
  g.filter_in_c = filter_shape[3];
  g.out_h = output_shape[1];
  g.out_w = output_shape[2];
  EF_CHECK_EQ(output_shape[0], g.batches);
  EF_CHECK_EQ(output_shape[3], g.out_c);
  EF_CHECK_GT(g.filter_in_c, 0);
  EF_CHECK_EQ(g.in_c % g.filter_in_c, 0);
  g.groups = g.in_c / g.filter_in_c;
  EF_CHECK_EQ(g.out_c % g.groups, 0);
  g.out_c_per_group = g.out_c / g.groups;
  return g;
}

// Calls tap(input_offset, filter_offset) for every in-bounds tap of output (b, oy, ox, oc).
template <typename Tap>
void ForEachTap(const ConvParams& p, const ConvGeometry& g, int32_t b, int32_t oy, int32_t ox,
                int32_t oc, Tap&& tap) {
  const int32_t group = oc / g.out_c_per_group;
  const int32_t in_y0 = oy * p.stride_h - p.pad_top;
  const int32_t in_x0 = ox * p.stride_w - p.pad_left;
  for (int32_t ky = 0; ky < g.k_h; ++ky) {
    const int32_t iy = in_y0 + ky * p.dilation_h;
    if (iy < 0 || iy >= g.in_h) continue;
    for (int32_t kx = 0; kx < g.k_w; ++kx) {
      const int32_t ix = in_x0 + kx * p.dilation_w;
      if (ix < 0 || ix >= g.in_w) continue;
      const int64_t in_base =
          ((static_cast<int64_t>(b) * g.in_h + iy) * g.in_w + ix) * g.in_c + group * g.filter_in_c;
      const int64_t filter_base = ((static_cast<int64_t>(oc) * g.k_h + ky) * g.k_w + kx) * g.filter_in_c;
      for (int32_t ic = 0; ic < g.filter_in_c; ++ic) tap(in_base + ic, filter_base + ic);
    }
  }
}

template <typename T>
void ConvQuantized(const ConvParams& params, const LinearQuantization& quant,
                   const Shape& input_shape, const T* input, const Shape& filter_shape,
                   const T* filter, const int32_t* bias, const Shape& output_shape, T* output) {
  const ConvGeometry g = CheckedGeometry(input_shape, filter_shape, output_shape);
  int64_t out_index = 0;
  for (int32_t b = 0; b < g.batches; ++b) {
    for (int32_t oy = 0; oy < g.out_h; ++oy) {
      for (int32_t ox = 0; ox < g.out_w; ++ox) {
        for (int32_t oc = 0; oc < g.out_c; ++oc) {
          // int64 then truncated: the same bits as the runtime's wrapping int32 sums.
          int64_t acc = bias != nullptr ? bias[oc] : 0;
          ForEachTap(params, g, b, oy, ox, oc, [&](int64_t in_i, int64_t f_i) {
            acc += (static_cast<int32_t>(input[in_i]) - quant.input_zero_point) *
                   (static_cast<int32_t>(filter[f_i]) - quant.filter_zero_point);
          });
          output[out_index++] =
              static_cast<T>(Requantize(quant.output, static_cast<int32_t>(acc), oc));
        }
      }
    }
  }
}

}  // namespace

void ConvFloat32(const ConvParams& params, FloatRange clamp, const Shape& input_shape,
                 const float* input, const Shape& filter_shape, const float* filter,
                 const float* bias, const Shape& output_shape, float* output) {
  const ConvGeometry g = CheckedGeometry(input_shape, filter_shape, output_shape);
  int64_t out_index = 0;
  for (int32_t b = 0; b < g.batches; ++b) {
    for (int32_t oy = 0; oy < g.out_h; ++oy) {
      for (int32_t ox = 0; ox < g.out_w; ++ox) {
        for (int32_t oc = 0; oc < g.out_c; ++oc) {
          float acc = bias != nullptr ? bias[oc] : 0.0f;
          ForEachTap(params, g, b, oy, ox, oc,
                     [&](int64_t in_i, int64_t f_i) { acc += input[in_i] * filter[f_i]; });
          output[out_index++] = std::min(std::max(acc, clamp.min), clamp.max);
        }
      }
    }
  }
}

void ConvUint8(const ConvParams& params, const LinearQuantization& quant, const Shape& input_shape,
               const uint8_t* input, const Shape& filter_shape, const uint8_t* filter,
               const int32_t* bias, const Shape& output_shape, uint8_t* output) {
  ConvQuantized(params, quant, input_shape, input, filter_shape, filter, bias, output_shape, output);
}

void ConvPerChannelInt8(const ConvParams& params, const LinearQuantization& quant,
                        const Shape& input_shape, const int8_t* input, const Shape& filter_shape,
                        const int8_t* filter, const int32_t* bias, const Shape& output_shape,
                        int8_t* output) {
  ConvQuantized(params, quant, input_shape, input, filter_shape, filter, bias, output_shape, output);
}

}  // namespace edgeforge::kernels::reference
