#include "runtime/ops/hybrid_input_quantization.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgeforge::runtime::ops::hybrid {

RowQuantization QuantizeAsymmetric(const float* values, int64_t count, int8_t* out) {
  RowQuantization r;
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  if (lo == hi) {
    std::memset(out, 0, static_cast<size_t>(count));
    return r;
  }
  constexpr double kQMin = -128, kQMax = 127;
  const double rmin = lo, rmax = hi;
  const double scale = (rmax - rmin) / (kQMax - kQMin);
  const double zp_from_min = kQMin - rmin / scale;
  const double zp_from_max = kQMax - rmax / scale;
  const double zp_from_min_error = std::abs(kQMin) + std::abs(rmin / scale);
  const double zp_from_max_error = std::abs(kQMax) + std::abs(rmax / scale);
  const double zp = zp_from_min_error < zp_from_max_error ? zp_from_min : zp_from_max;
  r.offset = zp <= kQMin ? -128 : zp >= kQMax ? 127 : static_cast<int32_t>(std::round(zp));
  r.scale = static_cast<float>(scale);
  const float inverse = 1.0f / r.scale;
  for (int64_t i = 0; i < count; ++i) {
    const int32_t q = static_cast<int32_t>(std::round(static_cast<float>(r.offset) + values[i] * inverse));
    out[i] = static_cast<int8_t>(std::clamp(q, -128, 127));
  }
  return r;
}

RowQuantization QuantizeSymmetric(const float* values, int64_t count, int8_t* out) {
  RowQuantization r;
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  const float range = std::max(std::fabs(lo), std::fabs(hi));
  if (range == 0) {
    std::memset(out, 0, static_cast<size_t>(count));
    return r;
  }
  r.scale = range / 127.0f;
  const float inverse = 127.0f / range;
  for (int64_t i = 0; i < count; ++i) {
    const int32_t q = static_cast<int32_t>(std::round(values[i] * inverse));
    out[i] = static_cast<int8_t>(std::clamp(q, -127, 127));
  }
  return r;
}

}  // namespace edgeforge::runtime::ops::hybrid
