// The runtime glue of the shape/activation/resize ops: hand-built ir::Tensor / ir::Op wrapped
// in RtTensor / OpContext, Prepare then Eval, and the errors Prepare gives for invalid models.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
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

// The status failed with `code` and a message naming the op and containing every fragment.
void ExpectError(const Status& s, StatusCode code, const std::vector<std::string>& fragments) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_NE(s.message().find("op 7 ("), std::string::npos) << s.message();
  for (const std::string& f : fragments) {
    EXPECT_NE(s.message().find(f), std::string::npos) << "'" << f << "' not in: " << s.message();
  }
}

// --- RESHAPE / SQUEEZE ---------------------------------------------------------------------

TEST(KernelsShapeGlue, ReshapeCopiesQuantizedBytes) {
  OpHarness h(ir::OpType::kReshape, ir::ReshapeOptions{{3, 2}});
  const int in = h.AddInput(MakeQuantTensor("x", DType::kInt8, {1, 2, 3}, 0.5f, -3));
  h.AddInput(MakeConstTensor<int32_t>("shape", DType::kInt32, {2}, {3, 2}));
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kInt8, {3, 2}, 0.5f, -3));
  ASSERT_TRUE(h.Prepare(ops::MakeReshape()).ok());
  h.Set<int8_t>(in, {1, -2, 3, -128, 127, 0});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<int8_t>(out), (std::vector<int8_t>{1, -2, 3, -128, 127, 0}));
}

TEST(KernelsShapeGlue, SqueezeCopiesFloat) {
  OpHarness h(ir::OpType::kSqueeze, ir::SqueezeOptions{{0, 1}});
  const int in = h.AddInput(MakeTensor("x", DType::kFloat32, {1, 1, 3}));
  const int out = h.AddOutput(MakeTensor("y", DType::kFloat32, {3}));
  ASSERT_TRUE(h.Prepare(ops::MakeReshape()).ok());
  h.Set<float>(in, {1.5f, -2.0f, 3.25f});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<float>(out), (std::vector<float>{1.5f, -2.0f, 3.25f}));
}

TEST(KernelsShapeGlue, ReshapeRejectsChangedQuantizationOrDtype) {
  {
    OpHarness h(ir::OpType::kReshape);
    h.AddInput(MakeQuantTensor("x", DType::kUInt8, {4}, 0.5f, 3));
    h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {2, 2}, 0.25f, 3));
    ExpectError(h.Prepare(ops::MakeReshape()), StatusCode::kInvalidArgument,
                {"'x'", "'y'", "same quantization"});
  }
  {
    OpHarness h(ir::OpType::kReshape);
    h.AddInput(MakeTensor("x", DType::kFloat32, {4}));
    h.AddOutput(MakeTensor("y", DType::kInt32, {4}));
    ExpectError(h.Prepare(ops::MakeReshape()), StatusCode::kInvalidArgument, {"same dtype"});
  }
  {
    OpHarness h(ir::OpType::kSqueeze);
    h.AddInput(MakeTensor("x", DType::kFloat32, {4}));
    h.AddInput(MakeTensor("extra", DType::kFloat32, {4}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {4}));
    ExpectError(h.Prepare(ops::MakeReshape()), StatusCode::kInvalidArgument, {"expected 1", "got 2"});
  }
}

// --- activations ---------------------------------------------------------------------------

TEST(KernelsShapeGlue, Relu6Int8Requantizes) {
  OpHarness h(ir::OpType::kRelu6);
  const int in = h.AddInput(MakeQuantTensor("x", DType::kInt8, {5}, 0.1f, -10));
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kInt8, {5}, 0.05f, -128));
  ASSERT_TRUE(h.Prepare(ops::MakeRelu6()).ok());
  // Real inputs -1.0, 0, 0.5, 3.0, 13.7 → 0, 0, 0.5, 3.0, 6.0 on scale 0.05 from -128.
  h.Set<int8_t>(in, {-20, -10, -5, 20, 127});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<int8_t>(out), (std::vector<int8_t>{-128, -128, -118, -68, -8}));
}

TEST(KernelsShapeGlue, ReluFloat) {
  OpHarness h(ir::OpType::kRelu);
  const int in = h.AddInput(MakeTensor("x", DType::kFloat32, {3}));
  const int out = h.AddOutput(MakeTensor("y", DType::kFloat32, {3}));
  ASSERT_TRUE(h.Prepare(ops::MakeRelu()).ok());
  h.Set<float>(in, {-1.0f, 0.0f, 9.0f});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<float>(out), (std::vector<float>{0.0f, 0.0f, 9.0f}));
}

TEST(KernelsShapeGlue, LogisticUInt8UsesTheTable) {
  OpHarness h(ir::OpType::kLogistic);
  const int in = h.AddInput(MakeQuantTensor("x", DType::kUInt8, {3}, 0.1f, 128));
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {3}, 1.0f / 256, 0));
  ASSERT_TRUE(h.Prepare(ops::MakeLogistic()).ok());
  h.Set<uint8_t>(in, {0, 128, 255});
  ASSERT_TRUE(h.Eval().ok());
  // sigmoid(-12.8)·256 ≈ 0.0007, sigmoid(0)·256 = 128, sigmoid(12.7)·256 rounds to 256 → 255.
  EXPECT_EQ(h.Get<uint8_t>(out), (std::vector<uint8_t>{0, 128, 255}));
}

TEST(KernelsShapeGlue, LogisticRejectsOtherOutputQuantization) {
  OpHarness h(ir::OpType::kLogistic);
  h.AddInput(MakeQuantTensor("x", DType::kInt8, {3}, 0.1f, 0));
  h.AddOutput(MakeQuantTensor("sigmoid_out", DType::kInt8, {3}, 1.0f / 256, 0));
  ExpectError(h.Prepare(ops::MakeLogistic()), StatusCode::kInvalidArgument,
              {"'sigmoid_out'", "scale 1/256", "zero point -128"});
}

TEST(KernelsShapeGlue, TanhInt8AndHardSwishUInt8) {
  {
    OpHarness h(ir::OpType::kTanh);
    const int in = h.AddInput(MakeQuantTensor("x", DType::kInt8, {3}, 0.05f, 0));
    const int out = h.AddOutput(MakeQuantTensor("y", DType::kInt8, {3}, 1.0f / 128, 0));
    ASSERT_TRUE(h.Prepare(ops::MakeTanh()).ok());
    h.Set<int8_t>(in, {-128, 0, 10});
    ASSERT_TRUE(h.Eval().ok());
    // tanh(-6.4)·128 = -127.99 → -128, tanh(0) = 0, tanh(0.5)·128 = 59.2.
    EXPECT_EQ(h.Get<int8_t>(out), (std::vector<int8_t>{-128, 0, 59}));
  }
  {
    OpHarness h(ir::OpType::kHardSwish);
    const int in = h.AddInput(MakeQuantTensor("x", DType::kUInt8, {4}, 0.05f, 100));
    const int out = h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {4}, 0.05f, 20));
    ASSERT_TRUE(h.Prepare(ops::MakeHardSwish()).ok());
    // Real -5, 0, 1, 5: hard_swish -0, 0, 0.6667, 5.
    h.Set<uint8_t>(in, {0, 100, 120, 200});
    ASSERT_TRUE(h.Eval().ok());
    EXPECT_EQ(h.Get<uint8_t>(out), (std::vector<uint8_t>{20, 20, 33, 120}));
  }
}

TEST(KernelsShapeGlue, ActivationErrors) {
  {
    OpHarness h(ir::OpType::kHardSwish);
    h.AddInput(MakeQuantTensor("x", DType::kInt8, {4}, 1.0f, 0));
    h.AddOutput(MakeQuantTensor("y", DType::kInt8, {4}, 0.001f, 0));  // < input scale / 128
    ExpectError(h.Prepare(ops::MakeHardSwish()), StatusCode::kUnimplemented, {"must be larger than input scale"});
  }
  {
    OpHarness h(ir::OpType::kRelu);
    h.AddInput(MakeTensor("x16", DType::kInt16, {4}));
    h.AddOutput(MakeTensor("y", DType::kInt16, {4}));
    ExpectError(h.Prepare(ops::MakeRelu()), StatusCode::kUnimplemented, {"'x16'", "int16"});
  }
  {
    OpHarness h(ir::OpType::kTanh);
    h.AddInput(MakeTensor("unquantized", DType::kInt8, {4}));
    h.AddOutput(MakeQuantTensor("y", DType::kInt8, {4}, 1.0f / 128, 0));
    ExpectError(h.Prepare(ops::MakeTanh()), StatusCode::kInvalidArgument,
                {"'unquantized'", "no quantization parameters"});
  }
  {
    OpHarness h(ir::OpType::kRelu);
    ir::Tensor per_channel = MakeQuantTensor("pc", DType::kInt8, {2}, 0.1f, 0);
    per_channel.quant.scale = {0.1f, 0.2f};
    per_channel.quant.zero_point = {0, 0};
    h.AddInput(per_channel);
    h.AddOutput(MakeQuantTensor("y", DType::kInt8, {2}, 0.1f, 0));
    ExpectError(h.Prepare(ops::MakeRelu()), StatusCode::kUnimplemented, {"'pc'", "per channel"});
  }
  {
    OpHarness h(ir::OpType::kRelu6);
    h.AddInput(MakeQuantTensor("x", DType::kUInt8, {2}, 0.1f, 300));
    h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {2}, 0.1f, 0));
    ExpectError(h.Prepare(ops::MakeRelu6()), StatusCode::kInvalidArgument, {"zero point 300"});
  }
  {
    OpHarness h(ir::OpType::kLogistic);
    h.AddInput(MakeTensor("x", DType::kFloat32, {2}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {3}));
    ExpectError(h.Prepare(ops::MakeLogistic()), StatusCode::kInvalidArgument, {"number of elements"});
  }
}

// --- PAD -----------------------------------------------------------------------------------

TEST(KernelsShapeGlue, PadQuantizedFillsTheZeroPoint) {
  OpHarness h(ir::OpType::kPad);
  const int in = h.AddInput(MakeQuantTensor("x", DType::kUInt8, {1, 2}, 0.5f, 37));
  h.AddInput(MakeConstTensor<int64_t>("paddings", DType::kInt64, {2, 2}, {1, 0, 0, 2}));
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {2, 4}, 0.5f, 37));
  ASSERT_TRUE(h.Prepare(ops::MakePad()).ok());
  h.Set<uint8_t>(in, {200, 5});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<uint8_t>(out), (std::vector<uint8_t>{37, 37, 37, 37, 200, 5, 37, 37}));
}

TEST(KernelsShapeGlue, PadFloatFillsZero) {
  OpHarness h(ir::OpType::kPad);
  const int in = h.AddInput(MakeTensor("x", DType::kFloat32, {2}));
  h.AddInput(MakeConstTensor<int32_t>("paddings", DType::kInt32, {1, 2}, {2, 1}));
  const int out = h.AddOutput(MakeTensor("y", DType::kFloat32, {5}));
  ASSERT_TRUE(h.Prepare(ops::MakePad()).ok());
  h.Set<float>(in, {-1.5f, 2.5f});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<float>(out), (std::vector<float>{0, 0, -1.5f, 2.5f, 0}));
}

TEST(KernelsShapeGlue, PadErrors) {
  {
    OpHarness h(ir::OpType::kPad);
    h.AddInput(MakeTensor("x", DType::kFloat32, {2}));
    h.AddInput(MakeTensor("runtime_paddings", DType::kInt32, {1, 2}));  // not a constant
    h.AddOutput(MakeTensor("y", DType::kFloat32, {5}));
    ExpectError(h.Prepare(ops::MakePad()), StatusCode::kUnimplemented,
                {"'runtime_paddings'", "constant"});
  }
  {
    OpHarness h(ir::OpType::kPad);
    h.AddInput(MakeTensor("x", DType::kFloat32, {2}));
    h.AddInput(MakeConstTensor<int32_t>("paddings", DType::kInt32, {1, 2}, {-1, 1}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {2}));
    ExpectError(h.Prepare(ops::MakePad()), StatusCode::kInvalidArgument, {"must not be negative"});
  }
  {
    OpHarness h(ir::OpType::kPad);
    h.AddInput(MakeTensor("x", DType::kFloat32, {2, 2}));
    h.AddInput(MakeConstTensor<int32_t>("paddings", DType::kInt32, {2}, {1, 1}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {4, 2}));
    ExpectError(h.Prepare(ops::MakePad()), StatusCode::kInvalidArgument, {"'paddings'", "[2,2]"});
  }
  {
    OpHarness h(ir::OpType::kPad);
    h.AddInput(MakeTensor("x", DType::kFloat32, {2}));
    h.AddInput(MakeConstTensor<float>("paddings", DType::kFloat32, {1, 2}, {1, 1}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {4}));
    ExpectError(h.Prepare(ops::MakePad()), StatusCode::kInvalidArgument, {"int32 or int64"});
  }
}

// --- CONCATENATION -------------------------------------------------------------------------

TEST(KernelsShapeGlue, ConcatenationNegativeAxisRequantizesUInt8) {
  OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{-1, ir::Activation::kNone});
  const int a = h.AddInput(MakeQuantTensor("a", DType::kUInt8, {2, 1}, 0.5f, 10));
  ir::Tensor b = MakeConstTensor<uint8_t>("b", DType::kUInt8, {2, 2}, {0, 255, 100, 20});
  b.quant.scale = {0.25f};
  b.quant.zero_point = {0};
  h.AddInput(b);
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {2, 3}, 0.5f, 10));
  ASSERT_TRUE(h.Prepare(ops::MakeConcatenation()).ok());
  h.Set<uint8_t>(a, {7, 250});
  ASSERT_TRUE(h.Eval().ok());
  // a shares the output's quantization (copied); b's reals 0, 63.75, 25, 5 land on scale 0.5
  // from 10 as 10, 137.5 → 138 (half away from zero), 60, 20.
  EXPECT_EQ(h.Get<uint8_t>(out), (std::vector<uint8_t>{7, 10, 138, 250, 60, 20}));
}

TEST(KernelsShapeGlue, ConcatenationFloatWithRelu6) {
  OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{0, ir::Activation::kRelu6});
  const int a = h.AddInput(MakeTensor("a", DType::kFloat32, {2}));
  const int b = h.AddInput(MakeTensor("b", DType::kFloat32, {1}));
  const int out = h.AddOutput(MakeTensor("y", DType::kFloat32, {3}));
  ASSERT_TRUE(h.Prepare(ops::MakeConcatenation()).ok());
  h.Set<float>(a, {-1.0f, 3.0f});
  h.Set<float>(b, {9.0f});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<float>(out), (std::vector<float>{0.0f, 3.0f, 6.0f}));
}

TEST(KernelsShapeGlue, ConcatenationInt8ReluClampsAtTheZeroPoint) {
  OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{1, ir::Activation::kRelu});
  const int a = h.AddInput(MakeQuantTensor("a", DType::kInt8, {1, 2}, 0.1f, -5));
  const int b = h.AddInput(MakeQuantTensor("b", DType::kInt8, {1, 1}, 0.1f, -5));
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kInt8, {1, 3}, 0.1f, -5));
  ASSERT_TRUE(h.Prepare(ops::MakeConcatenation()).ok());
  h.Set<int8_t>(a, {-128, 40});
  h.Set<int8_t>(b, {-6});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<int8_t>(out), (std::vector<int8_t>{-5, 40, -5}));
}

TEST(KernelsShapeGlue, ConcatenationErrors) {
  {
    OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{2, ir::Activation::kNone});
    h.AddInput(MakeTensor("a", DType::kFloat32, {1, 2}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {1, 2}));
    ExpectError(h.Prepare(ops::MakeConcatenation()), StatusCode::kInvalidArgument,
                {"axis 2 is out of range for rank 2"});
  }
  {
    OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{0, ir::Activation::kNone});
    h.AddInput(MakeTensor("a", DType::kFloat32, {1, 2}));
    h.AddInput(MakeTensor("b", DType::kFloat32, {1, 3}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {2, 2}));
    ExpectError(h.Prepare(ops::MakeConcatenation()), StatusCode::kInvalidArgument,
                {"input 1 'b'", "dimension 1"});
  }
  {
    OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{0, ir::Activation::kNone});
    h.AddInput(MakeTensor("a", DType::kFloat32, {1}));
    h.AddInput(MakeTensor("b", DType::kInt32, {1}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {2}));
    ExpectError(h.Prepare(ops::MakeConcatenation()), StatusCode::kInvalidArgument,
                {"'b'", "output's dtype float32"});
  }
  {
    OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{0, ir::Activation::kTanh});
    h.AddInput(MakeTensor("a", DType::kFloat32, {1}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {1}));
    ExpectError(h.Prepare(ops::MakeConcatenation()), StatusCode::kUnimplemented, {"TANH"});
  }
  {
    OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{0, ir::Activation::kRelu});
    h.AddInput(MakeTensor("a", DType::kInt32, {1}));
    h.AddOutput(MakeTensor("y", DType::kInt32, {1}));
    ExpectError(h.Prepare(ops::MakeConcatenation()), StatusCode::kUnimplemented, {"RELU", "int32"});
  }
  {
    OpHarness h(ir::OpType::kConcatenation, ir::ConcatenationOptions{0, ir::Activation::kNone});
    h.AddInput(MakeTensor("a", DType::kFloat32, {2}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {3}));
    ExpectError(h.Prepare(ops::MakeConcatenation()), StatusCode::kInvalidArgument, {"[2]"});
  }
}

// --- SPLIT ---------------------------------------------------------------------------------

TEST(KernelsShapeGlue, SplitNegativeAxis) {
  OpHarness h(ir::OpType::kSplit, ir::SplitOptions{2});
  h.AddInput(MakeConstTensor<int32_t>("axis", DType::kInt32, {}, {-1}));
  const int in = h.AddInput(MakeQuantTensor("x", DType::kInt8, {2, 4}, 0.3f, 1));
  const int a = h.AddOutput(MakeQuantTensor("a", DType::kInt8, {2, 2}, 0.3f, 1));
  const int b = h.AddOutput(MakeQuantTensor("b", DType::kInt8, {2, 2}, 0.3f, 1));
  ASSERT_TRUE(h.Prepare(ops::MakeSplit()).ok());
  h.Set<int8_t>(in, {1, 2, 3, 4, 5, 6, 7, 8});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<int8_t>(a), (std::vector<int8_t>{1, 2, 5, 6}));
  EXPECT_EQ(h.Get<int8_t>(b), (std::vector<int8_t>{3, 4, 7, 8}));
}

TEST(KernelsShapeGlue, SplitErrors) {
  {
    OpHarness h(ir::OpType::kSplit, ir::SplitOptions{3});
    h.AddInput(MakeConstTensor<int32_t>("axis", DType::kInt32, {}, {0}));
    h.AddInput(MakeTensor("x", DType::kFloat32, {4}));
    for (int i = 0; i < 3; ++i) h.AddOutput(MakeTensor("y" + std::to_string(i), DType::kFloat32, {1}));
    ExpectError(h.Prepare(ops::MakeSplit()), StatusCode::kInvalidArgument,
                {"'x'", "not divisible by num_splits 3"});
  }
  {
    OpHarness h(ir::OpType::kSplit, ir::SplitOptions{2});
    h.AddInput(MakeConstTensor<int32_t>("axis", DType::kInt32, {}, {0}));
    h.AddInput(MakeTensor("x", DType::kFloat32, {4}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {2}));
    ExpectError(h.Prepare(ops::MakeSplit()), StatusCode::kInvalidArgument, {"expected 2 outputs"});
  }
  {
    OpHarness h(ir::OpType::kSplit, ir::SplitOptions{1});
    h.AddInput(MakeTensor("dynamic_axis", DType::kInt32, {}));
    h.AddInput(MakeTensor("x", DType::kFloat32, {4}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {4}));
    ExpectError(h.Prepare(ops::MakeSplit()), StatusCode::kUnimplemented, {"'dynamic_axis'", "constant"});
  }
}

// --- L2_NORMALIZATION ----------------------------------------------------------------------

TEST(KernelsShapeGlue, L2NormalizationInt8) {
  OpHarness h(ir::OpType::kL2Normalization, ir::L2NormOptions{});
  const int in = h.AddInput(MakeQuantTensor("x", DType::kInt8, {1, 2}, 0.7f, 4));
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kInt8, {1, 2}, 1.0f / 128, 0));
  ASSERT_TRUE(h.Prepare(ops::MakeL2Normalization()).ok());
  h.Set<int8_t>(in, {7, 8});  // (3, 4) / 5 → 0.6, 0.8 → 76.8, 102.4
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<int8_t>(out), (std::vector<int8_t>{77, 102}));
}

TEST(KernelsShapeGlue, L2NormalizationErrors) {
  {
    OpHarness h(ir::OpType::kL2Normalization, ir::L2NormOptions{});
    h.AddInput(MakeQuantTensor("x", DType::kUInt8, {1, 2}, 0.7f, 4));
    h.AddOutput(MakeQuantTensor("l2_out", DType::kUInt8, {1, 2}, 1.0f / 128, 0));
    ExpectError(h.Prepare(ops::MakeL2Normalization()), StatusCode::kInvalidArgument,
                {"'l2_out'", "scale 1/128 and zero point 128"});
  }
  {
    OpHarness h(ir::OpType::kL2Normalization, ir::L2NormOptions{ir::Activation::kRelu});
    h.AddInput(MakeTensor("x", DType::kFloat32, {2}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {2}));
    ExpectError(h.Prepare(ops::MakeL2Normalization()), StatusCode::kUnimplemented, {"RELU"});
  }
}

// --- RESIZE --------------------------------------------------------------------------------

TEST(KernelsShapeGlue, ResizeBilinearUInt8HalfPixel) {
  OpHarness h(ir::OpType::kResizeBilinear, ir::ResizeOptions{false, true});
  const int in = h.AddInput(MakeQuantTensor("x", DType::kUInt8, {1, 1, 2, 1}, 0.1f, 0));
  h.AddInput(MakeConstTensor<int32_t>("size", DType::kInt32, {2}, {1, 4}));
  const int out = h.AddOutput(MakeQuantTensor("y", DType::kUInt8, {1, 1, 4, 1}, 0.1f, 0));
  ASSERT_TRUE(h.Prepare(ops::MakeResizeBilinear()).ok());
  h.Set<uint8_t>(in, {0, 200});
  ASSERT_TRUE(h.Eval().ok());
  // Source x: -0.25 → 0, 0.25, 0.75, 1.25 → 1.
  EXPECT_EQ(h.Get<uint8_t>(out), (std::vector<uint8_t>{0, 50, 150, 200}));
}

TEST(KernelsShapeGlue, ResizeNearestNeighborInt32AlignCorners) {
  OpHarness h(ir::OpType::kResizeNearestNeighbor, ir::ResizeOptions{true, false});
  const int in = h.AddInput(MakeTensor("x", DType::kInt32, {1, 1, 3, 1}));
  h.AddInput(MakeConstTensor<int32_t>("size", DType::kInt32, {2}, {1, 5}));
  const int out = h.AddOutput(MakeTensor("y", DType::kInt32, {1, 1, 5, 1}));
  ASSERT_TRUE(h.Prepare(ops::MakeResizeNearestNeighbor()).ok());
  h.Set<int32_t>(in, {10, 20, 30});
  ASSERT_TRUE(h.Eval().ok());
  // Source x = round(0, 0.5, 1, 1.5, 2) with ties away from zero.
  EXPECT_EQ(h.Get<int32_t>(out), (std::vector<int32_t>{10, 20, 20, 30, 30}));
}

TEST(KernelsShapeGlue, ResizeErrors) {
  {
    OpHarness h(ir::OpType::kResizeBilinear, ir::ResizeOptions{true, true});
    h.AddInput(MakeTensor("x", DType::kFloat32, {1, 2, 2, 1}));
    h.AddInput(MakeConstTensor<int32_t>("size", DType::kInt32, {2}, {4, 4}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {1, 4, 4, 1}));
    ExpectError(h.Prepare(ops::MakeResizeBilinear()), StatusCode::kInvalidArgument,
                {"align_corners and half_pixel_centers"});
  }
  {
    OpHarness h(ir::OpType::kResizeBilinear, ir::ResizeOptions{});
    h.AddInput(MakeTensor("x", DType::kFloat32, {1, 2, 2, 1}));
    h.AddInput(MakeTensor("dynamic_size", DType::kInt32, {2}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {1, 4, 4, 1}));
    ExpectError(h.Prepare(ops::MakeResizeBilinear()), StatusCode::kUnimplemented,
                {"'dynamic_size'", "constant"});
  }
  {
    OpHarness h(ir::OpType::kResizeBilinear, ir::ResizeOptions{});
    h.AddInput(MakeTensor("x", DType::kFloat32, {2, 2, 1}));
    h.AddInput(MakeConstTensor<int32_t>("size", DType::kInt32, {2}, {4, 4}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {4, 4, 1}));
    ExpectError(h.Prepare(ops::MakeResizeBilinear()), StatusCode::kInvalidArgument, {"rank 4"});
  }
  {
    OpHarness h(ir::OpType::kResizeNearestNeighbor, ir::ResizeOptions{});
    h.AddInput(MakeTensor("x", DType::kFloat32, {1, 2, 2, 1}));
    h.AddInput(MakeConstTensor<int64_t>("size64", DType::kInt64, {2}, {4, 4}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {1, 4, 4, 1}));
    ExpectError(h.Prepare(ops::MakeResizeNearestNeighbor()), StatusCode::kInvalidArgument,
                {"'size64'", "int32 [2]"});
  }
  {
    OpHarness h(ir::OpType::kResizeBilinear, ir::ResizeOptions{});
    h.AddInput(MakeTensor("x", DType::kFloat32, {1, 2, 2, 1}));
    h.AddInput(MakeConstTensor<int32_t>("size", DType::kInt32, {2}, {3, 4}));
    h.AddOutput(MakeTensor("y", DType::kFloat32, {1, 4, 4, 1}));
    ExpectError(h.Prepare(ops::MakeResizeBilinear()), StatusCode::kInvalidArgument, {"[1,3,4,1]"});
  }
  {
    OpHarness h(ir::OpType::kResizeBilinear, ir::ResizeOptions{});
    h.AddInput(MakeQuantTensor("x", DType::kInt8, {1, 2, 2, 1}, 0.1f, 0));
    h.AddInput(MakeConstTensor<int32_t>("size", DType::kInt32, {2}, {4, 4}));
    h.AddOutput(MakeQuantTensor("y", DType::kInt8, {1, 4, 4, 1}, 0.2f, 0));
    ExpectError(h.Prepare(ops::MakeResizeBilinear()), StatusCode::kInvalidArgument,
                {"same quantization"});
  }
}

// --- ARG_MAX -------------------------------------------------------------------------------

TEST(KernelsShapeGlue, ArgMaxNegativeAxisBothOutputTypes) {
  for (const bool int64_output : {false, true}) {
    OpHarness h(ir::OpType::kArgMax, ir::ArgMaxOptions{int64_output});
    const int in = h.AddInput(MakeQuantTensor("x", DType::kUInt8, {2, 3}, 0.1f, 128));
    h.AddInput(MakeConstTensor<int64_t>("axis", DType::kInt64, {1}, {-1}));
    const int out = h.AddOutput(MakeTensor("y", int64_output ? DType::kInt64 : DType::kInt32, {2}));
    ASSERT_TRUE(h.Prepare(ops::MakeArgMax()).ok());
    h.Set<uint8_t>(in, {5, 9, 9, 255, 0, 255});
    ASSERT_TRUE(h.Eval().ok());
    if (int64_output) {
      EXPECT_EQ(h.Get<int64_t>(out), (std::vector<int64_t>{1, 0}));
    } else {
      EXPECT_EQ(h.Get<int32_t>(out), (std::vector<int32_t>{1, 0}));
    }
  }
}

TEST(KernelsShapeGlue, ArgMaxErrors) {
  {
    OpHarness h(ir::OpType::kArgMax, ir::ArgMaxOptions{true});
    h.AddInput(MakeTensor("x", DType::kFloat32, {2, 3}));
    h.AddInput(MakeConstTensor<int32_t>("axis", DType::kInt32, {}, {2}));
    h.AddOutput(MakeTensor("y", DType::kInt64, {2}));
    ExpectError(h.Prepare(ops::MakeArgMax()), StatusCode::kInvalidArgument,
                {"axis 2 is out of range for rank 2"});
  }
  {
    OpHarness h(ir::OpType::kArgMax, ir::ArgMaxOptions{true});
    h.AddInput(MakeTensor("x", DType::kFloat32, {2, 3}));
    h.AddInput(MakeConstTensor<int32_t>("axis", DType::kInt32, {}, {1}));
    h.AddOutput(MakeTensor("indices", DType::kInt32, {2}));
    ExpectError(h.Prepare(ops::MakeArgMax()), StatusCode::kInvalidArgument, {"int64", "'indices'"});
  }
  {
    OpHarness h(ir::OpType::kArgMax, ir::ArgMaxOptions{false});
    h.AddInput(MakeTensor("x", DType::kFloat32, {2, 3}));
    h.AddInput(MakeConstTensor<int32_t>("axis", DType::kInt32, {}, {1}));
    h.AddOutput(MakeTensor("f", DType::kFloat32, {2}));
    ExpectError(h.Prepare(ops::MakeArgMax()), StatusCode::kInvalidArgument, {"int32 or int64"});
  }
}

// --- CAST ----------------------------------------------------------------------------------

TEST(KernelsShapeGlue, CastFloatToBoolAndInt) {
  OpHarness h(ir::OpType::kCast);
  const int in = h.AddInput(MakeTensor("x", DType::kFloat32, {3}));
  const int out = h.AddOutput(MakeTensor("y", DType::kInt16, {3}));
  ASSERT_TRUE(h.Prepare(ops::MakeCast()).ok());
  h.Set<float>(in, {-2.9f, 0.0f, 1000.5f});
  ASSERT_TRUE(h.Eval().ok());
  EXPECT_EQ(h.Get<int16_t>(out), (std::vector<int16_t>{-2, 0, 1000}));
}

TEST(KernelsShapeGlue, CastRejectsFloat16) {
  OpHarness h(ir::OpType::kCast);
  h.AddInput(MakeTensor("half", DType::kFloat16, {3}));
  h.AddOutput(MakeTensor("y", DType::kFloat32, {3}));
  ExpectError(h.Prepare(ops::MakeCast()), StatusCode::kUnimplemented, {"'half'", "float16"});
}

}  // namespace
}  // namespace edgeforge
