#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <random>

namespace edgeforge::runtime {
namespace {

TEST(MemoryPlanner, ChainReusesMemory) {
  // a -> b -> c -> d: at most two buffers alive at once.
  std::vector<BufferRequest> r = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  ArenaPlan p = PlanArena(r, 64);
  EXPECT_TRUE(PlanIsValid(r, p));
  EXPECT_LE(p.arena_bytes, 2048u);
}

TEST(MemoryPlanner, RandomLifetimesNeverOverlap) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 200; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    std::vector<BufferRequest> r;
    size_t total = 0;
    int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      int a = static_cast<int>(rng() % 30), b = a + static_cast<int>(rng() % 6);
      r.push_back({static_cast<size_t>(rng() % 5000), a, b});
      total += (r.back().size + 63) / 64 * 64;
    }
    ArenaPlan p = PlanArena(r, 64);
    ASSERT_TRUE(PlanIsValid(r, p));
    EXPECT_LE(p.arena_bytes, total);
    for (size_t i = 0; i < r.size(); ++i) EXPECT_EQ(p.offsets[i] % 64, 0u);
  }
}

TEST(MemoryPlanner, EmptyPlan) {
  ArenaPlan p = PlanArena({}, 64);
  EXPECT_EQ(p.arena_bytes, 0u);
}

}  // namespace
}  // namespace edgeforge::runtime
