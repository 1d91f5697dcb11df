// qs8_gemm_32x64c4__amx: the kC4 format on AMX tiles. TDPBUSD (uint8 layers) or TDPBSSD (int8
// layers: A stays s8, see qs8_gemm.h) multiplies a 16-row x 64-byte A tile by a 16 x 64-byte s8
// B tile — one B tile row holds 4 taps of 16 output channels,
// which is exactly a packed panel's layout, so B tiles load straight from the packed weights
// (stride 64). Four accumulator tiles cover 32 rows x 32 columns (A and B tiles of each 64-tap
// chunk loaded once, used twice); two such passes fill a 32 x 64 work item, whose rows the
// AVX-512 output stage then narrows 64 bytes at a time. K up to 64 runs as one chunk of K
// bytes (the tile shape is configured to it), longer K in chunks of 64 (packed with zeros to a
// multiple). Accumulators reach the output stage through a buffer in memory, double-buffered
// so that the tile work of one item overlaps the vector work of the previous one.
// GCC 12 reports its own _mm512_undefined_* idiom as (maybe-)uninitialized; silence it for
// the intrinsics headers included below.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "core/check.h"
#include "kernels/optimized/qs8_epilogue_avx512_inl.h"
#include "kernels/optimized/qs8_gemm.h"

namespace edgeforge::kernels::optimized {

namespace {

// The 64-byte LDTILECFG operand (palette 1).
struct alignas(64) TileConfig {
  uint8_t palette_id = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64);

// Tile registers: 0-3 accumulators (C[row tile][panel]), 4-5 A, 6-7 B.
void ConfigureTiles(int32_t chunk_bytes) {
  TileConfig config;
  for (int t = 0; t < 4; ++t) config.rows[t] = 16, config.colsb[t] = 64;
  for (int t = 4; t < 6; ++t) config.rows[t] = 16, config.colsb[t] = static_cast<uint16_t>(chunk_bytes);
  for (int t = 6; t < 8; ++t) config.rows[t] = static_cast<uint8_t>(chunk_bytes / 4), config.colsb[t] = 64;
  _tile_loadconfig(&config);
}

constexpr int kTileRows = 16;
constexpr int kItemPanels = 4;  // columns per work item: 4 panels, one 64-byte output row run
constexpr size_t kBufferStride = kItemPanels * kPanelWidth * sizeof(int32_t);  // bytes per row
constexpr size_t kBufferInts = 2 * kTileRows * kItemPanels * kPanelWidth;

// Accumulates rows [row0, row0 + 16 or 32) x panels [panel0, panel0 + 1 or 2) into tiles 0-3
// and stores them to `buffer` ([32][64] int32) at columns 16 * buffer_panel.
template <bool kSignedA, bool kTwoRowTiles, bool kTwoPanels>
void AccumulatePair(const Qs8GemmBlock& block, int32_t row0, int32_t panel0, int32_t chunks,
                    int32_t* buffer, int32_t buffer_panel) {
  const uint8_t* a = static_cast<const uint8_t*>(block.a) + row0 * block.a_stride;
  const int8_t* b = static_cast<const int8_t*>(block.b) + panel0 * block.b_panel_stride;
  const size_t a_tile_offset = kTileRows * block.a_stride;
  _tile_zero(0);
  if constexpr (kTwoPanels) _tile_zero(1);
  if constexpr (kTwoRowTiles) _tile_zero(2);
  if constexpr (kTwoRowTiles && kTwoPanels) _tile_zero(3);
  for (int32_t chunk = 0; chunk < chunks; ++chunk) {
    const uint8_t* a_chunk = a + chunk * 64;
    const int8_t* b_chunk = b + chunk * 64 * kPanelWidth;  // 16 groups of 4 taps x 16 lanes
    _tile_loadd(4, a_chunk, block.a_stride);
    _tile_loadd(6, b_chunk, 64);
    if constexpr (kTwoPanels) _tile_loadd(7, b_chunk + block.b_panel_stride, 64);
    if constexpr (kTwoRowTiles) _tile_loadd(5, a_chunk + a_tile_offset, block.a_stride);
    if constexpr (kSignedA) {
      _tile_dpbssd(0, 4, 6);
      if constexpr (kTwoPanels) _tile_dpbssd(1, 4, 7);
      if constexpr (kTwoRowTiles) _tile_dpbssd(2, 5, 6);
      if constexpr (kTwoRowTiles && kTwoPanels) _tile_dpbssd(3, 5, 7);
    } else {
      _tile_dpbusd(0, 4, 6);
      if constexpr (kTwoPanels) _tile_dpbusd(1, 4, 7);
      if constexpr (kTwoRowTiles) _tile_dpbusd(2, 5, 6);
      if constexpr (kTwoRowTiles && kTwoPanels) _tile_dpbusd(3, 5, 7);
    }
  }
  auto* out = reinterpret_cast<uint8_t*>(buffer) + buffer_panel * 64;
  _tile_stored(0, out, kBufferStride);
  if constexpr (kTwoPanels) _tile_stored(1, out + 64, kBufferStride);
  if constexpr (kTwoRowTiles) _tile_stored(2, out + kTileRows * kBufferStride, kBufferStride);
  if constexpr (kTwoRowTiles && kTwoPanels) {
    _tile_stored(3, out + kTileRows * kBufferStride + 64, kBufferStride);
  }
}

// A work item: up to 32 rows x up to 4 panels.
struct Item {
  int32_t row0, rows, panel0, panels;
};

template <bool kSignedA>
void Accumulate(const Qs8GemmBlock& block, const Item& item, int32_t chunks, int32_t* buffer) {
  const bool two_row_tiles = item.rows > kTileRows;
  for (int32_t p = 0; p < item.panels; p += 2) {
    const bool two_panels = p + 1 < item.panels;
    if (two_row_tiles && two_panels) {
      AccumulatePair<kSignedA, true, true>(block, item.row0, item.panel0 + p, chunks, buffer, p);
    } else if (two_row_tiles) {
      AccumulatePair<kSignedA, true, false>(block, item.row0, item.panel0 + p, chunks, buffer, p);
    } else if (two_panels) {
      AccumulatePair<kSignedA, false, true>(block, item.row0, item.panel0 + p, chunks, buffer, p);
    } else {
      AccumulatePair<kSignedA, false, false>(block, item.row0, item.panel0 + p, chunks, buffer, p);
    }
  }
}

// Bias, row correction and output stage for one item from the buffer.
template <int kPanels>
void Finish(const Qs8GemmBlock& block, const Item& item, const int32_t* buffer) {
  __m512i bias[kPanels];
  for (int p = 0; p < kPanels; ++p) {
    bias[p] = _mm512_loadu_si512(block.column_bias + (item.panel0 + p) * kPanelWidth);
  }
  const int32_t row0 = item.row0;
  const int32_t col0 = item.panel0 * kPanelWidth;
  const int32_t count = block.cols - col0;
  const int32_t* correction = block.row_correction != nullptr ? block.row_correction + row0 : nullptr;
  // Locals, not block fields: byte stores may alias anything, so fields would be reloaded.
  const Avx512OutputStage stage(block);
  const float* scale = block.scale + col0;
  int32_t* raw = block.c_int32 != nullptr ? block.c_int32 + row0 * block.c_int32_stride + col0 : nullptr;
  const size_t raw_stride = block.c_int32_stride;
  uint8_t* out = block.c + row0 * block.c_stride + col0;
  const size_t c_stride = block.c_stride;
  const int32_t rows = item.rows;
  if constexpr (kPanels <= 2) {
    // Rows of 16 or 32 bytes that follow each other in the output: 64 bytes per store.
    constexpr int kRowsPerStore = 4 / kPanels;
    if (raw == nullptr && c_stride == static_cast<size_t>(count) && count == kPanels * kPanelWidth) {
      __m512 s[4];
      for (int v = 0; v < 4; ++v) s[v] = _mm512_loadu_ps(scale + (v % kPanels) * kPanelWidth);
      int32_t r = 0;
      for (; r < rows; r += kRowsPerStore) {
        __m512i acc[4];
#pragma GCC unroll 4
        for (int v = 0; v < 4; ++v) {
          const int32_t row = std::min(r + v / kPanels, rows - 1);
          const int p = v % kPanels;
          const __m512i row_term = correction != nullptr ? _mm512_set1_epi32(correction[row]) : _mm512_setzero_si512();
          acc[v] = _mm512_add_epi32(
              _mm512_add_epi32(_mm512_load_si512(buffer + row * kItemPanels * kPanelWidth + p * kPanelWidth), bias[p]),
              row_term);
        }
        const int32_t bytes = std::min(kRowsPerStore, rows - r) * count;
        stage.Store<4>(acc, s, bytes, out + r * c_stride);
      }
      return;
    }
  }
  for (int32_t r = 0; r < rows; ++r) {
    const int32_t* src = buffer + r * kItemPanels * kPanelWidth;
    const __m512i row_term = correction != nullptr ? _mm512_set1_epi32(correction[r]) : _mm512_setzero_si512();
    __m512i acc[kPanels];
#pragma GCC unroll 4
    for (int p = 0; p < kPanels; ++p) {
      acc[p] = _mm512_add_epi32(_mm512_add_epi32(_mm512_load_si512(src + p * kPanelWidth), bias[p]), row_term);
    }
    if (raw != nullptr) {
      for (int p = 0; p < kPanels; ++p) {
        StoreRaw(acc[p], ColumnMask(count - p * kPanelWidth), raw + r * raw_stride + p * kPanelWidth);
      }
    } else {
      stage.StoreRow<kPanels>(acc, scale, count, out + r * c_stride);
    }
  }
}

void Finish(const Qs8GemmBlock& block, const Item& item, const int32_t* buffer) {
  switch (item.panels) {
    case 4: Finish<4>(block, item, buffer); break;
    case 3: Finish<3>(block, item, buffer); break;
    case 2: Finish<2>(block, item, buffer); break;
    default: Finish<1>(block, item, buffer); break;
  }
}

}  // namespace

void Qs8GemmC4Amx(const Qs8GemmBlock& block) {
  // kp <= 64: one chunk of kp bytes; else whole 64-byte chunks (Qs8PaddedK guarantees it).
  const int32_t chunk_bytes = std::min<int32_t>(block.kp, 64);
  EF_CHECK_EQ(block.kp % chunk_bytes, 0);
  const int32_t chunks = block.kp / chunk_bytes;
  ConfigureTiles(chunk_bytes);
  // Two buffers, software pipelined: the tiles of item i+1 are multiplied and stored while
  // the vector units requantize item i, so AMX and AVX-512 work overlap.
  alignas(64) int32_t buffers[2][kBufferInts];
  const int32_t panels = (block.cols + kPanelWidth - 1) / kPanelWidth;
  Item pending{};
  bool has_pending = false;
  int which = 0;
  for (int32_t panel = 0; panel < panels; panel += kItemPanels) {
    for (int32_t row = 0; row < block.rows; row += 2 * kTileRows) {
      const Item item{row, std::min<int32_t>(2 * kTileRows, block.rows - row), panel,
                      std::min<int32_t>(kItemPanels, panels - panel)};
      if (block.a_is_signed) {
        Accumulate<true>(block, item, chunks, buffers[which]);
      } else {
        Accumulate<false>(block, item, chunks, buffers[which]);
      }
      if (has_pending) Finish(block, pending, buffers[which ^ 1]);
      pending = item;
      has_pending = true;
      which ^= 1;
    }
  }
  if (has_pending) Finish(block, pending, buffers[which ^ 1]);
  _tile_release();
}

}  // namespace edgeforge::kernels::optimized
