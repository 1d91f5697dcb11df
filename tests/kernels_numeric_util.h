// Helpers of the kernels_numeric_* tests: random data, TF's padding rule and activations in
// double, and the requantization formulas of DESIGN.md written out again, independently of
// the kernels under test.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace edgeforge::testing::numeric {

template <typename T>
std::vector<T> RandomValues(std::mt19937& rng, size_t n, int lo = std::numeric_limits<T>::min(),
                            int hi = std::numeric_limits<T>::max()) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

inline std::vector<float> RandomFloats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// TF's output size and padding before, for one spatial dimension.
struct Padding1D {
  int out;
  int before;
};
inline Padding1D TfPadding(bool same, int in, int kernel, int stride, int dilation) {
  const int effective = (kernel - 1) * dilation + 1;
  if (!same) return {(in - effective) / stride + 1, 0};
  const int out = (in + stride - 1) / stride;
  const int total = std::max((out - 1) * stride + effective - in, 0);
  return {out, total / 2};
}

enum class Act { kNone, kRelu, kReluN1To1, kRelu6 };

inline double ApplyActivation(double v, Act act) {
  switch (act) {
    case Act::kNone: return v;
    case Act::kRelu: return std::max(v, 0.0);
    case Act::kReluN1To1: return std::min(std::max(v, -1.0), 1.0);
    case Act::kRelu6: return std::min(std::max(v, 0.0), 6.0);
  }
  return v;
}

// Quantizes a real value: round half to even in double, clamp.
inline int QuantizeReal(double real, double scale, int zero_point, int qmin, int qmax) {
  const double q = std::nearbyint(real / scale) + zero_point;
  return static_cast<int>(std::min(std::max(q, static_cast<double>(qmin)), static_cast<double>(qmax)));
}

// DESIGN.md, XNNPACK: a finite activation bound b becomes
// lrintf(fminf(fmaxf(b / s + zp, qmin), qmax)).
inline void DesignXnnpackClamp(Act act, float s_out, int zp, int qmin, int qmax, int* lo, int* hi) {
  auto q = [&](float b) {
    return static_cast<int>(std::lrintf(std::fminf(
        std::fmaxf(b / s_out + static_cast<float>(zp), static_cast<float>(qmin)),
        static_cast<float>(qmax))));
  };
  *lo = qmin;
  *hi = qmax;
  if (act == Act::kRelu || act == Act::kRelu6) *lo = q(0.0f);
  if (act == Act::kRelu6) *hi = q(6.0f);
  if (act == Act::kReluN1To1) {
    *lo = q(-1.0f);
    *hi = q(1.0f);
  }
}

// DESIGN.md, XNNPACK conv requantization: scale = (float)((float)(s_in * s_w) / s_out),
// q = lrintf((float)acc * scale) + zp, clamped.
inline int DesignXnnpackRequantize(int64_t acc, float s_in, float s_w, float s_out, int zp, int lo,
                                   int hi) {
  const float product = s_in * s_w;
  const float scale = product / s_out;
  const long q = std::lrintf(static_cast<float>(static_cast<int32_t>(acc)) * scale) + zp;
  return static_cast<int>(std::min<long>(std::max<long>(q, lo), hi));
}

}  // namespace edgeforge::testing::numeric
