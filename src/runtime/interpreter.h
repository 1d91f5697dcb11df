// Runs an ir::Graph: verify, create one kernel per op, Prepare each once, plan every
// activation (and each op's scratch) into one arena, then Invoke any number of times.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "runtime/op_kernel.h"

namespace edgeforge::runtime {

struct InterpreterOptions {
  int num_threads = 1;
};

// Time spent in each op during the last Invoke (filled when profiling is on).
struct OpTiming {
  int op_index = 0;
  double seconds = 0;
};

class Interpreter {
 public:
  // `source` names the model in error messages (usually its path). The graph is kept.
  static StatusOr<std::unique_ptr<Interpreter>> Create(std::shared_ptr<const ir::Graph> graph,
                                                       const std::string& source,
                                                       InterpreterOptions options = {});
  ~Interpreter();

  const ir::Graph& graph() const { return *graph_; }
  size_t num_inputs() const { return graph_->inputs.size(); }
  size_t num_outputs() const { return graph_->outputs.size(); }
  RtTensor& input(size_t i) { return tensors_[static_cast<size_t>(graph_->inputs.at(i))]; }
  const RtTensor& output(size_t i) const { return tensors_[static_cast<size_t>(graph_->outputs.at(i))]; }
  const RtTensor& tensor(int index) const { return tensors_.at(static_cast<size_t>(index)); }

  Status Invoke();

  size_t arena_bytes() const { return arena_bytes_; }
  void set_profiling(bool on) { profiling_ = on; }
  const std::vector<OpTiming>& last_profile() const { return profile_; }

 private:
  Interpreter() = default;
  Status Prepare(const std::string& source);
  Status PlanMemory();

  std::shared_ptr<const ir::Graph> graph_;
  InterpreterOptions options_;
  std::unique_ptr<core::ThreadPool> thread_pool_;
  std::vector<RtTensor> tensors_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  std::vector<OpContext> contexts_;
  // Constants whose bytes in the file are not aligned for their type, copied once.
  std::vector<std::vector<uint64_t>> realigned_;
  uint8_t* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  bool profiling_ = false;
  std::vector<OpTiming> profile_;
};

// The message for an op edgeforge cannot run (names the op, and for Edge TPU compiled models
// says which runtime they need).
Status UnsupportedOpError(const ir::Graph& graph, size_t op_index, const std::string& source);

}  // namespace edgeforge::runtime
