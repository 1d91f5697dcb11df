#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>

namespace edgeforge::core {
namespace {

TEST(CoreThreadPool, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 5, 7, 100, 1001}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + " n " + std::to_string(n));
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.ParallelFor(n, 3, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
      for (auto& h : hits) EXPECT_EQ(h.load(), 1);
    }
  }
}

TEST(CoreThreadPool, ManySmallJobs) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  for (int j = 0; j < 2000; ++j) {
    pool.ParallelFor(10, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) sum += i;
    });
  }
  EXPECT_EQ(sum.load(), 2000 * 45);
}

// Gaps longer than the spin window: workers and the caller go to sleep on the condition
// variables and must still be woken for every job (a lost wake-up hangs here).
TEST(CoreThreadPool, WakesWorkersThatWentToSleep) {
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    std::atomic<int64_t> sum{0};
    for (int j = 0; j < 20; ++j) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      pool.ParallelFor(threads, 1, [&](int64_t b, int64_t e) {
        // The caller's chunk finishes first and the caller sleeps in the join.
        if (b != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (int64_t i = b; i < e; ++i) sum += i + 1;
      });
    }
    EXPECT_EQ(sum.load(), 20 * threads * (threads + 1) / 2) << "threads " << threads;
  }
}

// Destroying a pool right after a job, while its workers are still spinning, or right after
// construction, must join them cleanly.
TEST(CoreThreadPool, DestroysWhileWorkersSpinOrSleep) {
  for (int round = 0; round < 50; ++round) {
    ThreadPool pool(2);
    std::atomic<int> hits{0};
    if (round % 2) pool.ParallelFor(2, 1, [&](int64_t b, int64_t e) { hits += static_cast<int>(e - b); });
    EXPECT_EQ(hits.load(), round % 2 ? 2 : 0);
  }
}

}  // namespace
}  // namespace edgeforge::core
