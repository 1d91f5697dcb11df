#include "onnx/constant_data.h"

#include <cstring>

#include "core/check.h"
#include "core/float16.h"

namespace edgeforge::onnx_export {

namespace {

int64_t Product(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

}  // namespace

ConstantData FromTensor(const ir::Tensor& tensor) {
  ConstantData c;
  c.dtype = tensor.dtype;
  c.dims.assign(tensor.shape.begin(), tensor.shape.end());
  c.bytes.assign(tensor.data.begin(), tensor.data.end());
  c.quant = tensor.quant;
  EF_CHECK_EQ(c.bytes.size(), static_cast<size_t>(Product(c.dims)) * DTypeSize(c.dtype));
  return c;
}

ConstantData Permute(const ConstantData& data, const std::vector<int64_t>& perm) {
  const size_t rank = data.dims.size();
  EF_CHECK_EQ(perm.size(), rank);
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * data.dims[i];

  ConstantData out = data;
  std::vector<int64_t> out_strides_in_input(rank);
  for (size_t i = 0; i < rank; ++i) {
    EF_CHECK(perm[i] >= 0 && static_cast<size_t>(perm[i]) < rank);
    out.dims[i] = data.dims[static_cast<size_t>(perm[i])];
    out_strides_in_input[i] = in_strides[static_cast<size_t>(perm[i])];
  }
  if (!data.quant.empty() && data.quant.per_channel()) {
    for (size_t i = 0; i < rank; ++i) {
      if (perm[i] == data.quant.quantized_dimension) out.quant.quantized_dimension = static_cast<int32_t>(i);
    }
  }

  // Walk the output in order with an odometer over its index, reading the matching input element.
  const size_t element = DTypeSize(data.dtype);
  const int64_t count = Product(data.dims);
  std::vector<int64_t> index(rank, 0);
  int64_t source = 0;
  for (int64_t o = 0; o < count; ++o) {
    std::memcpy(&out.bytes[static_cast<size_t>(o) * element], &data.bytes[static_cast<size_t>(source) * element],
                element);
    for (size_t d = rank; d-- > 0;) {
      source += out_strides_in_input[d];
      if (++index[d] < out.dims[d]) break;
      source -= out_strides_in_input[d] * out.dims[d];
      index[d] = 0;
    }
  }
  return out;
}

ConstantData Reshaped(ConstantData data, std::vector<int64_t> dims) {
  EF_CHECK_EQ(Product(dims), Product(data.dims));
  data.dims = std::move(dims);
  return data;
}

ConstantData WidenHalf(const ConstantData& data) {
  EF_CHECK(data.dtype == DType::kFloat16);
  ConstantData out;
  out.dtype = DType::kFloat32;
  out.dims = data.dims;
  const size_t n = data.bytes.size() / 2;
  out.bytes.resize(n * 4);
  for (size_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, &data.bytes[i * 2], 2);
    const float f = core::HalfToFloat(h);
    std::memcpy(&out.bytes[i * 4], &f, 4);
  }
  return out;
}

}  // namespace edgeforge::onnx_export
