// A tensor of the IR: name, dtype, shape, quantization, and for constants the bytes.
// Constant bytes are a view: either into the mapped model file (loaded models are never
// copied) or into storage the tensor owns (weights written by training or the quantizer).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/types.h"

namespace edgeforge::ir {

struct Tensor {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  // TFLite's shape_signature: -1 marks a dynamic dimension (batch). Empty when static.
  Shape shape_signature;
  QuantParams quant;
  bool is_variable = false;

  // Constant data (empty span for activations). `data_owner` keeps the backing alive.
  std::span<const uint8_t> data;
  std::shared_ptr<const void> data_owner;

  bool is_constant() const { return !data.empty(); }
  size_t byte_size() const { return static_cast<size_t>(NumElements(shape)) * DTypeSize(dtype); }

  // Makes the tensor a constant owning `bytes`.
  void SetData(std::vector<uint8_t> bytes) {
    auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    data = std::span<const uint8_t>(owned->data(), owned->size());
    data_owner = owned;
  }
  template <typename T>
  void SetValues(const std::vector<T>& values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    SetData(std::move(bytes));
  }
  // Typed view of constant data (the caller checks dtype).
  template <typename T>
  std::span<const T> values() const {
    return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
  }

  // Equal in everything that the file format stores (data compared by bytes).
  bool SameAs(const Tensor& o) const {
    return name == o.name && dtype == o.dtype && shape == o.shape &&
           shape_signature == o.shape_signature && quant == o.quant &&
           is_variable == o.is_variable && data.size() == o.data.size() &&
           (data.empty() || std::memcmp(data.data(), o.data.data(), data.size()) == 0);
  }
};

}  // namespace edgeforge::ir
