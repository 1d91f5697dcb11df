// ADD, SUB and MUL with broadcasting, float32 and 8-bit quantized.
//
// Quantized arithmetic follows what the TFLite runtime does:
//   - ADD / SUB go to XNNPACK when both input/output scale ratios lie in [2^-10, 2^8)
//     (the delegate's check). XNNPACK's fixed point (established for int8 ADD, DESIGN.md):
//       ra = f32(sa / so), rb = f32(sb / so) (rb negated for SUB: XNNPACK implements subtract as
//       add with b's scale negated), e = exponent of max(|ra|, |rb|), shift = 20 - e,
//       ma = lrintf(ra * 2^shift), mb = lrintf(rb * 2^shift),
//       bias = 2^(shift-1) - ma * za - mb * zb,
//       q = clamp(((bias + a * ma + b * mb) >> shift) + zo), arithmetic shift.
//     Measured against the oracle for int8 and uint8, ADD and SUB, with half-integer results
//     of both signs (TFLite's fixed point would have differed in 18-42 of 288 outputs).
//   - Otherwise TFLite's own kernel (left_shift 20, three QuantizeMultiplier'd multipliers) —
//     from TFLite's source, not measured.
//   - MUL goes to XNNPACK when s_a * s_b / s_o lies in [2^-16, 2^8): fp32 requantization,
//     q = lrintf((a - za) * (b - zb) * scale) + zo with scale = f32(f32(sa * sb) / so)
//     (XNNPACK's qs8/qu8 vmul "fp32" kernels). Measured for int8 and uint8 (byte-identical;
//     TFLite's fixed point would have differed in up to 12 of 288 outputs).
//     Otherwise TFLite's own: MultiplyByQuantizedMultiplier((a - za) * (b - zb),
//     QuantizeMultiplier((double)sa * sb / so)) + zo — from TFLite's source, not measured.
#pragma once

#include <cstdint>

#include "kernels/reference/activation.h"
#include "kernels/reference/broadcast.h"
#include "kernels/reference/fixed_point.h"

namespace edgeforge::kernels::reference {

enum class AddOrSub { kAdd, kSub };

void AddSubFloat32(AddOrSub op, const BroadcastLayout& layout, FloatRange clamp, const float* a,
                   const float* b, float* output);
void MulFloat32(const BroadcastLayout& layout, FloatRange clamp, const float* a, const float* b,
                float* output);

// Per-tensor quantization of a binary op's operands.
struct BinaryQuantization {
  float a_scale = 1.0f;
  int32_t a_zero_point = 0;
  float b_scale = 1.0f;
  int32_t b_zero_point = 0;
  float output_scale = 1.0f;
  int32_t output_zero_point = 0;
};

// --- ADD / SUB ----------------------------------------------------------------------------

// True when the XNNPACK delegate takes the op: sa/so and sb/so both in [2^-10, 2^8).
bool XnnpackAddSupportsScales(const BinaryQuantization& q);

struct XnnpackAddParams {
  int32_t a_multiplier = 0;
  int32_t b_multiplier = 0;
  int32_t bias = 0;
  int32_t shift = 0;
  int32_t output_zero_point = 0;
  QuantizedRange clamp{0, 0};
};
// Requires XnnpackAddSupportsScales(q). [qmin, qmax] is the dtype's range; the activation is
// quantized the XNNPACK way (XnnpackActivationRange).
XnnpackAddParams MakeXnnpackAddParams(AddOrSub op, const BinaryQuantization& q,
                                      FusedActivation activation, int32_t qmin, int32_t qmax);

struct TfliteAddParams {
  AddOrSub op = AddOrSub::kAdd;
  int32_t left_shift = 20;
  int32_t a_offset = 0;  // -za
  int32_t b_offset = 0;  // -zb
  int32_t output_offset = 0;
  QuantizedMultiplier a_multiplier;
  QuantizedMultiplier b_multiplier;
  QuantizedMultiplier output_multiplier;
  QuantizedRange clamp{0, 0};
};
// The activation is quantized the TFLite way (TfliteActivationRange).
TfliteAddParams MakeTfliteAddParams(AddOrSub op, const BinaryQuantization& q,
                                    FusedActivation activation, int32_t qmin, int32_t qmax);

void AddXnnpackUint8(const BroadcastLayout& layout, const XnnpackAddParams& params,
                     const uint8_t* a, const uint8_t* b, uint8_t* output);
void AddXnnpackInt8(const BroadcastLayout& layout, const XnnpackAddParams& params, const int8_t* a,
                    const int8_t* b, int8_t* output);
void AddTfliteUint8(const BroadcastLayout& layout, const TfliteAddParams& params, const uint8_t* a,
                    const uint8_t* b, uint8_t* output);
void AddTfliteInt8(const BroadcastLayout& layout, const TfliteAddParams& params, const int8_t* a,
                   const int8_t* b, int8_t* output);

// --- MUL ----------------------------------------------------------------------------------

// True when the XNNPACK delegate takes the op: f32(sa * sb) / so in [2^-16, 2^8).
bool XnnpackMulSupportsScales(const BinaryQuantization& q);

struct QuantizedMulParams {
  enum class Scheme { kXnnpackFloatScale, kTfliteFixedPoint };
  Scheme scheme = Scheme::kXnnpackFloatScale;
  int32_t a_zero_point = 0;
  int32_t b_zero_point = 0;
  int32_t output_zero_point = 0;
  float scale = 0.0f;              // kXnnpackFloatScale
  QuantizedMultiplier multiplier;  // kTfliteFixedPoint
  QuantizedRange clamp{0, 0};
};
// Picks the scheme the runtime would (XnnpackMulSupportsScales) and quantizes the activation
// range that scheme's way.
QuantizedMulParams MakeQuantizedMulParams(const BinaryQuantization& q, FusedActivation activation,
                                          int32_t qmin, int32_t qmax);

void MulUint8(const BroadcastLayout& layout, const QuantizedMulParams& params, const uint8_t* a,
              const uint8_t* b, uint8_t* output);
void MulInt8(const BroadcastLayout& layout, const QuantizedMulParams& params, const int8_t* a,
             const int8_t* b, int8_t* output);

}  // namespace edgeforge::kernels::reference
