#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace edgeforge::runtime {

namespace {
bool LifetimesOverlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}
size_t AlignUp(size_t v, size_t a) { return (v + a - 1) / a * a; }
}  // namespace

ArenaPlan PlanArena(const std::vector<BufferRequest>& requests, size_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  // Largest first; ties by first use so the plan is deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].size != requests[b].size) return requests[a].size > requests[b].size;
    return requests[a].first_use < requests[b].first_use;
  });

  std::vector<size_t> placed;  // indices already given an offset, sorted by offset
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    if (r.size == 0) continue;
    // Walk the live neighbours in offset order and take the first gap that fits.
    size_t candidate = 0;
    for (size_t p : placed) {
      if (!LifetimesOverlap(r, requests[p])) continue;
      size_t p_begin = plan.offsets[p], p_end = p_begin + requests[p].size;
      if (candidate + r.size <= p_begin) break;
      candidate = std::max(candidate, AlignUp(p_end, alignment));
    }
    plan.offsets[idx] = candidate;
    plan.arena_bytes = std::max(plan.arena_bytes, candidate + r.size);
    auto pos = std::upper_bound(placed.begin(), placed.end(), candidate,
                                [&](size_t off, size_t p) { return off < plan.offsets[p]; });
    placed.insert(pos, idx);
  }
  plan.arena_bytes = AlignUp(plan.arena_bytes, alignment);
  return plan;
}

bool PlanIsValid(const std::vector<BufferRequest>& requests, const ArenaPlan& plan) {
  for (size_t i = 0; i < requests.size(); ++i) {
    if (plan.offsets[i] + requests[i].size > plan.arena_bytes) return false;
    for (size_t j = i + 1; j < requests.size(); ++j) {
      if (requests[i].size == 0 || requests[j].size == 0) continue;
      if (!LifetimesOverlap(requests[i], requests[j])) continue;
      size_t a0 = plan.offsets[i], a1 = a0 + requests[i].size;
      size_t b0 = plan.offsets[j], b1 = b0 + requests[j].size;
      if (a0 < b1 && b0 < a1) return false;
    }
  }
  return true;
}

}  // namespace edgeforge::runtime
