#include "runtime/interpreter.h"

#include <cstdlib>
#include <cstring>

#include "core/check.h"
#include "ir/verifier.h"
#include "runtime/memory_planner.h"

namespace edgeforge::runtime {

namespace {
constexpr size_t kArenaAlignment = 64;
}  // namespace

Status UnsupportedOpError(const ir::Graph& graph, size_t op_index, const std::string& source) {
  const ir::Op& op = graph.ops[op_index];
  std::string where = source + ": op " + std::to_string(op_index) + " ";
  if (op.type == ir::OpType::kCustom && op.custom_code == "edgetpu-custom-op") {
    return Unimplemented(where + "is 'edgetpu-custom-op': this model is compiled for the Edge TPU and "
                         "runs only with the Edge TPU runtime (libedgetpu) on a Coral device; run the "
                         "model from before edgetpu_compiler instead");
  }
  if (op.type == ir::OpType::kCustom) {
    return Unimplemented(where + "is the custom op '" + op.custom_code +
                         "', which edgeforge does not implement");
  }
  return Unimplemented(where + "is " + ir::OpName(op) + ", which edgeforge's runtime does not support");
}

StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(std::shared_ptr<const ir::Graph> graph,
                                                           const std::string& source,
                                                           InterpreterOptions options) {
  std::unique_ptr<Interpreter> interp(new Interpreter());
  interp->graph_ = std::move(graph);
  interp->options_ = options;
  EF_RETURN_IF_ERROR(interp->Prepare(source));
  return interp;
}

Interpreter::~Interpreter() { std::free(arena_); }

Status Interpreter::Prepare(const std::string& source) {
  const ir::Graph& g = *graph_;
  // Unsupported ops first: their message is more useful than a shape complaint.
  for (size_t i = 0; i < g.ops.size(); ++i) {
    if (g.ops[i].type == ir::OpType::kCustom || g.ops[i].type == ir::OpType::kUnsupportedBuiltin) {
      return UnsupportedOpError(g, i, source);
    }
    if (g.ops[i].type == ir::OpType::kBatchNorm || g.ops[i].type == ir::OpType::kDropout) {
      return FailedPrecondition(source + ": op " + std::to_string(i) + " (" + ir::OpName(g.ops[i]) +
                                ") is training-only; convert the graph to inference form first");
    }
  }
  EF_RETURN_IF_ERROR(ir::Verify(g, source));

  tensors_.resize(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const ir::Tensor& t = g.tensors[i];
    tensors_[i].desc = &t;
    if (t.is_constant()) {
      if (t.data.size() != t.byte_size()) {
        return InvalidArgument(source + ": constant tensor " + std::to_string(i) + " '" + t.name + "' has " +
                               std::to_string(t.data.size()) + " bytes, its shape needs " +
                               std::to_string(t.byte_size()));
      }
      const auto addr = reinterpret_cast<uintptr_t>(t.data.data());
      if (addr % DTypeSize(t.dtype) != 0) {
        realigned_.emplace_back((t.data.size() + 7) / 8);
        std::memcpy(realigned_.back().data(), t.data.data(), t.data.size());
        tensors_[i].data = reinterpret_cast<uint8_t*>(realigned_.back().data());
      } else {
        tensors_[i].data = const_cast<uint8_t*>(t.data.data());  // kernels never write inputs
      }
    }
  }

  thread_pool_ = std::make_unique<core::ThreadPool>(options_.num_threads);
  kernels_.reserve(g.ops.size());
  contexts_.reserve(g.ops.size());
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const ir::Op& op = g.ops[i];
    std::vector<RtTensor*> ins, outs;
    for (int t : op.inputs) ins.push_back(t < 0 ? nullptr : &tensors_[static_cast<size_t>(t)]);
    for (int t : op.outputs) outs.push_back(&tensors_[static_cast<size_t>(t)]);
    contexts_.emplace_back(static_cast<int>(i), &op, std::move(ins), std::move(outs));
    contexts_.back().set_thread_pool(thread_pool_.get());
    auto kernel = CreateReferenceKernel(op.type);
    if (!kernel) {
      return Unimplemented(source + ": op " + std::to_string(i) + " (" + ir::OpName(op) +
                           ") has no kernel yet");
    }
    Status s = kernel->Prepare(contexts_.back());
    if (!s.ok()) return s.WithContext(source);
    kernels_.push_back(std::move(kernel));
  }
  return PlanMemory();
}

Status Interpreter::PlanMemory() {
  const ir::Graph& g = *graph_;
  const int num_ops = static_cast<int>(g.ops.size());
  // Lifetimes of non-constant tensors: from the op that writes them (graph inputs: before the
  // first op) to their last reader (graph inputs and outputs: to the end, so inputs survive
  // an Invoke and outputs can be read after it).
  std::vector<int> first(g.tensors.size(), -1), last(g.tensors.size(), -1);
  for (int t : g.inputs) first[static_cast<size_t>(t)] = 0, last[static_cast<size_t>(t)] = num_ops;
  for (int i = 0; i < num_ops; ++i) {
    for (int t : g.ops[static_cast<size_t>(i)].inputs) {
      if (t >= 0) last[static_cast<size_t>(t)] = std::max(last[static_cast<size_t>(t)], i);
    }
    for (int t : g.ops[static_cast<size_t>(i)].outputs) {
      if (first[static_cast<size_t>(t)] < 0) first[static_cast<size_t>(t)] = i;
      last[static_cast<size_t>(t)] = std::max(last[static_cast<size_t>(t)], i);
    }
  }
  for (int t : g.outputs) last[static_cast<size_t>(t)] = num_ops;

  std::vector<BufferRequest> requests;
  std::vector<int> request_tensor;  // tensor index, or -1 - op index for scratch
  std::vector<int> request_scratch;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].is_constant() || first[t] < 0) continue;
    requests.push_back({g.tensors[t].byte_size(), first[t], last[t]});
    request_tensor.push_back(static_cast<int>(t));
    request_scratch.push_back(-1);
  }
  for (int i = 0; i < num_ops; ++i) {
    const auto& sizes = contexts_[static_cast<size_t>(i)].scratch_sizes();
    for (size_t s = 0; s < sizes.size(); ++s) {
      requests.push_back({sizes[s], i, i});
      request_tensor.push_back(-1 - i);
      request_scratch.push_back(static_cast<int>(s));
    }
  }
  ArenaPlan plan = PlanArena(requests, kArenaAlignment);
  EF_CHECK(PlanIsValid(requests, plan));
  arena_bytes_ = plan.arena_bytes;
  arena_ = static_cast<uint8_t*>(std::aligned_alloc(kArenaAlignment, std::max<size_t>(arena_bytes_, kArenaAlignment)));
  if (!arena_) return Internal("cannot allocate an arena of " + std::to_string(arena_bytes_) + " bytes");
  std::memset(arena_, 0, arena_bytes_);

  std::vector<std::vector<void*>> scratch(static_cast<size_t>(num_ops));
  for (size_t r = 0; r < requests.size(); ++r) {
    uint8_t* p = arena_ + plan.offsets[r];
    if (request_tensor[r] >= 0) {
      tensors_[static_cast<size_t>(request_tensor[r])].data = p;
    } else {
      auto& v = scratch[static_cast<size_t>(-1 - request_tensor[r])];
      v.resize(std::max(v.size(), static_cast<size_t>(request_scratch[r]) + 1));
      v[static_cast<size_t>(request_scratch[r])] = p;
    }
  }
  for (int i = 0; i < num_ops; ++i) contexts_[static_cast<size_t>(i)].set_scratch_ptrs(std::move(scratch[static_cast<size_t>(i)]));
  return Status::Ok();
}

Status Interpreter::Invoke() {
  if (profiling_) profile_.assign(kernels_.size(), {});
  for (size_t i = 0; i < kernels_.size(); ++i) {
    auto start = std::chrono::steady_clock::now();
    Status s = kernels_[i]->Eval(contexts_[i]);
    if (!s.ok()) return s;
    if (profiling_) {
      profile_[i].op_index = static_cast<int>(i);
      profile_[i].seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  return Status::Ok();
}

}  // namespace edgeforge::runtime
