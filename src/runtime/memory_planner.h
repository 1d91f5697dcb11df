// Greedy lifetime-based arena planning (TFLite Micro's GreedyMemoryPlanner): every buffer has a
// first and last use (op indices, inclusive); buffers are placed largest first at the lowest
// offset that does not overlap any already placed buffer whose lifetime intersects.
#pragma once

#include <cstddef>
#include <vector>

namespace edgeforge::runtime {

struct BufferRequest {
  size_t size = 0;
  int first_use = 0;
  int last_use = 0;
};

struct ArenaPlan {
  std::vector<size_t> offsets;  // one per request
  size_t arena_bytes = 0;
};

ArenaPlan PlanArena(const std::vector<BufferRequest>& requests, size_t alignment = 64);

// True when no two buffers that are alive at the same time overlap (used by tests).
bool PlanIsValid(const std::vector<BufferRequest>& requests, const ArenaPlan& plan);

}  // namespace edgeforge::runtime
