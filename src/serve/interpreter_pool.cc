#include "serve/interpreter_pool.h"

#include <string>

#include "core/check.h"

namespace edgeforge::serve {

StatusOr<std::unique_ptr<InterpreterPool>> InterpreterPool::Create(
    std::shared_ptr<const Model> model, size_t size) {
  if (size == 0) return InvalidArgument("interpreter pool needs at least one interpreter");
  std::unique_ptr<InterpreterPool> pool(new InterpreterPool());
  for (size_t i = 0; i < size; ++i) {
    EF_ASSIGN_OR_RETURN(auto interpreter, Interpreter::Create(model, {.num_threads = 1}));
    pool->interpreters_.push_back(std::move(interpreter));
    pool->free_.push_back(i);
  }
  return pool;
}

InterpreterPool::Lease InterpreterPool::Borrow() {
  std::unique_lock lock(mu_);
  freed_.wait(lock, [&] { return !free_.empty(); });
  size_t index = free_.back();
  free_.pop_back();
  return Lease(this, index);
}

void InterpreterPool::GiveBack(size_t index) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(index);
  }
  freed_.notify_one();
}

InterpreterPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->GiveBack(index_);
}

Interpreter& InterpreterPool::Lease::interpreter() const {
  EF_CHECK(pool_ != nullptr);
  return *pool_->interpreters_[index_];
}

}  // namespace edgeforge::serve
