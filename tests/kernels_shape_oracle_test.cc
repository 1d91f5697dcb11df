// Goldens produced by the TFLite runtime itself (LiteRT.js 2.5.3, CPU/XNNPACK, through
// ../shared/tools/tflite-oracle) for one-op models built to match each case below: the op glue
// and reference kernels must reproduce them byte for byte. Inputs are generated (every value of
// the type, or the pattern lo + (97·i + 13) mod 256); outputs are the runtime's bytes in hex.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernels_shape_test_util.h"
#include "runtime/ops/ops.h"

namespace edgeforge {
namespace {

namespace ops = runtime::ops;
using testing::shape_ops::MakeConstTensor;
using testing::shape_ops::MakeQuantTensor;
using testing::shape_ops::MakeTensor;
using testing::shape_ops::OpHarness;

constexpr char k_hard_swish_int8[] =
    "c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4"
    "c4c4c4c4c4c3c2c2c1c0bfbfbebebdbdbcbcbbbbbababab9b9b9b8b8b8b8b8b8b8b8b7b8b8b8b8b8b8b8b8b9"
    "b9b9b9bababbbbbcbcbdbdbebebfbfc0c1c2c2c3c4c5c6c7c8c9c9cbcccdcecfd0d1d2d4d5d6d7d9dadcdddf"
    "e0e2e3e5e6e8eaebedeff0f2f4f6f8fafcfe00020406080a0c0e10131517191c1e212326282a2b2d2f303234"
    "3537393a3c3e3f4143444648494b4d4e5052535557585a5c5d5f6162646667696b6c6e7071737576787a7b7d"
    "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f"
    ;
constexpr char k_hard_swish_uint8[] =
    "2828282828282828282828282828282828282828282828282828282828282828282828282828282828282828"
    "2828282828282828282828282828282828282828282828282828282828282828282828282828282828282828"
    "2828282828282828282828282827272626252524242423232323232323232323232324242525262627272829"
    "2a2a2b2c2d2e2f303233343537383a3b3d3e4042434547494b4d4f5153545657595a5b5d5e60616364656768"
    "6a6b6d6e6f717274757778797b7c7e7f818283858688898b8c8d8f909293959697999a9c9d9fa0a1a3a4a6a7"
    "a9aaabadaeb0b1b3b4b5b7b8babbbdbebfc1c2c4c5c7c8c9cbcccecfd1d2d3d5d6d8d9db"
    ;
constexpr char k_logistic_int8[] =
    "8080808080808080808080808080808080808080808080808080808080808080808081818181818181818181"
    "818181818181818282828282828282828383838383848484848585858686868787888888898a8a8b8b8c8d8e"
    "8f8f90919293959697989a9b9d9fa0a2a4a6a8aaacafb1b4b6b9bcbfc2c5c8cbcfd2d6d9dde1e4e8ecf0f4f8"
    "fc0004080c1014181c1f23272a2e3135383b3e4144474a4c4f515456585a5c5e606163656668696a6b6d6e6f"
    "707171727374757576767778787879797a7a7a7b7b7b7c7c7c7c7d7d7d7d7d7e7e7e7e7e7e7e7e7e7f7f7f7f"
    "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f"
    ;
constexpr char k_tanh_uint8[] =
    "0000000000000000000000000000000000010101010101010101010101010101010101020202020202020202"
    "030303030304040404050505050606060707080809090a0a0b0b0c0d0e0e0f1011121314151618191a1c1d1f"
    "21222426282a2c2f313336393b3e4144474a4d5054575b5e6266696d7175787c8084888b8f93979a9ea2a5a9"
    "acb0b3b6b9bcbfc2c5c7cacdcfd1d4d6d8dadcdedfe1e3e4e6e7e8eaebecedeeeff0f1f2f2f3f4f5f5f6f6f7"
    "f7f8f8f9f9fafafafbfbfbfbfcfcfcfcfdfdfdfdfdfefefefefefefefefeffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    ;
constexpr char k_bilinear_int8[] =
    "8dee4fb91a3be546a71071d2d8cb2ce8f733c223f2ee4fcb23a90a18d42c9f003ccb2cc425cfe723e813c5dd"
    "3ef109e1021ac41c18f011bb1c3ce611eb4cad1738d943a4056ecf30eb4cad1738d943a4056ecf30"
    ;
constexpr char k_bilinear_uint8_half_pixel[] =
    "0d6ecf0d6ecf197adb2485e63091f23091f21f80a11f80a12a8bac3697b842a3c442a3c442a34442a3444dae"
    "4f59ba5b65c66765c66753b41553b4155fc0216acb2c76d73876d738"
    ;
constexpr char k_bilinear_uint8_align[] =
    "0d8e659159855c88a67c537ff2734a76e96a7a6de061aa64d758da5b"
    ;
constexpr char k_bilinear_float_half_pixel[] =
    "cdcc8cbf48e13abf343323bfc3f588bec4f5a8bd3333933e5c8fc23e0000403f9cc460bf4a0c02bf6cbcd4be"
    "3c5e3abd15d90e3e976e023fac1c1a3ffed4783f00d7233c5c8fc23e84ebf13e14ae573f1f85833f48e1b23f"
    "51b8be3f7b14ee3f56e3653fd44da23fde24ae3f0781dd3f1c2ff53fa2451240263118403cdf2f40295c8f3f"
    "52b8be3f5c8fca3f85ebf93fcdcc0840e17a2040666626407b143e40"
    ;
constexpr char k_nearest_uint8_align_half[] =
    "6ecf309153b4157653b4157653b415763899fa5b3899fa5b3899fa5b"
    ;
constexpr char k_l2_int8[] =
    "cff61ddd042beb12d2f920e0072fee15d5fc26e20bc7f11ad60029e50fcbf41ed903"
    ;
constexpr char k_l2_uint8[] =
    "557ca3638ab27198587fa7668db5749c5b83ad67924c77a15c86b16b96507aa55f8a"
    ;
constexpr char k_concat_uint8[] =
    "0785ff12b20936ff5117"
    ;

std::vector<uint8_t> FromHex(const char* hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; hex[i] != 0 && hex[i + 1] != 0; i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  }
  return bytes;
}

// Every value of the 8-bit type in increasing order, as raw bytes.
std::vector<uint8_t> AllValues(DType dtype) {
  std::vector<uint8_t> v;
  for (int q = dtype == DType::kInt8 ? -128 : 0; q <= (dtype == DType::kInt8 ? 127 : 255); ++q) {
    v.push_back(static_cast<uint8_t>(q));
  }
  return v;
}

// lo + (97·i + 13) mod 256 as raw bytes (a permutation-like spread over the whole range).
std::vector<uint8_t> Pattern(DType dtype, int n) {
  std::vector<uint8_t> v;
  for (int i = 0; i < n; ++i) {
    const int q = (dtype == DType::kInt8 ? -128 : 0) + (i * 97 + 13) % 256;
    v.push_back(static_cast<uint8_t>(q));
  }
  return v;
}

// Runs the harness with `input` in tensor `in` and compares `out` with the golden bytes,
// reporting the first differing elements.
void ExpectGolden(OpHarness& h, std::unique_ptr<runtime::OpKernel> kernel, int in,
                  const std::vector<uint8_t>& input, int out, const char* golden_hex) {
  const Status prepared = h.Prepare(std::move(kernel));
  ASSERT_TRUE(prepared.ok()) << prepared.message();
  h.Set<uint8_t>(in, input);
  ASSERT_TRUE(h.Eval().ok());
  const std::vector<uint8_t> got = h.Get<uint8_t>(out);
  const std::vector<uint8_t> expected = FromHex(golden_hex);
  ASSERT_EQ(got.size(), expected.size());
  int reported = 0;
  for (size_t i = 0; i < got.size() && reported < 8; ++i) {
    if (got[i] != expected[i]) {
      ADD_FAILURE() << "byte " << i << ": got " << +got[i] << ", runtime " << +expected[i];
      ++reported;
    }
  }
}

void RunActivation(ir::OpType type, std::unique_ptr<runtime::OpKernel> kernel, DType dtype,
                   float in_scale, int in_zp, float out_scale, int out_zp, const char* golden) {
  OpHarness h(type);
  const int in = h.AddInput(MakeQuantTensor("x", dtype, {256}, in_scale, in_zp));
  const int out = h.AddOutput(MakeQuantTensor("y", dtype, {256}, out_scale, out_zp));
  ExpectGolden(h, std::move(kernel), in, AllValues(dtype), out, golden);
}

TEST(KernelsShapeOracle, HardSwish) {
  RunActivation(ir::OpType::kHardSwish, ops::MakeHardSwish(), DType::kInt8, 0.05f, -20, 0.03f, -60,
                k_hard_swish_int8);
  RunActivation(ir::OpType::kHardSwish, ops::MakeHardSwish(), DType::kUInt8, 0.1f, 130, 0.07f, 40,
                k_hard_swish_uint8);
}

TEST(KernelsShapeOracle, LogisticAndTanh) {
  RunActivation(ir::OpType::kLogistic, ops::MakeLogistic(), DType::kInt8, 0.0625f, 5, 1.0f / 256,
                -128, k_logistic_int8);
  RunActivation(ir::OpType::kTanh, ops::MakeTanh(), DType::kUInt8, 0.03f, 120, 1.0f / 128, 128,
                k_tanh_uint8);
}

void RunResize(bool bilinear, DType dtype, int ih, int iw, int oh, int ow, int c, bool align_corners,
               bool half_pixel_centers, const std::vector<uint8_t>& input, const char* golden) {
  OpHarness h(bilinear ? ir::OpType::kResizeBilinear : ir::OpType::kResizeNearestNeighbor,
              ir::ResizeOptions{align_corners, half_pixel_centers});
  const bool quantized = dtype != DType::kFloat32;
  const int in = h.AddInput(quantized ? MakeQuantTensor("x", dtype, {1, ih, iw, c}, 0.05f, 0)
                                      : MakeTensor("x", dtype, {1, ih, iw, c}));
  h.AddInput(MakeConstTensor<int32_t>("size", DType::kInt32, {2}, {oh, ow}));
  const int out = h.AddOutput(quantized ? MakeQuantTensor("y", dtype, {1, oh, ow, c}, 0.05f, 0)
                                        : MakeTensor("y", dtype, {1, oh, ow, c}));
  ExpectGolden(h, bilinear ? ops::MakeResizeBilinear() : ops::MakeResizeNearestNeighbor(), in,
               input, out, golden);
}

TEST(KernelsShapeOracle, ResizeBilinearQuantized) {
  RunResize(true, DType::kInt8, 3, 5, 7, 4, 3, false, false, Pattern(DType::kInt8, 45),
            k_bilinear_int8);
  RunResize(true, DType::kUInt8, 2, 2, 4, 6, 3, false, true, Pattern(DType::kUInt8, 12),
            k_bilinear_uint8_half_pixel);
  RunResize(true, DType::kUInt8, 3, 5, 7, 4, 1, true, false, Pattern(DType::kUInt8, 15),
            k_bilinear_uint8_align);
}

TEST(KernelsShapeOracle, ResizeBilinearFloatIsBitExact) {
  std::vector<float> values;
  for (int i = 0; i < 12; ++i) values.push_back(static_cast<float>(i * 0.37 - 1.1));  // in double, as generated
  std::vector<uint8_t> input(values.size() * sizeof(float));
  std::memcpy(input.data(), values.data(), input.size());
  RunResize(true, DType::kFloat32, 2, 3, 5, 4, 2, false, true, input, k_bilinear_float_half_pixel);
}

TEST(KernelsShapeOracle, ResizeNearestNeighbor) {
  RunResize(false, DType::kUInt8, 3, 5, 7, 4, 1, true, true, Pattern(DType::kUInt8, 15),
            k_nearest_uint8_align_half);
}

TEST(KernelsShapeOracle, L2Normalization) {
  for (const DType dtype : {DType::kInt8, DType::kUInt8}) {
    const bool is_int8 = dtype == DType::kInt8;
    OpHarness h(ir::OpType::kL2Normalization, ir::L2NormOptions{});
    const int in = h.AddInput(MakeQuantTensor("x", dtype, {2, 17}, is_int8 ? 0.3f : 0.2f, is_int8 ? 7 : 120));
    const int out = h.AddOutput(MakeQuantTensor("y", dtype, {2, 17}, 1.0f / 128, is_int8 ? 0 : 128));
    ExpectGolden(h, ops::MakeL2Normalization(), in, Pattern(dtype, 34), out,
                 is_int8 ? k_l2_int8 : k_l2_uint8);
  }
}

TEST(KernelsShapeOracle, ConcatenationRequantizesUInt8) {
  OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{-1, ir::Activation::kNone});
  const int a = h.AddInput(MakeQuantTensor("a", DType::kUInt8, {2, 3}, 0.5f, 10));
  ir::Tensor b = MakeConstTensor<uint8_t>("b", DType::kUInt8, {2, 2}, {0, 255, 100, 7});
  b.quant.scale = {0.25f};
  b.quant.zero_point = {3};
  h.AddInput(b);
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {2, 5}, 0.4f, 20));
  ExpectGolden(h, ops::MakeConcatenation(), a, {0, 100, 255, 1, 37, 200}, out, k_concat_uint8);
}

}  // namespace
}  // namespace edgeforge
