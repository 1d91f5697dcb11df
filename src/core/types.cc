#include "edgeforge/types.h"

#include <cstdio>
#include <sstream>

namespace edgeforge {

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return 4;
    case DType::kFloat16: return 2;
    case DType::kInt8: return 1;
    case DType::kUInt8: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kBool: return 1;
  }
  return 0;
}

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "float32";
    case DType::kFloat16: return "float16";
    case DType::kInt8: return "int8";
    case DType::kUInt8: return "uint8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
  }
  return "?";
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string QuantToString(const QuantParams& q) {
  if (q.empty()) return "none";
  std::ostringstream os;
  if (q.per_channel()) {
    os << "per-channel(axis " << q.quantized_dimension << ", " << q.scale.size() << " scales)";
  } else {
    os << "scale " << q.scale[0] << " zero_point " << (q.zero_point.empty() ? 0 : q.zero_point[0]);
  }
  return os.str();
}

}  // namespace edgeforge
