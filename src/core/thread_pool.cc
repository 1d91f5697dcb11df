#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace edgeforge::core {

namespace {

// Covers the gap between two ops' ParallelFor calls and the imbalance at a join (a few µs to a
// few tens of µs on MobileNetV2), and no more: on an oversubscribed machine a spinning thread
// may hold the very core the thread it waits for needs. Measured (tf2_mobilenet_v2 int8, 2
// threads, loaded 2-core machine, interleaved): 5 µs 1.73 ms, 15 µs ~2.0 ms, 30 µs 1.60 ms median.
constexpr std::chrono::microseconds kSpin{30};

// Chunk counts live in 16 bits of the state word.
constexpr int kMaxThreads = 1024;

// Tells the core we are spinning: frees pipeline resources for the sibling hyperthread and
// avoids the memory-order mis-speculation penalty when the awaited store lands.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls `ready` for up to kSpin; the clock is read once per 16 polls (it costs ~20 ns, a pause
// ~40 ns on recent x86).
template <typename Ready>
bool SpinUntil(Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      if (ready()) return true;
      CpuRelax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return ready();
  }
}

constexpr uint32_t Generation(uint64_t s) { return static_cast<uint32_t>(s >> 32); }
constexpr int64_t Chunks(uint64_t s) { return static_cast<int64_t>((s >> 16) & 0xFFFF); }
constexpr int64_t NextChunk(uint64_t s) { return static_cast<int64_t>(s & 0xFFFF); }
constexpr uint64_t Pack(uint32_t generation, int64_t chunks) {
  return (uint64_t{generation} << 32) | (static_cast<uint64_t>(chunks) << 16);
}

// Chunk c of `chunks` equal parts of [0, n).
std::pair<int64_t, int64_t> ChunkRange(int64_t n, int64_t chunks, int64_t c) {
  return {n * c / chunks, n * (c + 1) / chunks};
}

}  // namespace

ThreadPool::ThreadPool(int num_threads) : num_threads_(std::clamp(num_threads, 1, kMaxThreads)) {
  for (int i = 1; i < num_threads_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_relaxed);
  state_.store(Pack(Generation(state_.load(std::memory_order_relaxed)) + 1, 0), std::memory_order_seq_cst);
  { std::lock_guard<std::mutex> lock(mu_); }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

uint64_t ThreadPool::AwaitNewJob(uint32_t seen) {
  uint64_t s = 0;
  auto changed = [&] { return Generation(s = state_.load(std::memory_order_seq_cst)) != seen; };
  if (SpinUntil(changed)) return s;
  std::unique_lock<std::mutex> lock(mu_);
  sleeping_workers_.fetch_add(1, std::memory_order_seq_cst);
  start_cv_.wait(lock, changed);
  sleeping_workers_.fetch_sub(1, std::memory_order_relaxed);
  return s;
}

bool ThreadPool::Claim(int64_t& chunk, uint64_t& claimed_from) {
  uint64_t s = state_.load(std::memory_order_acquire);
  while (NextChunk(s) < Chunks(s)) {
    // A successful claim reads the release sequence of the caller's publishing store, so the
    // job fields of that generation are visible; they stay valid until this chunk is counted.
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      chunk = NextChunk(s);
      claimed_from = s;
      return true;
    }
  }
  return false;
}

void ThreadPool::RunChunk(int64_t chunk, int64_t chunks, bool wake_caller) {
  auto [b, e] = ChunkRange(job_n_, chunks, chunk);
  (*job_)(b, e);
  // After this count the caller may return and reuse the job fields: touch none of them.
  if (done_.fetch_add(1, std::memory_order_seq_cst) + 1 == chunks && wake_caller &&
      caller_sleeping_.load(std::memory_order_seq_cst)) {
    { std::lock_guard<std::mutex> lock(mu_); }
    done_cv_.notify_one();
  }
}

void ThreadPool::WorkerLoop() {
  uint32_t seen = 0;
  for (;;) {
    seen = Generation(AwaitNewJob(seen));
    if (stop_.load(std::memory_order_relaxed)) return;
    int64_t chunk;
    uint64_t from;
    while (Claim(chunk, from)) {
      RunChunk(chunk, Chunks(from), /*wake_caller=*/true);
      seen = Generation(from);
    }
  }
}

void ThreadPool::ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t chunks = std::min<int64_t>(num_threads_, (n + grain - 1) / grain);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  job_ = &fn;
  job_n_ = n;
  done_.store(0, std::memory_order_relaxed);
  const uint32_t generation = Generation(state_.load(std::memory_order_relaxed)) + 1;
  // Chunk 0 is the caller's, published as already claimed: with the same split, consecutive ops
  // then give the same part of a tensor to the same thread, so a memory-bound op finds its
  // input in its own core's cache instead of the other core's half of the time.
  state_.store(Pack(generation, chunks) + 1, std::memory_order_seq_cst);
  if (sleeping_workers_.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    start_cv_.notify_all();
  }
  RunChunk(0, chunks, /*wake_caller=*/false);
  int64_t chunk;
  uint64_t from;
  while (Claim(chunk, from)) RunChunk(chunk, chunks, /*wake_caller=*/false);

  // Only chunks a worker has claimed and not yet finished remain.
  auto done = [&] { return done_.load(std::memory_order_seq_cst) == chunks; };
  if (SpinUntil(done)) return;
  std::unique_lock<std::mutex> lock(mu_);
  caller_sleeping_.store(true, std::memory_order_seq_cst);
  done_cv_.wait(lock, done);
  caller_sleeping_.store(false, std::memory_order_relaxed);
}

ThreadPool& InlineThreadPool() {
  static ThreadPool pool(1);
  return pool;
}

}  // namespace edgeforge::core
