#include "kernels/reference/pooling.h"

#include <algorithm>
#include <limits>

#include "core/check.h"

namespace edgeforge::kernels::reference {

namespace {

// Calls per_window(output_index, channel, window) for every output element, where window(f)
// calls f(input_value) for each in-bounds tap.
template <typename T, typename PerWindow>
void ForEachWindow(const PoolParams& p, const Shape& input_shape, const T* input,
                   const Shape& output_shape, PerWindow&& per_window) {
  EF_CHECK_EQ(input_shape.size(), 4u);
  EF_CHECK_EQ(output_shape.size(), 4u);
  const int32_t batches = input_shape[0], in_h = input_shape[1], in_w = input_shape[2];
  const int32_t depth = input_shape[3];
  const int32_t out_h = output_shape[1], out_w = output_shape[2];
  EF_CHECK_EQ(output_shape[0], batches);
  EF_CHECK_EQ(output_shape[3], depth);
  int64_t out_index = 0;
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t oy = 0; oy < out_h; ++oy) {
      const int32_t y0 = oy * p.stride_h - p.pad_top;
      const int32_t y_begin = std::max(y0, 0);
      const int32_t y_end = std::min(y0 + p.filter_h, in_h);
      for (int32_t ox = 0; ox < out_w; ++ox) {
        const int32_t x0 = ox * p.stride_w - p.pad_left;
        const int32_t x_begin = std::max(x0, 0);
        const int32_t x_end = std::min(x0 + p.filter_w, in_w);
        for (int32_t c = 0; c < depth; ++c) {
          auto window = [&](auto&& f) {
            for (int32_t y = y_begin; y < y_end; ++y) {
              for (int32_t x = x_begin; x < x_end; ++x) {
                f(input[((static_cast<int64_t>(b) * in_h + y) * in_w + x) * depth + c]);
              }
            }
          };
          per_window(out_index++, window);
        }
      }
    }
  }
}

int32_t ClampTo(int32_t v, QuantizedRange r) { return std::min(std::max(v, r.min), r.max); }

template <typename T>
void MaxPoolQuantized(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                      const T* input, const Shape& output_shape, T* output) {
  ForEachWindow(params, input_shape, input, output_shape, [&](int64_t o, auto&& window) {
    int32_t max = std::numeric_limits<int32_t>::min();
    window([&](T v) { max = std::max(max, static_cast<int32_t>(v)); });
    output[o] = static_cast<T>(ClampTo(max, clamp));
  });
}

}  // namespace

void AveragePoolFloat32(const PoolParams& params, FloatRange clamp, const Shape& input_shape,
                        const float* input, const Shape& output_shape, float* output) {
  ForEachWindow(params, input_shape, input, output_shape, [&](int64_t o, auto&& window) {
    float sum = 0.0f;
    int32_t count = 0;
    window([&](float v) {
      sum += v;
      ++count;
    });
    const float average = count > 0 ? sum / static_cast<float>(count) : 0.0f;
    output[o] = std::min(std::max(average, clamp.min), clamp.max);
  });
}

void AveragePoolUint8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                      const uint8_t* input, const Shape& output_shape, uint8_t* output) {
  ForEachWindow(params, input_shape, input, output_shape, [&](int64_t o, auto&& window) {
    int32_t sum = 0;
    int32_t count = 0;
    window([&](uint8_t v) {
      sum += v;
      ++count;
    });
    const int32_t average = count > 0 ? (sum + count / 2) / count : 0;
    output[o] = static_cast<uint8_t>(ClampTo(average, clamp));
  });
}

void AveragePoolInt8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                     const int8_t* input, const Shape& output_shape, int8_t* output) {
  ForEachWindow(params, input_shape, input, output_shape, [&](int64_t o, auto&& window) {
    int32_t sum = 0;
    int32_t count = 0;
    window([&](int8_t v) {
      sum += v;
      ++count;
    });
    int32_t average = 0;
    if (count > 0) average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    output[o] = static_cast<int8_t>(ClampTo(average, clamp));
  });
}

void MaxPoolFloat32(const PoolParams& params, FloatRange clamp, const Shape& input_shape,
                    const float* input, const Shape& output_shape, float* output) {
  ForEachWindow(params, input_shape, input, output_shape, [&](int64_t o, auto&& window) {
    float max = -std::numeric_limits<float>::infinity();
    window([&](float v) { max = std::max(max, v); });
    output[o] = std::min(std::max(max, clamp.min), clamp.max);
  });
}

void MaxPoolUint8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                  const uint8_t* input, const Shape& output_shape, uint8_t* output) {
  MaxPoolQuantized(params, clamp, input_shape, input, output_shape, output);
}

void MaxPoolInt8(const PoolParams& params, QuantizedRange clamp, const Shape& input_shape,
                 const int8_t* input, const Shape& output_shape, int8_t* output) {
  MaxPoolQuantized(params, clamp, input_shape, input, output_shape, output);
}

}  // namespace edgeforge::kernels::reference
