// Helpers for the shape/activation/resize kernel tests: an op harness that wires hand-built
// ir::Tensor / ir::Op into RtTensor / OpContext and runs a kernel's Prepare and Eval, plus
// float64 quantization helpers for the independent expected values.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/op.h"
#include "ir/tensor.h"
#include "runtime/op_kernel.h"

namespace edgeforge::testing::shape_ops {

inline ir::Tensor MakeTensor(const std::string& name, DType dtype, Shape shape) {
  ir::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  return t;
}

inline ir::Tensor MakeQuantTensor(const std::string& name, DType dtype, Shape shape, float scale,
                                  int64_t zero_point) {
  ir::Tensor t = MakeTensor(name, dtype, std::move(shape));
  t.quant.scale = {scale};
  t.quant.zero_point = {zero_point};
  return t;
}

template <typename T>
ir::Tensor MakeConstTensor(const std::string& name, DType dtype, Shape shape,
                           const std::vector<T>& values) {
  ir::Tensor t = MakeTensor(name, dtype, std::move(shape));
  t.SetValues(values);
  return t;
}

// Owns the tensors, their buffers and the kernel of one op under test.
class OpHarness {
 public:
  explicit OpHarness(ir::OpType type, ir::OpOptions options = std::monostate{}) {
    op_.type = type;
    op_.options = std::move(options);
  }

  // Adds an input (constants keep their data, activations get a zeroed buffer).
  int AddInput(ir::Tensor t) {
    const int index = AddTensor(std::move(t));
    op_.inputs.push_back(index);
    return index;
  }
  int AddOutput(ir::Tensor t) {
    const int index = AddTensor(std::move(t));
    op_.outputs.push_back(index);
    return index;
  }
  ir::Op& op() { return op_; }

  template <typename T>
  void Set(int index, const std::vector<T>& values) {
    std::vector<uint8_t>& b = buffers_[static_cast<size_t>(index)];
    b.assign(values.size() * sizeof(T), 0);
    if (!b.empty()) std::memcpy(b.data(), values.data(), b.size());
    rt_[static_cast<size_t>(index)].data = b.data();
  }
  template <typename T>
  std::vector<T> Get(int index) const {
    const std::vector<uint8_t>& b = buffers_[static_cast<size_t>(index)];
    std::vector<T> values(b.size() / sizeof(T));
    if (!b.empty()) std::memcpy(values.data(), b.data(), b.size());
    return values;
  }

  // Creates the kernel with `factory` and runs Prepare; Eval runs only after it succeeds.
  Status Prepare(std::unique_ptr<runtime::OpKernel> kernel) {
    kernel_ = std::move(kernel);
    if (kernel_ == nullptr) return Internal("no kernel");
    std::vector<runtime::RtTensor*> ins, outs;
    for (int i : op_.inputs) ins.push_back(i < 0 ? nullptr : &rt_[static_cast<size_t>(i)]);
    for (int i : op_.outputs) outs.push_back(&rt_[static_cast<size_t>(i)]);
    ctx_ = std::make_unique<runtime::OpContext>(7, &op_, ins, outs);
    return kernel_->Prepare(*ctx_);
  }
  Status Eval() { return kernel_->Eval(*ctx_); }

 private:
  int AddTensor(ir::Tensor t) {
    tensors_.push_back(std::move(t));  // a deque: earlier tensors never move
    ir::Tensor& stored = tensors_.back();
    buffers_.emplace_back();
    rt_.emplace_back();
    runtime::RtTensor& rt = rt_.back();
    rt.desc = &stored;
    if (stored.is_constant()) {
      rt.data = const_cast<uint8_t*>(stored.data.data());
    } else {
      buffers_.back().assign(stored.byte_size(), 0);
      rt.data = buffers_.back().data();
    }
    return static_cast<int>(tensors_.size()) - 1;
  }

  ir::Op op_;
  std::deque<ir::Tensor> tensors_;
  std::deque<std::vector<uint8_t>> buffers_;
  std::deque<runtime::RtTensor> rt_;
  std::unique_ptr<runtime::OpKernel> kernel_;
  std::unique_ptr<runtime::OpContext> ctx_;
};

// round(real / scale) + zero_point, clamped to [lo, hi], in float64 (ties: either way, the
// tests allow a difference of 1).
inline int32_t QuantizeDouble(double real, double scale, int32_t zero_point, int32_t lo, int32_t hi) {
  const double q = std::nearbyint(real / scale) + zero_point;
  return static_cast<int32_t>(std::clamp(q, static_cast<double>(lo), static_cast<double>(hi)));
}

}  // namespace edgeforge::testing::shape_ops
