// The contract between the interpreter and an op implementation, TFLite style:
//   Prepare: validate dtypes/quantization/options, precompute (requantization multipliers,
//            lookup tables, packed weights), request scratch memory. Runs once.
//   Eval:    compute. No allocation, no validation. Runs every invoke.
// Shapes are already inferred and checked by ir::Verify before Prepare runs, so kernels
// read tensor shapes, never set them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "edgeforge/status.h"
#include "edgeforge/types.h"
#include "ir/op.h"
#include "ir/tensor.h"

namespace edgeforge::runtime {

// A tensor as the interpreter holds it: the IR description plus where its bytes live now
// (the arena for activations, the mapped file for constants, the arena for graph inputs).
struct RtTensor {
  const ir::Tensor* desc = nullptr;
  uint8_t* data = nullptr;

  DType dtype() const { return desc->dtype; }
  const Shape& shape() const { return desc->shape; }
  const QuantParams& quant() const { return desc->quant; }
  const std::string& name() const { return desc->name; }
  bool is_constant() const { return desc->is_constant(); }
  int64_t num_elements() const { return NumElements(desc->shape); }
  size_t bytes() const { return desc->byte_size(); }
  int dims() const { return static_cast<int>(desc->shape.size()); }
  int32_t dim(int i) const { return desc->shape[static_cast<size_t>(i)]; }

  template <typename T>
  T* as() { return reinterpret_cast<T*>(data); }
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(data); }
};

class OpContext {
 public:
  OpContext(int op_index, const ir::Op* op, std::vector<RtTensor*> inputs,
            std::vector<RtTensor*> outputs)
      : op_index_(op_index), op_(op), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}

  int op_index() const { return op_index_; }
  const ir::Op& op() const { return *op_; }
  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  // nullptr for an absent optional input (ir::kNoTensor) or an index past the end.
  const RtTensor* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  RtTensor* output(size_t i) { return i < outputs_.size() ? outputs_[i] : nullptr; }

  // Prepare only: reserves `bytes` of 64-byte aligned scratch memory for Eval. The memory is
  // shared with other ops' scratch (it lives only during this op's Eval).
  int RequestScratch(size_t bytes) {
    scratch_sizes_.push_back(bytes);
    return static_cast<int>(scratch_sizes_.size()) - 1;
  }
  // Eval only.
  void* scratch(int id) const { return scratch_ptrs_.at(static_cast<size_t>(id)); }

  // The interpreter's thread pool (one thread when --threads 1). Kernels split their outputs
  // over it; results must not depend on the thread count.
  // Contexts built by hand (kernel tests) run on a shared single-thread pool.
  core::ThreadPool& thread_pool() const { return thread_pool_ ? *thread_pool_ : core::InlineThreadPool(); }

  // InvalidArgument("op 12 (CONV_2D): <what>") — the error kernels return from Prepare.
  Status Error(const std::string& what) const;
  Status UnsupportedError(const std::string& what) const;

  // Interpreter side.
  const std::vector<size_t>& scratch_sizes() const { return scratch_sizes_; }
  void set_scratch_ptrs(std::vector<void*> ptrs) { scratch_ptrs_ = std::move(ptrs); }
  void set_thread_pool(core::ThreadPool* pool) { thread_pool_ = pool; }

 private:
  int op_index_;
  const ir::Op* op_;
  std::vector<RtTensor*> inputs_;
  std::vector<RtTensor*> outputs_;
  std::vector<size_t> scratch_sizes_;
  std::vector<void*> scratch_ptrs_;
  core::ThreadPool* thread_pool_ = nullptr;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual Status Prepare(OpContext& ctx) = 0;
  virtual Status Eval(OpContext& ctx) = 0;
};

// The reference kernel for an op type, or nullptr when the op has no implementation.
std::unique_ptr<OpKernel> CreateReferenceKernel(ir::OpType type);

}  // namespace edgeforge::runtime
