// Element types, shapes and quantization parameters: the vocabulary shared by the IR, the
// kernels, the runtime and the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edgeforge {

enum class DType : uint8_t { kFloat32, kFloat16, kInt8, kUInt8, kInt16, kInt32, kInt64, kBool };

// Bytes per element.
size_t DTypeSize(DType dtype);
// "float32", "int8", ... (TFLite's lower-case names).
const char* DTypeName(DType dtype);

// Dimensions, NHWC for images. An empty shape is a scalar.
using Shape = std::vector<int32_t>;

// Product of the dimensions (1 for a scalar).
int64_t NumElements(const Shape& shape);
// "[1,224,224,3]".
std::string ShapeToString(const Shape& shape);

// real = scale * (q - zero_point). One entry per tensor, or one per slice along
// quantized_dimension (per-channel). Empty scale means "not quantized".
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;

  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
  bool operator==(const QuantParams&) const = default;
};

std::string QuantToString(const QuantParams& q);

}  // namespace edgeforge
