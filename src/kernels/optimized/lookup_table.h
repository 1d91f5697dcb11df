// Any elementwise function of one 8-bit value is a 256-entry table: building the table with the
// reference kernel makes the fast path exact by construction (used for 8-bit requantization).
#pragma once

#include <array>
#include <cstdint>

namespace edgeforge::kernels::optimized {

using ByteTable = std::array<uint8_t, 256>;

// out[i] = table[in[i]] (int8 data is read and written as its raw bytes).
inline void ApplyByteTable(int64_t count, const ByteTable& table, const uint8_t* in, uint8_t* out) {
  for (int64_t i = 0; i < count; ++i) out[i] = table[in[i]];
}

}  // namespace edgeforge::kernels::optimized
