#include "kernels/reference/cast.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "core/check.h"

namespace edgeforge::kernels::reference {

namespace {

// Stand-in type for bool tensors (one byte, 0 or 1).
struct Bool8 {
  uint8_t value;
};

template <typename To, typename From>
To Convert(From x) {
  if constexpr (std::is_same_v<To, Bool8>) {
    if constexpr (std::is_same_v<From, Bool8>) {
      return Bool8{static_cast<uint8_t>(x.value != 0)};
    } else {
      return Bool8{static_cast<uint8_t>(x != 0)};
    }
  } else if constexpr (std::is_same_v<From, Bool8>) {
    return static_cast<To>(x.value != 0 ? 1 : 0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(x)) return 0;
    // Compare in double, where every bound of these types is exact enough: the largest
    // float below 2^63 is < 2^63, so the upper test for int64 is correct.
    const double d = static_cast<double>(x);
    if (d <= static_cast<double>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    if (d >= static_cast<double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

template <typename From, typename To>
void CastLoop(const void* input, void* output, int64_t size) {
  const From* in = static_cast<const From*>(input);
  To* out = static_cast<To*>(output);
  for (int64_t i = 0; i < size; ++i) out[i] = Convert<To>(in[i]);
}

template <typename From>
void CastFrom(const void* input, DType to, void* output, int64_t size) {
  switch (to) {
    case DType::kFloat32: return CastLoop<From, float>(input, output, size);
    case DType::kInt32: return CastLoop<From, int32_t>(input, output, size);
    case DType::kInt64: return CastLoop<From, int64_t>(input, output, size);
    case DType::kUInt8: return CastLoop<From, uint8_t>(input, output, size);
    case DType::kInt8: return CastLoop<From, int8_t>(input, output, size);
    case DType::kInt16: return CastLoop<From, int16_t>(input, output, size);
    case DType::kBool: return CastLoop<From, Bool8>(input, output, size);
    case DType::kFloat16: break;
  }
  EF_CHECK(false && "CAST to an unsupported dtype");
}

}  // namespace

bool CastSupported(DType dtype) { return dtype != DType::kFloat16; }

void Cast(DType from, const void* input, DType to, void* output, int64_t size) {
  switch (from) {
    case DType::kFloat32: return CastFrom<float>(input, to, output, size);
    case DType::kInt32: return CastFrom<int32_t>(input, to, output, size);
    case DType::kInt64: return CastFrom<int64_t>(input, to, output, size);
    case DType::kUInt8: return CastFrom<uint8_t>(input, to, output, size);
    case DType::kInt8: return CastFrom<int8_t>(input, to, output, size);
    case DType::kInt16: return CastFrom<int16_t>(input, to, output, size);
    case DType::kBool: return CastFrom<Bool8>(input, to, output, size);
    case DType::kFloat16: break;
  }
  EF_CHECK(false && "CAST from an unsupported dtype");
}

}  // namespace edgeforge::kernels::reference
