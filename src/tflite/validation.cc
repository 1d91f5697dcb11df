#include "tflite/validation.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace edgeforge::tflite {

namespace {

// Inclusive range of values an integer dtype holds; false for float and bool types.
bool IntegerRange(DType dtype, int64_t* lo, int64_t* hi) {
  switch (dtype) {
    case DType::kInt8:
      *lo = -128;
      *hi = 127;
      return true;
    case DType::kUInt8:
      *lo = 0;
      *hi = 255;
      return true;
    case DType::kInt16:
      *lo = -32768;
      *hi = 32767;
      return true;
    case DType::kInt32:
      *lo = std::numeric_limits<int32_t>::min();
      *hi = std::numeric_limits<int32_t>::max();
      return true;
    default: return false;
  }
}

}  // namespace

std::string TensorLabel(int index, const std::string& name) {
  return "tensor " + std::to_string(index) + " '" + name + "'";
}

Status CheckShape(const Shape& shape, DType dtype) {
  int64_t bytes = static_cast<int64_t>(DTypeSize(dtype));
  for (int32_t dim : shape) {
    if (dim < 0) {
      return InvalidArgument("shape " + ShapeToString(shape) + " has a negative dimension");
    }
    // Compare before multiplying so that the product never overflows.
    if (dim != 0 && bytes > kMaxTensorBytes / dim) {
      return InvalidArgument("shape " + ShapeToString(shape) + " " + DTypeName(dtype) +
                             " is larger than " + std::to_string(kMaxTensorBytes) + " bytes");
    }
    bytes *= dim;
  }
  return Status::Ok();
}

Status CheckQuantization(const QuantParams& quant, const Shape& shape, DType dtype) {
  if (quant.scale.empty()) return Status::Ok();
  const size_t count = quant.scale.size();
  if (quant.zero_point.size() != count) {
    return InvalidArgument("quantization has " + std::to_string(count) + " scales but " +
                           std::to_string(quant.zero_point.size()) + " zero points");
  }
  if (count > 1) {
    const int32_t axis = quant.quantized_dimension;
    if (axis < 0 || static_cast<size_t>(axis) >= shape.size()) {
      return InvalidArgument("quantized_dimension " + std::to_string(axis) + " is outside shape " +
                             ShapeToString(shape));
    }
    if (static_cast<size_t>(shape[static_cast<size_t>(axis)]) != count) {
      return InvalidArgument("quantization has " + std::to_string(count) +
                             " scales but dimension " + std::to_string(axis) + " of shape " +
                             ShapeToString(shape) + " is " +
                             std::to_string(shape[static_cast<size_t>(axis)]));
    }
  }
  for (size_t i = 0; i < count; ++i) {
    const float s = quant.scale[i];
    if (!std::isfinite(s) || s < 0) {
      std::ostringstream os;
      os << "quantization scale[" << i << "] is " << s << ", expected a finite value >= 0";
      return InvalidArgument(os.str());
    }
  }
  int64_t lo = 0, hi = 0;
  if (IntegerRange(dtype, &lo, &hi)) {
    for (size_t i = 0; i < count; ++i) {
      const int64_t zp = quant.zero_point[i];
      if (zp < lo || zp > hi) {
        return InvalidArgument("quantization zero_point[" + std::to_string(i) + "] is " +
                               std::to_string(zp) + ", outside the " + DTypeName(dtype) +
                               " range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      }
    }
  }
  return Status::Ok();
}

Status CheckTensor(int index, const ir::Tensor& tensor) {
  const std::string label = TensorLabel(index, tensor.name);
  EF_RETURN_IF_ERROR(CheckShape(tensor.shape, tensor.dtype).WithContext(label));
  if (!tensor.shape_signature.empty() && tensor.shape_signature.size() != tensor.shape.size()) {
    return InvalidArgument(label + ": shape_signature " + ShapeToString(tensor.shape_signature) +
                           " and shape " + ShapeToString(tensor.shape) + " have different ranks");
  }
  for (int32_t dim : tensor.shape_signature) {
    if (dim < -1) {
      return InvalidArgument(label + ": shape_signature " + ShapeToString(tensor.shape_signature) +
                             " has a dimension below -1 (-1 marks a dynamic dimension)");
    }
  }
  EF_RETURN_IF_ERROR(
      CheckQuantization(tensor.quant, tensor.shape, tensor.dtype).WithContext(label));
  if (tensor.is_constant() && tensor.data.size() != tensor.byte_size()) {
    return InvalidArgument(label + ": buffer holds " + std::to_string(tensor.data.size()) +
                           " bytes, shape " + ShapeToString(tensor.shape) + " " +
                           DTypeName(tensor.dtype) + " needs " +
                           std::to_string(tensor.byte_size()));
  }
  return Status::Ok();
}

}  // namespace edgeforge::tflite
