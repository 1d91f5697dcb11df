// QUANTIZE and DEQUANTIZE reference kernels.
//
// float32 -> int8 / uint8: what the TFLite runtime runs is XNNPACK's convert (the delegate takes
// float QUANTIZE): q = clamp(lrintf(x * inv) + zp) with inv = 1.0f / scale computed once in
// float32 — a multiply by the reciprocal, not a division, and ties to even (TFLite's own
// AffineQuantize would use round(x / scale), ties away from zero; that is not what runs).
// Measured against the oracle: exact ties (round(x / s) would differ in 128 of 1000) and 164
// inputs where x / s and x * (1 / s) round apart — all as here.
//
// 8-bit -> 8-bit requantization, two schemes:
//   - same dtype and f32(s_in / s_out) in [1/256, 128]: the delegate hands it to XNNPACK's
//     qs8/qu8 convert: M = lrintf(256.0f * (s_in / s_out)),
//     q = clamp(((x - z_in) * M + 128) >> 8 + z_out) — measured against the oracle over all
//     256 inputs (uint8 -> uint8 at ratio 0.37: TFLite's kernel would differ in 24);
//   - otherwise (uint8 <-> int8, the established case, DESIGN.md): TFLite's own kernel,
//     M, shift = QuantizeMultiplier((double)s_in / s_out),
//     q = clamp(MultiplyByQuantizedMultiplier(x - z_in, M, shift) + z_out).
//
// DEQUANTIZE: (float)(x - zp) * scale (a single float32 rounding, equal to TFLite's double
// product rounded to float; int8 measured bit-identical over all 256 inputs); float16 widens
// exactly.
#pragma once

#include <cstdint>

#include "kernels/reference/fixed_point.h"

namespace edgeforge::kernels::reference {

struct AffineQuantizeParams {
  float inverse_scale = 1.0f;  // 1.0f / scale, in float32
  int32_t zero_point = 0;
};
AffineQuantizeParams MakeAffineQuantizeParams(float scale, int32_t zero_point);

void QuantizeFloat32ToUint8(int64_t count, const AffineQuantizeParams& params, const float* input,
                            uint8_t* output);
void QuantizeFloat32ToInt8(int64_t count, const AffineQuantizeParams& params, const float* input,
                           int8_t* output);

struct RequantizeParams {
  enum class Scheme { kXnnpackConvert, kTfliteFixedPoint };
  Scheme scheme = Scheme::kTfliteFixedPoint;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t xnnpack_multiplier = 0;  // kXnnpackConvert: lrintf(256 * s_in / s_out)
  QuantizedMultiplier multiplier;  // kTfliteFixedPoint
};
// `same_dtype`: input and output are both int8 or both uint8.
RequantizeParams MakeRequantizeParams(float input_scale, int32_t input_zero_point,
                                      float output_scale, int32_t output_zero_point,
                                      bool same_dtype);

void RequantizeUint8ToInt8(int64_t count, const RequantizeParams& params, const uint8_t* input,
                           int8_t* output);
void RequantizeInt8ToUint8(int64_t count, const RequantizeParams& params, const int8_t* input,
                           uint8_t* output);
void RequantizeInt8ToInt8(int64_t count, const RequantizeParams& params, const int8_t* input,
                          int8_t* output);
void RequantizeUint8ToUint8(int64_t count, const RequantizeParams& params, const uint8_t* input,
                            uint8_t* output);

void DequantizeUint8(int64_t count, float scale, int32_t zero_point, const uint8_t* input,
                     float* output);
void DequantizeInt8(int64_t count, float scale, int32_t zero_point, const int8_t* input,
                    float* output);

// Per-channel int8 (e.g. weights): the tensor seen as [outer, channels, inner], channel c uses
// scales[c] and zero_points[c].
struct PerChannelLayout {
  int64_t outer = 1;
  int32_t channels = 1;
  int64_t inner = 1;
};
void DequantizePerChannelInt8(const PerChannelLayout& layout, const float* scales,
                              const int32_t* zero_points, const int8_t* input, float* output);

// IEEE half (raw bits) -> float32, exact.
void DequantizeFloat16(int64_t count, const uint16_t* input, float* output);

}  // namespace edgeforge::kernels::reference
