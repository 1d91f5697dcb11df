// Rules a tensor must satisfy to be stored in (or taken from) a .tflite file: sane shapes,
// constant data of exactly the right size, and consistent quantization parameters. The reader
// applies them to untrusted files, the writer to graphs built in memory, so that whatever the
// writer emits the reader accepts.
#pragma once

#include <cstdint>
#include <string>

#include "edgeforge/status.h"
#include "edgeforge/types.h"
#include "ir/tensor.h"

namespace edgeforge::tflite {

// Largest tensor either side accepts, in bytes. Real models stay far below; the bound keeps
// element counts and byte sizes far from int64/size_t overflow everywhere downstream.
inline constexpr int64_t kMaxTensorBytes = int64_t{1} << 40;

// "tensor 12 'conv1/weights'": how messages name a tensor.
std::string TensorLabel(int index, const std::string& name);

// Checks that no dimension is negative and that the tensor's byte size stays within
// kMaxTensorBytes (without overflowing while computing it). Messages start with "shape [...]".
Status CheckShape(const Shape& shape, DType dtype);

// Checks quantization parameters against the tensor they describe: scale and zero_point of the
// same length; one entry, or one per index of `quantized_dimension` (which must lie inside the
// shape); scales finite and not negative; zero points inside the range of an integer dtype.
// Empty `scale` (not quantized) always passes.
Status CheckQuantization(const QuantParams& quant, const Shape& shape, DType dtype);

// CheckShape + CheckQuantization + (for constants) data size == elements x dtype size, with
// messages prefixed by the tensor's label.
Status CheckTensor(int index, const ir::Tensor& tensor);

}  // namespace edgeforge::tflite
