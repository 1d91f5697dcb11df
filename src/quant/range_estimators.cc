#include "quant/range_estimators.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgeforge::quant {

void MinMaxObserver::Add(std::span<const float> values) {
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    if (!seen_) {
      min_ = max_ = v;
      seen_ = true;
    } else {
      min_ = std::min(min_, v);
      max_ = std::max(max_, v);
    }
  }
}

Histogram::Histogram(ValueRange range, int bins)
    : range_(range), counts_(static_cast<size_t>(std::max(bins, 1)), 0) {
  width_ = (range.max - range.min) / static_cast<float>(counts_.size());
}

void Histogram::Add(std::span<const float> values) {
  const size_t last = counts_.size() - 1;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    size_t bin = 0;
    if (width_ > 0 && v > range_.min) {
      bin = std::min(last, static_cast<size_t>((v - range_.min) / width_));
    }
    ++counts_[bin];
    ++total_;
  }
}

namespace {

// The value below which `fraction` of the histogram's mass lies.
float Quantile(const Histogram& h, double fraction) {
  const auto& counts = h.counts();
  const double target = fraction * static_cast<double>(h.total());
  double cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const double next = cumulative + static_cast<double>(counts[i]);
    if (next >= target && counts[i] > 0) {
      const double inside = (target - cumulative) / static_cast<double>(counts[i]);
      return h.range().min + static_cast<float>((static_cast<double>(i) + inside) * h.bin_width());
    }
    cumulative = next;
  }
  return h.range().max;
}

// Expected squared error of quantizing the histogram to `levels` steps over [lo, hi].
double QuantizationError(const Histogram& h, float lo, float hi, int levels) {
  const double step = (static_cast<double>(hi) - lo) / (levels - 1);
  const double rounding = step * step / 12.0;
  double error = 0;
  const auto& counts = h.counts();
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    const double x = h.bin_center(i);
    double e = rounding;
    if (x < lo) e = (lo - x) * (lo - x);
    if (x > hi) e = (x - hi) * (x - hi);
    error += e * static_cast<double>(counts[i]);
  }
  return error;
}

}  // namespace

ValueRange PercentileRange(const Histogram& histogram, double percentile) {
  if (histogram.total() == 0) return histogram.range();
  const double upper = std::clamp(percentile / 100.0, 0.5, 1.0);
  ValueRange r{Quantile(histogram, 1.0 - upper), Quantile(histogram, upper)};
  r.min = std::max(r.min, histogram.range().min);
  r.max = std::min(r.max, histogram.range().max);
  return r;
}

ValueRange MseOptimalRange(const Histogram& histogram, int levels) {
  const ValueRange full = histogram.range();
  if (histogram.total() == 0 || !(full.max > full.min)) return full;
  // Quantization always covers 0, so the ends are searched as fractions of [min(lo,0), max(hi,0)].
  const float lo0 = std::min(full.min, 0.0f), hi0 = std::max(full.max, 0.0f);
  auto error = [&](double a, double b) {
    return QuantizationError(histogram, static_cast<float>(lo0 * a), static_cast<float>(hi0 * b), levels);
  };
  constexpr int kSteps = 100;
  // Shrink both ends together first, then refine each end alone, twice.
  double best_a = 1, best_b = 1, best = error(1, 1);
  for (int s = 1; s < kSteps; ++s) {
    const double f = 1.0 - static_cast<double>(s) / kSteps;
    const double e = error(f, f);
    if (e < best) best = e, best_a = f, best_b = f;
  }
  for (int round = 0; round < 2; ++round) {
    for (int end = 0; end < 2; ++end) {
      for (int s = 0; s <= kSteps; ++s) {
        const double f = std::max(0.01, static_cast<double>(s) / kSteps);
        const double a = end == 0 ? f : best_a, b = end == 1 ? f : best_b;
        const double e = error(a, b);
        if (e < best) best = e, best_a = a, best_b = b;
      }
    }
  }
  return {static_cast<float>(lo0 * best_a), static_cast<float>(hi0 * best_b)};
}

}  // namespace edgeforge::quant
