// qs8_gemm_32x32c4__amx: the kC4 format on AMX tiles. TDPBUSD multiplies a 16-row x 64-byte
// u8 A tile by a 16 x 64-byte s8 B tile — one B tile row holds 4 taps of 16 output channels,
// which is exactly a packed panel's layout, so B tiles load straight from the packed weights
// (stride 64). Four accumulator tiles cover 32 rows x 32 columns; the A and B tiles of each
// 64-tap chunk are loaded once and used twice. K up to 64 runs as one chunk of K bytes (the
// tile shape is configured to it), longer K in chunks of 64 (packed with zeros to a multiple).
// Accumulator tiles go through a small buffer to the AVX-512 output stage.
// GCC 12 reports its own _mm512_undefined_* idiom as maybe-uninitialized; silence it for
// the intrinsics headers included below.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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
constexpr size_t kBufferStride = 2 * kPanelWidth * sizeof(int32_t);  // bytes per buffer row

// Accumulates up to 32 rows x 32 columns into tiles 0-3 and stores them to `buffer`
// ([32][32] int32; row tile i, panel j at rows 16i, columns 16j).
template <bool kTwoRowTiles, bool kTwoPanels>
void AccumulateBlock(const Qs8GemmBlock& block, int32_t row0, int32_t panel0, int32_t chunks,
                     int32_t chunk_bytes, int32_t* buffer) {
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
    _tile_dpbusd(0, 4, 6);
    if constexpr (kTwoPanels) _tile_dpbusd(1, 4, 7);
    if constexpr (kTwoRowTiles) _tile_dpbusd(2, 5, 6);
    if constexpr (kTwoRowTiles && kTwoPanels) _tile_dpbusd(3, 5, 7);
  }
  (void)chunk_bytes;
  auto* out = reinterpret_cast<uint8_t*>(buffer);
  _tile_stored(0, out, kBufferStride);
  if constexpr (kTwoPanels) _tile_stored(1, out + 64, kBufferStride);
  if constexpr (kTwoRowTiles) _tile_stored(2, out + kTileRows * kBufferStride, kBufferStride);
  if constexpr (kTwoRowTiles && kTwoPanels) {
    _tile_stored(3, out + kTileRows * kBufferStride + 64, kBufferStride);
  }
}

// Bias, row correction and output stage for `rows` x `panels` (1 or 2) of the buffer.
template <int kPanels>
void Finish(const Qs8GemmBlock& block, int32_t row0, int32_t rows, int32_t panel0,
            const int32_t* buffer) {
  __m512i bias[kPanels];
  for (int p = 0; p < kPanels; ++p) {
    bias[p] = _mm512_loadu_si512(block.column_bias + (panel0 + p) * kPanelWidth);
  }
  const int32_t col0 = panel0 * kPanelWidth;
  const int32_t count = block.cols - col0;
  const int32_t* correction = block.row_correction != nullptr ? block.row_correction + row0 : nullptr;
  // Locals, not block fields: byte stores may alias anything, so fields would be reloaded.
  const Avx512OutputStage stage(block);
  const float* scale = block.scale + col0;
  int32_t* raw = block.c_int32 != nullptr ? block.c_int32 + row0 * block.c_int32_stride + col0 : nullptr;
  const size_t raw_stride = block.c_int32_stride;
  uint8_t* out = block.c + row0 * block.c_stride + col0;
  const size_t c_stride = block.c_stride;
  for (int32_t r = 0; r < rows; ++r) {
    const int32_t* src = buffer + r * 2 * kPanelWidth;
    const __m512i row_term = correction != nullptr ? _mm512_set1_epi32(correction[r]) : _mm512_setzero_si512();
    __m512i acc[kPanels];
    for (int p = 0; p < kPanels; ++p) {
      acc[p] = _mm512_add_epi32(_mm512_add_epi32(_mm512_loadu_si512(src + p * kPanelWidth), bias[p]), row_term);
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

}  // namespace

void Qs8GemmC4Amx(const Qs8GemmBlock& block) {
  // kp <= 64: one chunk of kp bytes; else whole 64-byte chunks (Qs8PaddedK guarantees it).
  const int32_t chunk_bytes = std::min<int32_t>(block.kp, 64);
  EF_CHECK_EQ(block.kp % chunk_bytes, 0);
  const int32_t chunks = block.kp / chunk_bytes;
  ConfigureTiles(chunk_bytes);
  alignas(64) int32_t buffer[2 * kTileRows * 2 * kPanelWidth];
  const int32_t panels = (block.cols + kPanelWidth - 1) / kPanelWidth;
  for (int32_t panel = 0; panel < panels; panel += 2) {
    const bool two_panels = panel + 1 < panels;
    for (int32_t row = 0; row < block.rows; row += 2 * kTileRows) {
      const int32_t rows = std::min<int32_t>(2 * kTileRows, block.rows - row);
      const bool two_row_tiles = rows > kTileRows;
      if (two_row_tiles && two_panels) {
        AccumulateBlock<true, true>(block, row, panel, chunks, chunk_bytes, buffer);
      } else if (two_row_tiles) {
        AccumulateBlock<true, false>(block, row, panel, chunks, chunk_bytes, buffer);
      } else if (two_panels) {
        AccumulateBlock<false, true>(block, row, panel, chunks, chunk_bytes, buffer);
      } else {
        AccumulateBlock<false, false>(block, row, panel, chunks, chunk_bytes, buffer);
      }
      if (two_panels) {
        Finish<2>(block, row, rows, panel, buffer);
      } else {
        Finish<1>(block, row, rows, panel, buffer);
      }
    }
  }
  _tile_release();
}

}  // namespace edgeforge::kernels::optimized
