// A constant tensor's bytes on their way into an ONNX initializer: copied out of the IR,
// permuted into ONNX's layout, float16 widened to float32.
#pragma once

#include <cstdint>
#include <vector>

#include "edgeforge/types.h"
#include "ir/tensor.h"

namespace edgeforge::onnx_export {

struct ConstantData {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> dims;
  std::vector<uint8_t> bytes;
  // quantized_dimension follows Permute.
  QuantParams quant;
};

ConstantData FromTensor(const ir::Tensor& tensor);

// Output dim i is input dim perm[i]; the bytes move with their elements. perm must be a
// permutation of 0..rank-1 (an internal invariant).
ConstantData Permute(const ConstantData& data, const std::vector<int64_t>& perm);

// The same elements with new dims (same element count, an internal invariant).
ConstantData Reshaped(ConstantData data, std::vector<int64_t> dims);

// float16 elements as float32 (TFLite float16 models keep weights in half precision and
// DEQUANTIZE them at run time; ONNX gets them already widened).
ConstantData WidenHalf(const ConstantData& data);

}  // namespace edgeforge::onnx_export
