// jpeg-js 0.4.4's 8x8 inverse DCT arithmetic (see jpeg_reconstruct.h), written once and shared
// by the portable reconstruction (jpeg_reconstruct.cc) and its AVX2 path
// (jpeg_reconstruct_avx2.cc).
// Internal to data/.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeforge::data::jpeg_idct {

// jpeg-js's constants: round(4096 * the trigonometric value).
constexpr int32_t kCos1 = 4017;       // cos(pi/16)
constexpr int32_t kSin1 = 799;        // sin(pi/16)
constexpr int32_t kCos3 = 3406;       // cos(3pi/16)
constexpr int32_t kSin3 = 2276;       // sin(3pi/16)
constexpr int32_t kCos6 = 1567;       // cos(6pi/16)
constexpr int32_t kSin6 = 3784;       // sin(6pi/16)
constexpr int32_t kSqrt2 = 5793;      // sqrt(2)
constexpr int32_t kHalfSqrt2 = 2896;  // sqrt(2) / 2

// JavaScript's ToInt32: the value modulo 2^32, as a signed 32-bit integer.
inline int32_t WrapTo32(int64_t value) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(value)));
}

// `(value + 2^(shift-1)) >> shift` as JavaScript evaluates it: the exact sum, wrapped to 32 bits,
// then an arithmetic shift. Every rounding in jpeg-js's IDCT has this form.
inline int32_t RoundingShift(int64_t value, int shift) {
  return WrapTo32(value + (int64_t{1} << (shift - 1))) >> shift;
}

// The butterfly is evaluated two ways:
// * JsArithmetic: jpeg-js's semantics for any input: exact 64-bit sums and products, wrapped to
//   32 bits wherever JavaScript wraps (`>>`, Int32Array stores).
// * Int32Arithmetic: plain int32, the same thing when no intermediate value leaves int32 (then
//   every wrap is the identity); only for blocks within kInt32SafeLimit. SIMD-friendly.
struct JsArithmetic {
  using Wide = int64_t;
  static int32_t Round(int64_t value, int shift) { return RoundingShift(value, shift); }
  static int32_t Wrap(int64_t value) { return WrapTo32(value); }
};
struct Int32Arithmetic {
  using Wide = int32_t;
  static int32_t Round(int32_t value, int shift) { return (value + (1 << (shift - 1))) >> shift; }
  static int32_t Wrap(int32_t value) { return value; }
};

// The largest |dequantized coefficient| for which Int32Arithmetic is exact. Bounding every
// intermediate by the triangle inequality (rounding offsets included), with B the largest
// |input|: the row pass's largest value is its (cos3, sin3) rotation, below 110,000 B, and its
// outputs stay below 48.6 B + 2; the column pass's largest is again that rotation, below
// 333,000 B. With B <= 4096 that is under 1.37e9, inside int32 (2.15e9). Every dequantized
// coefficient of an 8-bit-sample JPEG (|DCT value| <= 1024, plus half a quantization step) is
// far below the limit; larger ones (16-bit tables, hostile files) take JsArithmetic.
constexpr int32_t kInt32SafeLimit = 4096;

// The two passes run the same butterfly with different scaling: the row pass leaves its
// results 16 times too large (8-bit rounding shifts, odd inputs scaled by 16), so 4 fraction
// bits survive to the final `>> 4`; the column pass uses 12-bit shifts throughout. An input
// whose AC terms are all zero takes a shortcut with its own rounding, which is why it is not
// simply the general formula with zeros.
struct PassScaling {
  int scale_shift;     // for the sqrt(2) scalings and the first (cos6, sin6) rotation
  int odd_left_shift;  // applied to inputs 3 and 5
  int dc_only_shift;   // for the all-AC-zero shortcut: (sqrt2 * dc + round) >> dc_only_shift
};
constexpr PassScaling kRowPass{8, 4, 10};
constexpr PassScaling kColumnPass{12, 0, 14};

// The all-AC-zero shortcut's value, which fills all 8 outputs.
template <PassScaling pass, class A>
inline int32_t DcOnly(int32_t x0) {
  using W = typename A::Wide;
  return A::Round(W{kSqrt2} * x0, pass.dc_only_shift);
}

// jpeg-js's general 8-point inverse DCT of x[0..7] into out[0..7]. (Templates so the shifts
// are constants.)
template <PassScaling pass, class A>
inline void Butterfly(const int32_t* x, int32_t* out) {
  using W = typename A::Wide;
  constexpr int s = pass.scale_shift;

  // Even half: inputs 0, 4, 2, 6.
  const int32_t e0 = A::Round(W{kSqrt2} * x[0], s);
  const int32_t e4 = A::Round(W{kSqrt2} * x[4], s);
  const int32_t even_sum = A::Round(W{e0} + e4, 1);
  const int32_t even_diff = A::Round(W{e0} - e4, 1);
  const int32_t rot_a = A::Round(W{x[2]} * kCos6 - W{x[6]} * kSin6, s);
  const int32_t rot_b = A::Round(W{x[2]} * kSin6 + W{x[6]} * kCos6, s);
  const int32_t t0 = A::Round(W{even_sum} + rot_b, 1);
  const int32_t t3 = A::Round(W{even_sum} - rot_b, 1);
  const int32_t t1 = A::Round(W{even_diff} + rot_a, 1);
  const int32_t t2 = A::Round(W{even_diff} - rot_a, 1);

  // Odd half: inputs 1, 7, 3, 5.
  const int32_t o_diff = A::Round(W{kHalfSqrt2} * (W{x[1]} - x[7]), s);
  const int32_t o_sum = A::Round(W{kHalfSqrt2} * (W{x[1]} + x[7]), s);
  const int32_t o3 = A::Wrap(W{x[3]} * (W{1} << pass.odd_left_shift));
  const int32_t o5 = A::Wrap(W{x[5]} * (W{1} << pass.odd_left_shift));
  const int32_t a = A::Round(W{o_diff} + o5, 1);
  const int32_t b = A::Round(W{o_diff} - o5, 1);
  const int32_t c = A::Round(W{o_sum} + o3, 1);
  const int32_t d = A::Round(W{o_sum} - o3, 1);
  const int32_t u4 = A::Round(W{a} * kCos3 - W{c} * kSin3, 12);
  const int32_t u7 = A::Round(W{a} * kSin3 + W{c} * kCos3, 12);
  const int32_t u5 = A::Round(W{d} * kCos1 - W{b} * kSin1, 12);
  const int32_t u6 = A::Round(W{d} * kSin1 + W{b} * kCos1, 12);

  // Stored into an Int32Array by jpeg-js: wrapped.
  out[0] = A::Wrap(W{t0} + u7);
  out[7] = A::Wrap(W{t0} - u7);
  out[1] = A::Wrap(W{t1} + u6);
  out[6] = A::Wrap(W{t1} - u6);
  out[2] = A::Wrap(W{t2} + u5);
  out[5] = A::Wrap(W{t2} - u5);
  out[3] = A::Wrap(W{t3} + u4);
  out[4] = A::Wrap(W{t3} - u4);
}

// The AVX2 path (jpeg_reconstruct_avx2.cc; call only where core::IsaAvailable(core::Isa::kAvx2)):
// if every dequantized coefficient is within kInt32SafeLimit, writes the block's samples as
// ReferenceInverseDct does and returns true; otherwise writes nothing and returns false.
bool InverseDctInt32Avx2(const int16_t* coefficients, const uint16_t* quant_steps, uint8_t* out,
                         size_t stride);

}  // namespace edgeforge::data::jpeg_idct
