// A small fork-join thread pool for kernels: ParallelFor splits [0, n) into contiguous chunks,
// runs them on the calling thread plus (num_threads - 1) persistent workers, and returns when
// all are done. Results never depend on the thread count as long as each index writes only its
// own outputs (every kernel here partitions outputs, never reductions).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace edgeforge::core {

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Calls fn(begin, end) over disjoint chunks covering [0, n); chunks are at least `grain`
  // long (except the last). Runs inline when one thread or one chunk suffices. Not reentrant.
  void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop(int worker_index);

  int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  // The current job, published under mu_ with a new generation number.
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  int64_t job_chunks_ = 0;
  uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
};

// A process-wide pool of one thread: ParallelFor runs inline.
ThreadPool& InlineThreadPool();

}  // namespace edgeforge::core
