// MEAN reference kernels over any set of axes.
//
// Quantized MEAN runs in XNNPACK (its reduce operator, any constant axes). Established for int8
// over H,W (DESIGN.md); uint8 over H,W and over channels also matched the oracle (single-op
// models, 16-25 outputs each):
//   S = sum of the raw values over the N reduced positions (int32),
//   inv = f32(f32(s_in / s_out) * f32(1.0f / N)),
//   zpf = f32((float)z_out - f32((float)(N * z_in) * inv)),
//   q = clamp(nearbyintf(f32(f32((float)S * inv) + zpf))) — two float32 roundings, no FMA.
// Float: sum in natural (row-major) order over the reduced positions, divided by N.
#pragma once

#include <cstdint>
#include <vector>

#include "edgeforge/types.h"

namespace edgeforge::kernels::reference {

// Which input elements one output element averages. Built once (Prepare) from the input shape
// and the axes.
struct ReductionLayout {
  // Kept dimensions in input order (the output is these, row-major) and their input strides.
  std::vector<int32_t> kept_dims;
  std::vector<int64_t> kept_strides;
  // Reduced dimensions in input order and their input strides.
  std::vector<int32_t> reduced_dims;
  std::vector<int64_t> reduced_strides;
  int64_t reduced_count = 1;  // N
};

// `axes` must already be normalized to [0, rank); duplicates are allowed.
ReductionLayout MakeReductionLayout(const Shape& input_shape, const std::vector<int32_t>& axes);

void MeanFloat32(const ReductionLayout& layout, const float* input, float* output);

struct QuantizedMeanParams {
  float inv = 0.0f;             // f32(f32(s_in / s_out) * f32(1.0f / N))
  float zero_point_term = 0.0f;  // zpf above
  int32_t qmin = 0;
  int32_t qmax = 0;
};
QuantizedMeanParams MakeQuantizedMeanParams(float input_scale, int32_t input_zero_point,
                                            float output_scale, int32_t output_zero_point,
                                            int64_t reduced_count, int32_t qmin, int32_t qmax);

void MeanUint8(const ReductionLayout& layout, const QuantizedMeanParams& params,
               const uint8_t* input, uint8_t* output);
void MeanInt8(const ReductionLayout& layout, const QuantizedMeanParams& params, const int8_t* input,
              int8_t* output);

}  // namespace edgeforge::kernels::reference
