#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>

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

}  // namespace
}  // namespace edgeforge::core
