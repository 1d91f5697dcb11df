// A fixed set of interpreters over one model; a request borrows one for the time it takes to
// fill the input and invoke. Interpreters are not thread-safe, but the model is shared, so N
// interpreters cost N arenas and no extra weights.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "edgeforge/interpreter.h"
#include "edgeforge/status.h"

namespace edgeforge::serve {

class InterpreterPool {
 public:
  // Gives an interpreter back to its pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), index_(other.index_) { other.pool_ = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Interpreter& interpreter() const;

   private:
    friend class InterpreterPool;
    Lease(InterpreterPool* pool, size_t index) : pool_(pool), index_(index) {}
    InterpreterPool* pool_;
    size_t index_;
  };

  // `size` interpreters, each single-threaded: a server gets its parallelism from concurrent
  // requests, not from splitting one invoke.
  [[nodiscard]] static StatusOr<std::unique_ptr<InterpreterPool>> Create(
      std::shared_ptr<const Model> model, size_t size);

  // Blocks until an interpreter is free.
  Lease Borrow();
  size_t size() const { return interpreters_.size(); }
  // Arena bytes of one interpreter (all are alike).
  size_t arena_bytes() const { return interpreters_.front()->arena_bytes(); }

 private:
  InterpreterPool() = default;
  void GiveBack(size_t index);

  std::vector<std::unique_ptr<Interpreter>> interpreters_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<size_t> free_;  // indices into interpreters_, guarded by mu_
};

}  // namespace edgeforge::serve
