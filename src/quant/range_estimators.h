// Choosing a float range [min, max] for an activation from what calibration saw. Three
// calibrators:
//   minmax      the smallest and largest value seen (TFLite's converter does this);
//   percentile  the (100 - p)th and pth percentiles, ignoring rare outliers (e.g. p = 99.99);
//   mse         the range that minimises the expected squared error of 8-bit quantization:
//               clipping error outside the range plus rounding noise (step^2 / 12) inside it.
// Percentile and MSE work on a histogram over the min/max range, filled in a second pass.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace edgeforge::quant {

enum class Calibrator { kMinMax, kPercentile, kMse };

struct ValueRange {
  float min = 0;
  float max = 0;
  bool operator==(const ValueRange&) const = default;
};

// Running min/max; non-finite values are ignored.
class MinMaxObserver {
 public:
  void Add(std::span<const float> values);
  bool seen() const { return seen_; }
  ValueRange range() const { return {min_, max_}; }

 private:
  bool seen_ = false;
  float min_ = 0;
  float max_ = 0;
};

// Counts over `bins` equal bins covering [lo, hi]; values outside go to the end bins,
// non-finite values are ignored.
class Histogram {
 public:
  Histogram(ValueRange range, int bins);
  void Add(std::span<const float> values);

  ValueRange range() const { return range_; }
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t total() const { return total_; }
  float bin_width() const { return width_; }
  float bin_center(size_t i) const { return range_.min + (static_cast<float>(i) + 0.5f) * width_; }

 private:
  ValueRange range_;
  float width_ = 0;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
};

// [q_(100-p), q_p], interpolated linearly inside a bin; `percentile` in (50, 100].
ValueRange PercentileRange(const Histogram& histogram, double percentile);

// The range minimising the expected squared error of quantizing the histogram's values to
// `levels` steps (256 for 8 bits); always within the histogram's range and holding 0 when the
// histogram's range does.
ValueRange MseOptimalRange(const Histogram& histogram, int levels = 256);

}  // namespace edgeforge::quant
