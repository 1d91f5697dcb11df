// The 8-bit GEMM's activation packing: the AVX-512 packer (what the VNNI and AMX kernels use)
// against the portable one (the specification) for the kC4 format — same packed bytes in
// every row's [0, kp) and the same row corrections — over pointwise rows with K padding, short
// stem-like filter rows, padding, strides, dilation, batches, s8 and u8 activations.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cpu_features.h"
#include "kernels/optimized/gemm_aligned_buffer.h"
#include "kernels/optimized/qs8_pack.h"

namespace edgeforge::kernels::optimized {
namespace {

struct PackCase {
  ConvGeometry g;
  int32_t kp;
  bool is_uint8;
  bool signed_a;
  int32_t zx, zw;
};

std::string Describe(const PackCase& c) {
  std::ostringstream os;
  os << "batches=" << c.g.batches << " in=" << c.g.in_h << "x" << c.g.in_w << "x" << c.g.in_c
     << " out=" << c.g.out_h << "x" << c.g.out_w << " k=" << c.g.k_h << "x" << c.g.k_w << " stride="
     << c.g.stride_h << "," << c.g.stride_w << " dil=" << c.g.dilation_h << "," << c.g.dilation_w
     << " pad=" << c.g.pad_top << "," << c.g.pad_left << " kp=" << c.kp << (c.is_uint8 ? " uint8" : " int8")
     << (c.signed_a ? " signed-a" : "") << " zx=" << c.zx << " zw=" << c.zw;
  return os.str();
}

void ExpectSamePacking(const PackCase& c, uint32_t seed) {
  SCOPED_TRACE(Describe(c) + " seed=" + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<uint8_t> input(static_cast<size_t>(c.g.batches) * c.g.in_h * c.g.in_w * c.g.in_c);
  for (auto& v : input) v = static_cast<uint8_t>(rng());
  std::vector<uint8_t> filter(static_cast<size_t>(c.g.n()) * c.g.k());
  for (auto& v : filter) v = static_cast<uint8_t>(rng());
  const Qs8Operands operands{c.is_uint8, c.zx, c.zw};
  Qs8PackedWeights w;
  PackQs8Weights(Qs8Format::kC4, c.kp, c.signed_a, operands, c.g.n(), c.g.k(), filter.data(), nullptr, &w);

  const int64_t m = c.g.m();
  // Blocks of odd sizes, as the work split makes them.
  for (int64_t block : {m, int64_t{7}, int64_t{1}}) {
    for (int64_t m0 = 0; m0 < m; m0 += block) {
      const int64_t m1 = std::min(m, m0 + block);
      const size_t bytes = static_cast<size_t>(m1 - m0) * c.kp + kPackSlack;
      GemmAlignedBuffer expected(bytes), got(bytes);
      std::vector<int32_t> expected_corr(static_cast<size_t>(m1 - m0), -1), got_corr(expected_corr);
      PackQs8Rows(c.g, w, operands, input.data(), m0, m1, expected.as<void>(), c.kp, expected_corr.data());
      PackQs8RowsC4Avx512(c.g, w, operands, input.data(), m0, m1, got.as<void>(), c.kp, got_corr.data());
      for (int64_t r = 0; r < m1 - m0; ++r) {
        ASSERT_EQ(0, std::memcmp(expected.as<uint8_t>() + r * c.kp, got.as<uint8_t>() + r * c.kp, c.kp))
            << "row " << m0 + r << " of block [" << m0 << ", " << m1 << ")";
      }
      if (w.row_correction_factor != 0) {
        EXPECT_EQ(expected_corr, got_corr);
      }
    }
  }
}

ConvGeometry Spatial(int batches, int in_h, int in_w, int in_c, int k, int stride, int dilation, bool same) {
  ConvGeometry g;
  g.batches = batches;
  g.in_h = in_h, g.in_w = in_w, g.in_c = in_c, g.out_c = 20;
  g.k_h = g.k_w = k;
  g.stride_h = g.stride_w = stride;
  g.dilation_h = g.dilation_w = dilation;
  const int effective = (k - 1) * dilation + 1;
  if (same) {
    g.out_h = (in_h + stride - 1) / stride;
    g.out_w = (in_w + stride - 1) / stride;
    g.pad_top = std::max((g.out_h - 1) * stride + effective - in_h, 0) / 2;
    g.pad_left = std::max((g.out_w - 1) * stride + effective - in_w, 0) / 2;
  } else {
    g.out_h = (in_h - effective) / stride + 1;
    g.out_w = (in_w - effective) / stride + 1;
  }
  return g;
}

TEST(KernelsGemmPack, Avx512PackerMatchesPortable) {
  if (!core::IsaAvailable(core::Isa::kAvx512)) GTEST_SKIP() << "no AVX-512 here";
  const ConvGeometry geometries[] = {
      Spatial(1, 1, 37, 24, 1, 1, 1, true),   // pointwise, K = kp
      Spatial(1, 1, 29, 144, 1, 1, 1, true),  // pointwise, K padded to 192 below
      Spatial(2, 15, 15, 3, 3, 2, 1, true),   // stem: short filter rows
      Spatial(1, 9, 9, 3, 3, 1, 1, false),    // short rows reaching the end of the input
      Spatial(1, 8, 11, 1, 3, 1, 1, true),
      Spatial(2, 7, 9, 20, 3, 1, 1, true),    // long filter rows
      Spatial(1, 10, 10, 5, 3, 1, 2, true),   // dilation
      Spatial(1, 12, 13, 70, 2, 2, 1, true),  // taps longer than 64 bytes
  };
  uint32_t seed = 40;
  for (const ConvGeometry& g : geometries) {
    const int32_t k = g.k();
    for (int32_t kp : {(k + 3) / 4 * 4, (k + 63) / 64 * 64}) {
      // int8 shifted, int8 signed (AMX), int8 per-tensor with a zero point (correction),
      // uint8 that fits, uint8 that needs the correction.
      const PackCase cases[] = {{g, kp, false, false, -5, 0},  {g, kp, false, true, 17, 0},
                                {g, kp, false, true, 3, -90},  {g, kp, false, false, 3, 100},
                                {g, kp, true, false, 128, 128}, {g, kp, true, false, 250, 40}};
      for (const PackCase& c : cases) ExpectSamePacking(c, seed++);
    }
  }
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
