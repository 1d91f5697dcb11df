#include "core/float16.h"

#include <cstring>

namespace edgeforge::core {

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3FF;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  uint32_t absx = x & 0x7FFFFFFF;
  if (absx >= 0x7F800000) {  // inf or nan
    return sign | 0x7C00 | (absx > 0x7F800000 ? 0x200 : 0);
  }
  if (absx >= 0x477FF000) return sign | 0x7C00;  // rounds to >= 65520: overflow to inf
  if (absx < 0x38800000) {                       // below the smallest normal half: subnormal
    // value = absx as float; half subnormal unit is 2^-24.
    float af;
    std::memcpy(&af, &absx, 4);
    // Multiply by 2^24 and round to nearest even in float arithmetic (exact: the product
    // is representable, rounding happens in the conversion below).
    float scaled = af * 16777216.0f;
    // nearbyint with default rounding mode = round half to even
    uint32_t m = static_cast<uint32_t>(__builtin_nearbyintf(scaled));
    return sign | static_cast<uint16_t>(m);
  }
  uint32_t exp = (absx >> 23) - 127 + 15;
  uint32_t mant = absx & 0x7FFFFF;
  uint32_t half = (exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1FFF;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;  // carry may bump the exponent
  return sign | static_cast<uint16_t>(half);
}

}  // namespace edgeforge::core
