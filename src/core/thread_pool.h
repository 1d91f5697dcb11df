// A small fork-join thread pool for kernels: ParallelFor splits [0, n) into contiguous chunks,
// runs them on the calling thread plus (num_threads - 1) persistent workers, and returns when
// all are done. Results never depend on the thread count as long as each index writes only its
// own outputs (every kernel here partitions outputs, never reductions).
//
// Hand-offs spin briefly before sleeping: a MobileNet is ~100 ParallelFor calls a few tens of µs
// apart, and a condition-variable wake-up (~3 µs, more on a loaded machine) on each of them costs
// most of what a second thread gains. Workers that find nothing within the spin window sleep, so
// an idle pool costs no CPU.
#pragma once

#include <atomic>
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
  void WorkerLoop();
  // Spins, then sleeps, until the generation in state_ differs from `seen` (or stop_).
  uint64_t AwaitNewJob(uint32_t seen);
  // Claims the next unrun chunk of the job in state_: its index, and the state it was claimed
  // from; false when every chunk is taken.
  bool Claim(int64_t& chunk, uint64_t& claimed_from);
  // Runs chunk `chunk` of the job and counts it done; `chunks` is that job's chunk count.
  void RunChunk(int64_t chunk, int64_t chunks, bool wake_caller);

  int num_threads_;
  std::vector<std::thread> workers_;
  // The current job. Written by the caller before the release of state_ and read by whoever
  // claims a chunk of it; rewritten only after all its chunks are counted in done_.
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  // Chunks are claimed dynamically, by the caller as well as the workers: a worker that wakes
  // late (descheduled on a loaded machine) finds its chunk already run by the caller instead of
  // making the caller wait for it. Bits 63..32: job generation; 31..16: chunk count; 15..0: next
  // unclaimed chunk. One word, so a claim can never mix two jobs.
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> done_{0};  // chunks of the current job finished
  std::atomic<bool> stop_{false};
  // Sleeping after the spin. Sleepers announce themselves (seq_cst) before their last check, and
  // a waker that sees one takes mu_ before notifying, so no wake-up falls between check and wait.
  std::atomic<int> sleeping_workers_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::mutex mu_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
};

// A process-wide pool of one thread: ParallelFor runs inline.
ThreadPool& InlineThreadPool();

}  // namespace edgeforge::core
