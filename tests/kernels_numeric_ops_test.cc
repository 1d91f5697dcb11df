// The op glue of the arithmetic ops: ir::Tensor / ir::Op built by hand, wrapped in RtTensor /
// OpContext, run through CreateReferenceKernel's Prepare and Eval. Checks that Prepare hands
// the kernels the right padding, scales, activation ranges and scheme, and that invalid
// combinations fail with clear messages.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/float16.h"
#include "ir/op.h"
#include "ir/tensor.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/depthwise_conv.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/reference/mean.h"
#include "kernels/reference/pooling.h"
#include "kernels/reference/quantize.h"
#include "kernels/reference/softmax.h"
#include "kernels_numeric_util.h"
#include "runtime/op_kernel.h"

namespace edgeforge::runtime {
namespace {

namespace kr = kernels::reference;
using testing::numeric::RandomFloats;
using testing::numeric::RandomValues;
using testing::numeric::TfPadding;

ir::Tensor MakeTensor(const std::string& name, DType dtype, Shape shape, std::vector<float> scales = {},
                      std::vector<int64_t> zero_points = {}, int32_t quantized_dimension = 0) {
  ir::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quant.scale = std::move(scales);
  t.quant.zero_point = std::move(zero_points);
  t.quant.quantized_dimension = quantized_dimension;
  return t;
}

template <typename T>
ir::Tensor MakeConstant(const std::string& name, DType dtype, Shape shape, const std::vector<T>& values,
                        std::vector<float> scales = {}, std::vector<int64_t> zero_points = {},
                        int32_t quantized_dimension = 0) {
  ir::Tensor t = MakeTensor(name, dtype, std::move(shape), std::move(scales), std::move(zero_points),
                            quantized_dimension);
  t.SetValues(values);
  return t;
}

// Owns tensors and their bytes the way the interpreter would, and runs one op.
class OpHarness {
 public:
  int Add(ir::Tensor tensor) {
    auto slot = std::make_unique<Slot>();
    slot->desc = std::move(tensor);
    if (slot->desc.is_constant()) {
      slot->rt.data = const_cast<uint8_t*>(slot->desc.data.data());
    } else {
      slot->bytes.assign(slot->desc.byte_size() + 1, 0);  // +1: never a null pointer
      slot->rt.data = slot->bytes.data();
    }
    slot->rt.desc = &slot->desc;
    slots_.push_back(std::move(slot));
    return static_cast<int>(slots_.size()) - 1;
  }

  template <typename T>
  void Set(int index, const std::vector<T>& values) {
    Slot& s = *slots_[static_cast<size_t>(index)];
    ASSERT_EQ(values.size() * sizeof(T), s.desc.byte_size());
    std::memcpy(s.rt.data, values.data(), s.desc.byte_size());
  }

  template <typename T>
  std::vector<T> Get(int index) const {
    const Slot& s = *slots_[static_cast<size_t>(index)];
    std::vector<T> values(s.desc.byte_size() / sizeof(T));
    std::memcpy(values.data(), s.rt.data, s.desc.byte_size());
    return values;
  }

  // Prepare, then (if that worked) Eval. `op_index` shows up in error messages.
  Status Run(const ir::Op& op, int op_index = 7) {
    std::vector<RtTensor*> inputs, outputs;
    for (int i : op.inputs) inputs.push_back(i == ir::kNoTensor ? nullptr : &slots_[static_cast<size_t>(i)]->rt);
    for (int i : op.outputs) outputs.push_back(&slots_[static_cast<size_t>(i)]->rt);
    OpContext ctx(op_index, &op, inputs, outputs);
    std::unique_ptr<OpKernel> kernel = CreateReferenceKernel(op.type);
    if (kernel == nullptr) return Internal("no kernel for " + ir::OpName(op));
    EF_RETURN_IF_ERROR(kernel->Prepare(ctx));
    if (!ctx.scratch_sizes().empty()) return Internal("unexpected scratch request");
    return kernel->Eval(ctx);
  }

 private:
  struct Slot {
    ir::Tensor desc;
    std::vector<uint8_t> bytes;
    RtTensor rt;
  };
  std::vector<std::unique_ptr<Slot>> slots_;
};

ir::Op MakeOp(ir::OpType type, std::vector<int> inputs, std::vector<int> outputs, ir::OpOptions options) {
  ir::Op op;
  op.type = type;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options = std::move(options);
  return op;
}

// --- CONV_2D ------------------------------------------------------------------------------

struct ConvSetup {
  OpHarness h;
  ir::Op op;
  int input, filter, bias, output;
  std::vector<uint8_t> x, w;
  std::vector<int32_t> b;
};

// uint8 conv 1x6x5x3 -> 4 channels, 3x3, stride 2, SAME, RELU6, weight zero point 130.
std::unique_ptr<ConvSetup> MakeUint8Conv(bool with_bias, DType bias_dtype = DType::kInt32) {
  auto s = std::make_unique<ConvSetup>();
  std::mt19937 rng(1);
  s->x = RandomValues<uint8_t>(rng, 6 * 5 * 3);
  s->w = RandomValues<uint8_t>(rng, 4 * 3 * 3 * 3);
  s->b = RandomValues<int32_t>(rng, 4, -2000, 2000);
  s->input = s->h.Add(MakeTensor("x", DType::kUInt8, {1, 6, 5, 3}, {0.02f}, {120}));
  s->filter = s->h.Add(MakeConstant("w", DType::kUInt8, {4, 3, 3, 3}, s->w, {0.004f}, {130}));
  s->bias = ir::kNoTensor;
  if (with_bias) {
    if (bias_dtype == DType::kInt32) {
      s->bias = s->h.Add(MakeConstant("b", DType::kInt32, {4}, s->b, {0.02f * 0.004f}, {0}));
    } else {
      s->bias = s->h.Add(MakeConstant("b", bias_dtype, {4}, std::vector<float>(4, 0.5f)));
    }
  }
  s->output = s->h.Add(MakeTensor("y", DType::kUInt8, {1, 3, 3, 4}, {0.05f}, {7}));
  s->h.Set(s->input, s->x);
  ir::Conv2DOptions options;
  options.padding = ir::Padding::kSame;
  options.stride_h = options.stride_w = 2;
  options.activation = ir::Activation::kRelu6;
  s->op = MakeOp(ir::OpType::kConv2D, {s->input, s->filter, s->bias}, {s->output}, options);
  return s;
}

TEST(KernelsNumericOps, Conv2DUint8HandsTheKernelXnnpackParameters) {
  auto s = MakeUint8Conv(/*with_bias=*/true);
  ASSERT_TRUE(s->h.Run(s->op).ok());
  const auto got = s->h.Get<uint8_t>(s->output);

  // The same computation with parameters derived in the test.
  const auto ph = TfPadding(true, 6, 3, 2, 1);
  const auto pw = TfPadding(true, 5, 3, 2, 1);
  kr::ConvParams params{2, 2, 1, 1, ph.before, pw.before};
  const float product = 0.02f * 0.004f;
  const std::vector<float> scales(4, product / 0.05f);
  int lo = 0, hi = 0;
  testing::numeric::DesignXnnpackClamp(testing::numeric::Act::kRelu6, 0.05f, 7, 0, 255, &lo, &hi);
  kr::LinearQuantization quant;
  quant.input_zero_point = 120;
  quant.filter_zero_point = 130;
  quant.output = {kr::OutputStage::Scheme::kXnnpackFloatScale, scales.data(), nullptr, 7, lo, hi};
  std::vector<uint8_t> expected(got.size());
  kr::ConvUint8(params, quant, {1, 6, 5, 3}, s->x.data(), {4, 3, 3, 3}, s->w.data(), s->b.data(),
                {1, 3, 3, 4}, expected.data());
  EXPECT_EQ(got, expected);
}

TEST(KernelsNumericOps, Conv2DWithoutBiasUsesTfliteFixedPoint) {
  auto s = MakeUint8Conv(/*with_bias=*/false);
  ASSERT_TRUE(s->h.Run(s->op).ok());
  const auto got = s->h.Get<uint8_t>(s->output);
  const auto ph = TfPadding(true, 6, 3, 2, 1);
  const auto pw = TfPadding(true, 5, 3, 2, 1);
  kr::ConvParams params{2, 2, 1, 1, ph.before, pw.before};
  const std::vector<kr::QuantizedMultiplier> multipliers(
      4, kr::QuantizeMultiplier(double{0.02f} * double{0.004f} / double{0.05f}));
  const int hi = std::min(255, 7 + static_cast<int>(std::round(6.0f / 0.05f)));
  kr::LinearQuantization quant;
  quant.input_zero_point = 120;
  quant.filter_zero_point = 130;
  quant.output = {kr::OutputStage::Scheme::kTfliteFixedPoint, nullptr, multipliers.data(), 7, 7, hi};
  std::vector<uint8_t> expected(got.size());
  kr::ConvUint8(params, quant, {1, 6, 5, 3}, s->x.data(), {4, 3, 3, 3}, s->w.data(), nullptr,
                {1, 3, 3, 4}, expected.data());
  EXPECT_EQ(got, expected);
}

TEST(KernelsNumericOps, Conv2DFloat32) {
  OpHarness h;
  std::mt19937 rng(2);
  const auto x = RandomFloats(rng, 1 * 4 * 4 * 2, -1.0f, 1.0f);
  const auto w = RandomFloats(rng, 3 * 2 * 2 * 2, -1.0f, 1.0f);
  const int in = h.Add(MakeTensor("x", DType::kFloat32, {1, 4, 4, 2}));
  const int filter = h.Add(MakeConstant("w", DType::kFloat32, {3, 2, 2, 2}, w));
  const int out = h.Add(MakeTensor("y", DType::kFloat32, {1, 3, 3, 3}));
  h.Set(in, x);
  ir::Conv2DOptions options;
  options.padding = ir::Padding::kValid;
  options.activation = ir::Activation::kRelu;
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kConv2D, {in, filter, ir::kNoTensor}, {out}, options)).ok());
  const auto got = h.Get<float>(out);
  for (int oy = 0; oy < 3; ++oy) {
    for (int ox = 0; ox < 3; ++ox) {
      for (int oc = 0; oc < 3; ++oc) {
        double acc = 0.0;
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 2; ++kx)
            for (int ic = 0; ic < 2; ++ic)
              acc += double{x[((oy + ky) * 4 + ox + kx) * 2 + ic]} * w[((oc * 2 + ky) * 2 + kx) * 2 + ic];
        EXPECT_NEAR(got[(oy * 3 + ox) * 3 + oc], std::max(acc, 0.0), 1e-5);
      }
    }
  }
}

// --- DEPTHWISE_CONV_2D and FULLY_CONNECTED (int8, per channel) -----------------------------

TEST(KernelsNumericOps, DepthwiseInt8PerChannelMultiplier2) {
  OpHarness h;
  std::mt19937 rng(3);
  const auto x = RandomValues<int8_t>(rng, 1 * 5 * 5 * 3);
  const auto w = RandomValues<int8_t>(rng, 3 * 3 * 6, -127, 127);
  const auto b = RandomValues<int32_t>(rng, 6, -1000, 1000);
  const std::vector<float> w_scales{0.01f, 0.0005f, 0.2f, 0.003f, 0.04f, 0.00007f};
  const int in = h.Add(MakeTensor("x", DType::kInt8, {1, 5, 5, 3}, {0.03f}, {-128}));
  const int filter = h.Add(MakeConstant("w", DType::kInt8, {1, 3, 3, 6}, w, w_scales,
                                        std::vector<int64_t>(6, 0), 3));
  const int bias = h.Add(MakeConstant("b", DType::kInt32, {6}, b));
  const int out = h.Add(MakeTensor("y", DType::kInt8, {1, 3, 3, 6}, {0.1f}, {3}));
  h.Set(in, x);
  ir::DepthwiseConv2DOptions options;
  options.padding = ir::Padding::kSame;
  options.stride_h = options.stride_w = 2;
  options.depth_multiplier = 2;
  options.dilation_h = 2;
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kDepthwiseConv2D, {in, filter, bias}, {out}, options)).ok());

  const auto ph = TfPadding(true, 5, 3, 2, 2);
  const auto pw = TfPadding(true, 5, 3, 2, 1);
  kr::DepthwiseConvParams params{2, 2, 2, 1, ph.before, pw.before, 2};
  std::vector<float> scales;
  for (float s : w_scales) scales.push_back(kr::XnnpackRequantizationScale(0.03f, s, 0.1f));
  kr::LinearQuantization quant;
  quant.input_zero_point = -128;
  quant.output = {kr::OutputStage::Scheme::kXnnpackFloatScale, scales.data(), nullptr, 3, -128, 127};
  std::vector<int8_t> expected(54);
  kr::DepthwiseConvPerChannelInt8(params, quant, {1, 5, 5, 3}, x.data(), {1, 3, 3, 6}, w.data(),
                                  b.data(), {1, 3, 3, 6}, expected.data());
  EXPECT_EQ(h.Get<int8_t>(out), expected);
}

TEST(KernelsNumericOps, FullyConnectedInt8FlattensItsInput) {
  OpHarness h;
  std::mt19937 rng(4);
  const auto x = RandomValues<int8_t>(rng, 2 * 8);
  const auto w = RandomValues<int8_t>(rng, 5 * 8, -127, 127);
  const std::vector<float> w_scales{0.01f, 0.02f, 0.003f, 0.1f, 0.0007f};
  const int in = h.Add(MakeTensor("x", DType::kInt8, {2, 1, 1, 8}, {0.05f}, {-1}));
  const int weights = h.Add(MakeConstant("w", DType::kInt8, {5, 8}, w, w_scales,
                                         std::vector<int64_t>(5, 0), 0));
  const int out = h.Add(MakeTensor("y", DType::kInt8, {2, 5}, {0.02f}, {-128}));
  h.Set(in, x);
  ir::FullyConnectedOptions options;
  options.activation = ir::Activation::kRelu;
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kFullyConnected, {in, weights, ir::kNoTensor}, {out}, options)).ok());
  std::vector<float> scales;
  for (float s : w_scales) scales.push_back(kr::XnnpackRequantizationScale(0.05f, s, 0.02f));
  kr::LinearQuantization quant;
  quant.input_zero_point = -1;
  quant.output = {kr::OutputStage::Scheme::kXnnpackFloatScale, scales.data(), nullptr, -128, -128, 127};
  std::vector<int8_t> expected(10);
  kr::FullyConnectedInt8({2, 8, 5}, quant, x.data(), w.data(), nullptr, expected.data());
  EXPECT_EQ(h.Get<int8_t>(out), expected);
}

// --- ADD / SUB / MUL ----------------------------------------------------------------------

TEST(KernelsNumericOps, AddUint8Broadcast) {
  OpHarness h;
  std::mt19937 rng(5);
  const auto a = RandomValues<uint8_t>(rng, 2 * 3 * 4);
  const auto b = RandomValues<uint8_t>(rng, 4);
  const int ia = h.Add(MakeTensor("a", DType::kUInt8, {2, 3, 4}, {0.1f}, {128}));
  const int ib = h.Add(MakeConstant("b", DType::kUInt8, {4}, b, {0.05f}, {3}));
  const int io = h.Add(MakeTensor("y", DType::kUInt8, {2, 3, 4}, {0.12f}, {100}));
  h.Set(ia, a);
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kAdd, {ia, ib}, {io}, ir::ElementwiseOptions{ir::Activation::kRelu})).ok());
  const auto got = h.Get<uint8_t>(io);
  const kr::BinaryQuantization q{0.1f, 128, 0.05f, 3, 0.12f, 100};
  const auto p = kr::MakeXnnpackAddParams(kr::AddOrSub::kAdd, q, kr::FusedActivation::kRelu, 0, 255);
  std::vector<uint8_t> expected(24);
  kr::AddXnnpackUint8(kr::MakeBroadcastLayout({2, 3, 4}, {4}, {2, 3, 4}), p, a.data(), b.data(),
                      expected.data());
  EXPECT_EQ(got, expected);
  for (size_t i = 0; i < got.size(); ++i) {
    const double real = 0.1 * (a[i] - 128) + 0.05 * (b[i % 4] - 3);
    EXPECT_LE(std::abs(got[i] - testing::numeric::QuantizeReal(std::max(real, 0.0), 0.12, 100, 0, 255)), 1);
  }
}

TEST(KernelsNumericOps, SubFloatAndMulInt8WithoutOptions) {
  OpHarness h;
  const int a = h.Add(MakeTensor("a", DType::kFloat32, {3}));
  const int b = h.Add(MakeTensor("b", DType::kFloat32, {3}));
  const int o = h.Add(MakeTensor("y", DType::kFloat32, {3}));
  h.Set(a, std::vector<float>{1.0f, 2.0f, -7.0f});
  h.Set(b, std::vector<float>{0.5f, 4.0f, 1.0f});
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kSub, {a, b}, {o}, ir::ElementwiseOptions{ir::Activation::kRelu6})).ok());
  EXPECT_EQ(h.Get<float>(o), (std::vector<float>{0.5f, 0.0f, 0.0f}));

  const int qa = h.Add(MakeTensor("qa", DType::kInt8, {1, 2, 2, 2}, {0.02f}, {-10}));
  const int qb = h.Add(MakeTensor("qb", DType::kInt8, {1, 1, 1, 2}, {0.01f}, {0}));
  const int qo = h.Add(MakeTensor("qy", DType::kInt8, {1, 2, 2, 2}, {0.001f}, {5}));
  const std::vector<int8_t> va{-10, 20, 30, -40, 127, -128, 0, 1};
  const std::vector<int8_t> vb{100, -50};
  h.Set(qa, va);
  h.Set(qb, vb);
  // No options table at all (some converters write MUL without one).
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kMul, {qa, qb}, {qo}, std::monostate{})).ok());
  const auto got = h.Get<int8_t>(qo);
  for (size_t i = 0; i < 8; ++i) {
    const float scale = (0.02f * 0.01f) / 0.001f;
    const long q = std::lrintf(static_cast<float>((va[i] + 10) * vb[i % 2]) * scale) + 5;
    EXPECT_EQ(got[i], std::min<long>(std::max<long>(q, -128), 127)) << i;
  }
}

// --- pooling, MEAN, SOFTMAX ---------------------------------------------------------------

TEST(KernelsNumericOps, AveragePoolUint8AndMaxPoolInt8) {
  OpHarness h;
  std::mt19937 rng(6);
  const auto x = RandomValues<uint8_t>(rng, 1 * 5 * 5 * 2);
  const int in = h.Add(MakeTensor("x", DType::kUInt8, {1, 5, 5, 2}, {0.1f}, {3}));
  const int out = h.Add(MakeTensor("y", DType::kUInt8, {1, 3, 3, 2}, {0.1f}, {3}));
  h.Set(in, x);
  ir::Pool2DOptions options;
  options.padding = ir::Padding::kSame;
  options.filter_h = options.filter_w = 3;
  options.stride_h = options.stride_w = 2;
  options.activation = ir::Activation::kRelu6;
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kAveragePool2D, {in}, {out}, options)).ok());
  std::vector<uint8_t> expected(18);
  const int hi = 3 + static_cast<int>(std::round(6.0f / 0.1f));
  kr::AveragePoolUint8({2, 2, 3, 3, 1, 1}, {3, hi}, {1, 5, 5, 2}, x.data(), {1, 3, 3, 2},
                       expected.data());
  EXPECT_EQ(h.Get<uint8_t>(out), expected);

  const auto xs = RandomValues<int8_t>(rng, 1 * 4 * 4 * 3);
  const int in8 = h.Add(MakeTensor("x8", DType::kInt8, {1, 4, 4, 3}, {0.5f}, {-128}));
  const int out8 = h.Add(MakeTensor("y8", DType::kInt8, {1, 2, 2, 3}, {0.5f}, {-128}));
  h.Set(in8, xs);
  options.padding = ir::Padding::kValid;
  options.filter_h = options.filter_w = 2;
  options.activation = ir::Activation::kNone;
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kMaxPool2D, {in8}, {out8}, options)).ok());
  const auto got = h.Get<int8_t>(out8);
  for (int oy = 0; oy < 2; ++oy) {
    for (int ox = 0; ox < 2; ++ox) {
      for (int c = 0; c < 3; ++c) {
        int m = -128;
        for (int y = 0; y < 2; ++y)
          for (int x = 0; x < 2; ++x) m = std::max(m, int{xs[((oy * 2 + y) * 4 + ox * 2 + x) * 3 + c]});
        EXPECT_EQ(got[(oy * 2 + ox) * 3 + c], m);
      }
    }
  }
}

TEST(KernelsNumericOps, MeanInt8OverNegativeAxes) {
  OpHarness h;
  std::mt19937 rng(7);
  const auto x = RandomValues<int8_t>(rng, 1 * 3 * 4 * 5);
  const int in = h.Add(MakeTensor("x", DType::kInt8, {1, 3, 4, 5}, {0.02f}, {-7}));
  const int axes = h.Add(MakeConstant("axes", DType::kInt32, {2}, std::vector<int32_t>{-3, 2}));
  const int out = h.Add(MakeTensor("y", DType::kInt8, {1, 5}, {0.01f}, {2}));
  h.Set(in, x);
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kMean, {in, axes}, {out}, ir::ReducerOptions{false})).ok());
  const auto got = h.Get<int8_t>(out);
  const auto params = kr::MakeQuantizedMeanParams(0.02f, -7, 0.01f, 2, 12, -128, 127);
  std::vector<int8_t> expected(5);
  kr::MeanInt8(kr::MakeReductionLayout({1, 3, 4, 5}, {1, 2}), params, x.data(), expected.data());
  EXPECT_EQ(got, expected);
}

TEST(KernelsNumericOps, SoftmaxInt8) {
  OpHarness h;
  const std::vector<int8_t> x{-128, 0, 10, 127, 127, -5};
  const int in = h.Add(MakeTensor("logits", DType::kInt8, {2, 3}, {0.1f}, {0}));
  const int out = h.Add(MakeTensor("probs", DType::kInt8, {2, 3}, {1.0f / 256.0f}, {-128}));
  h.Set(in, x);
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kSoftmax, {in}, {out}, ir::SoftmaxOptions{1.0f})).ok());
  const auto got = h.Get<int8_t>(out);
  for (int r = 0; r < 2; ++r) {
    double sum = 0.0;
    for (int i = 0; i < 3; ++i) sum += std::exp(0.1 * x[r * 3 + i]);
    for (int i = 0; i < 3; ++i) {
      const double p = std::exp(0.1 * x[r * 3 + i]) / sum;
      EXPECT_LE(std::abs(got[r * 3 + i] - testing::numeric::QuantizeReal(p, 1.0 / 256, -128, -128, 127)), 1);
    }
  }
}

// --- QUANTIZE / DEQUANTIZE ----------------------------------------------------------------

TEST(KernelsNumericOps, QuantizeAndDequantize) {
  OpHarness h;
  const int f = h.Add(MakeTensor("f", DType::kFloat32, {4}));
  const int q = h.Add(MakeTensor("q", DType::kInt8, {4}, {0.5f}, {1}));
  h.Set(f, std::vector<float>{1.25f, -1.25f, 100.0f, 0.3f});
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kQuantize, {f}, {q}, std::monostate{})).ok());
  EXPECT_EQ(h.Get<int8_t>(q), (std::vector<int8_t>{3, -1, 127, 2}));

  // uint8 -> int8 at a TF2 model's input: same scale, zero point 128 -> 0.
  const int u = h.Add(MakeTensor("u", DType::kUInt8, {3}, {0.0078125f}, {128}));
  const int s = h.Add(MakeTensor("s", DType::kInt8, {3}, {0.0078125f}, {0}));
  h.Set(u, std::vector<uint8_t>{0, 128, 255});
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kQuantize, {u}, {s}, std::monostate{})).ok());
  EXPECT_EQ(h.Get<int8_t>(s), (std::vector<int8_t>{-128, 0, 127}));

  // Per-channel int8 weights along dimension 0.
  const int w = h.Add(MakeConstant("w", DType::kInt8, {2, 2}, std::vector<int8_t>{10, -10, 10, -10},
                                   {0.5f, 0.25f}, {0, 0}, 0));
  const int wf = h.Add(MakeTensor("wf", DType::kFloat32, {2, 2}));
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kDequantize, {w}, {wf}, std::monostate{})).ok());
  EXPECT_EQ(h.Get<float>(wf), (std::vector<float>{5.0f, -5.0f, 2.5f, -2.5f}));

  const int half = h.Add(MakeConstant("h", DType::kFloat16, {2},
                                      std::vector<uint16_t>{core::FloatToHalf(1.5f), 0xC000}));
  const int hf = h.Add(MakeTensor("hf", DType::kFloat32, {2}));
  ASSERT_TRUE(h.Run(MakeOp(ir::OpType::kDequantize, {half}, {hf}, std::monostate{})).ok());
  EXPECT_EQ(h.Get<float>(hf), (std::vector<float>{1.5f, -2.0f}));
}

// --- invalid combinations -----------------------------------------------------------------

void ExpectError(const Status& status, StatusCode code, const std::vector<std::string>& fragments) {
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), code) << status.message();
  for (const std::string& f : fragments) {
    EXPECT_NE(status.message().find(f), std::string::npos)
        << "message \"" << status.message() << "\" lacks \"" << f << "\"";
  }
}

TEST(KernelsNumericOps, Conv2DRejectsFloatBiasForUint8) {
  auto s = MakeUint8Conv(true, DType::kFloat32);
  ExpectError(s->h.Run(s->op), StatusCode::kUnimplemented,
              {"op 7 (CONV_2D)", "bias 'b'", "float32", "must be int32"});
}

TEST(KernelsNumericOps, Conv2DRejectsPerChannelScaleCountMismatch) {
  OpHarness h;
  const int in = h.Add(MakeTensor("x", DType::kInt8, {1, 3, 3, 2}, {0.1f}, {0}));
  const int filter = h.Add(MakeConstant("w", DType::kInt8, {4, 1, 1, 2}, std::vector<int8_t>(8, 1),
                                        {0.1f, 0.2f, 0.3f}, {0, 0, 0}, 0));
  const int out = h.Add(MakeTensor("y", DType::kInt8, {1, 3, 3, 4}, {0.1f}, {0}));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in, filter, ir::kNoTensor}, {out}, ir::Conv2DOptions{})),
              StatusCode::kInvalidArgument,
              {"op 7 (CONV_2D)", "filter 'w'", "3 per-channel scales", "4 output channels"});
}

TEST(KernelsNumericOps, Conv2DRejectsUnsupportedDTypes) {
  OpHarness h;
  const int in = h.Add(MakeTensor("x", DType::kInt16, {1, 3, 3, 2}, {0.1f}, {0}));
  const int filter = h.Add(MakeConstant("w", DType::kInt8, {1, 1, 1, 2}, std::vector<int8_t>(2, 1), {0.1f}, {0}));
  const int out = h.Add(MakeTensor("y", DType::kInt16, {1, 3, 3, 1}, {0.1f}, {0}));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in, filter}, {out}, ir::Conv2DOptions{})),
              StatusCode::kUnimplemented,
              {"CONV_2D with int16 input 'x' is not supported", "supported: float32, uint8, int8"});

  // Hybrid (float input, int8 weights) is not supported either.
  const int fin = h.Add(MakeTensor("fx", DType::kFloat32, {1, 3, 3, 2}));
  const int fout = h.Add(MakeTensor("fy", DType::kFloat32, {1, 3, 3, 1}));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {fin, filter}, {fout}, ir::Conv2DOptions{})),
              StatusCode::kUnimplemented, {"filter 'w' is int8", "input 'fx' is float32"});
}

TEST(KernelsNumericOps, Conv2DRejectsBadOptions) {
  OpHarness h;
  const int in = h.Add(MakeTensor("x", DType::kFloat32, {1, 3, 3, 2}));
  const int filter = h.Add(MakeConstant("w", DType::kFloat32, {1, 1, 1, 2}, std::vector<float>(2, 1.0f)));
  const int out = h.Add(MakeTensor("y", DType::kFloat32, {1, 3, 3, 1}));
  ir::Conv2DOptions zero_stride;
  zero_stride.stride_h = 0;
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in, filter}, {out}, zero_stride)),
              StatusCode::kInvalidArgument, {"stride 0"});
  ir::Conv2DOptions tanh;
  tanh.activation = ir::Activation::kTanh;
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in, filter}, {out}, tanh)),
              StatusCode::kUnimplemented, {"fused activation TANH"});
  ir::Conv2DOptions stride2;
  stride2.stride_h = stride2.stride_w = 2;  // output should be 2x2, the tensor says 3x3
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in, filter}, {out}, stride2)),
              StatusCode::kInvalidArgument, {"output height 3", "expected 2"});
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in, filter}, {out}, ir::Pool2DOptions{})),
              StatusCode::kInvalidArgument, {"no Conv2DOptions"});
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in}, {out}, ir::Conv2DOptions{})),
              StatusCode::kInvalidArgument, {"missing filter"});
}

TEST(KernelsNumericOps, WeightQuantizationErrors) {
  OpHarness h;
  const int in = h.Add(MakeTensor("x", DType::kUInt8, {1, 2, 2, 2}, {0.1f}, {0}));
  const int out = h.Add(MakeTensor("y", DType::kUInt8, {1, 2, 2, 2}, {0.1f}, {0}));
  const int per_channel_u8 = h.Add(MakeConstant("wu", DType::kUInt8, {2, 1, 1, 2}, std::vector<uint8_t>(4, 1),
                                                {0.1f, 0.2f}, {0, 0}, 0));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in, per_channel_u8}, {out}, ir::Conv2DOptions{})),
              StatusCode::kUnimplemented, {"only int8 weights may be quantized per channel"});

  const int in8 = h.Add(MakeTensor("x8", DType::kInt8, {1, 2, 2, 2}, {0.1f}, {0}));
  const int out8 = h.Add(MakeTensor("y8", DType::kInt8, {1, 2, 2, 2}, {0.1f}, {0}));
  const int asymmetric = h.Add(MakeConstant("wa", DType::kInt8, {2, 1, 1, 2}, std::vector<int8_t>(4, 1),
                                            {0.1f, 0.2f}, {0, 3}, 0));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in8, asymmetric}, {out8}, ir::Conv2DOptions{})),
              StatusCode::kUnimplemented, {"per-channel zero point 3"});
  const int wrong_axis = h.Add(MakeConstant("wx", DType::kInt8, {2, 1, 1, 2}, std::vector<int8_t>(4, 1),
                                            {0.1f, 0.2f}, {0, 0}, 3));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in8, wrong_axis}, {out8}, ir::Conv2DOptions{})),
              StatusCode::kInvalidArgument, {"quantized along dimension 3", "expected dimension 0"});
  const int unquantized = h.Add(MakeConstant("wn", DType::kInt8, {2, 1, 1, 2}, std::vector<int8_t>(4, 1)));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in8, unquantized}, {out8}, ir::Conv2DOptions{})),
              StatusCode::kInvalidArgument, {"filter 'wn'", "no quantization parameters"});
  const int bad_bias = h.Add(MakeConstant("bb", DType::kInt32, {3}, std::vector<int32_t>(3, 0)));
  const int w8 = h.Add(MakeConstant("w8", DType::kInt8, {2, 1, 1, 2}, std::vector<int8_t>(4, 1), {0.1f}, {0}));
  ExpectError(h.Run(MakeOp(ir::OpType::kConv2D, {in8, w8, bad_bias}, {out8}, ir::Conv2DOptions{})),
              StatusCode::kInvalidArgument, {"bias 'bb' has 3 elements", "expected 2"});
}

TEST(KernelsNumericOps, DepthwiseRejectsMultiplierMismatch) {
  OpHarness h;
  const int in = h.Add(MakeTensor("x", DType::kFloat32, {1, 3, 3, 2}));
  const int filter = h.Add(MakeConstant("w", DType::kFloat32, {1, 3, 3, 4}, std::vector<float>(36, 1.0f)));
  const int out = h.Add(MakeTensor("y", DType::kFloat32, {1, 3, 3, 4}));
  ir::DepthwiseConv2DOptions options;
  options.depth_multiplier = 1;
  ExpectError(h.Run(MakeOp(ir::OpType::kDepthwiseConv2D, {in, filter}, {out}, options)),
              StatusCode::kInvalidArgument, {"op 7 (DEPTHWISE_CONV_2D)", "depth_multiplier 1"});
}

TEST(KernelsNumericOps, OtherOpsRejectInvalidCombinations) {
  OpHarness h;
  // SOFTMAX int8 output must be 1/256, -128.
  const int logits = h.Add(MakeTensor("l", DType::kInt8, {1, 4}, {0.1f}, {0}));
  const int probs = h.Add(MakeTensor("p", DType::kInt8, {1, 4}, {1.0f / 256.0f}, {0}));
  ExpectError(h.Run(MakeOp(ir::OpType::kSoftmax, {logits}, {probs}, ir::SoftmaxOptions{})),
              StatusCode::kUnimplemented, {"op 7 (SOFTMAX)", "output 'p'", "zero point -128"});

  // MEAN axes computed at run time.
  const int x = h.Add(MakeTensor("x", DType::kFloat32, {1, 2, 2, 3}));
  const int axes = h.Add(MakeTensor("axes", DType::kInt32, {2}));
  const int y = h.Add(MakeTensor("y", DType::kFloat32, {1, 3}));
  ExpectError(h.Run(MakeOp(ir::OpType::kMean, {x, axes}, {y}, ir::ReducerOptions{})),
              StatusCode::kUnimplemented, {"axes 'axes'", "constant axes"});
  const int far_axes = h.Add(MakeConstant("far", DType::kInt32, {1}, std::vector<int32_t>{4}));
  ExpectError(h.Run(MakeOp(ir::OpType::kMean, {x, far_axes}, {y}, ir::ReducerOptions{})),
              StatusCode::kInvalidArgument, {"axis 4", "outside [-4, 4)"});

  // Quantized pooling with a rescaling output.
  const int pin = h.Add(MakeTensor("pin", DType::kUInt8, {1, 2, 2, 1}, {0.1f}, {0}));
  const int pout = h.Add(MakeTensor("pout", DType::kUInt8, {1, 1, 1, 1}, {0.2f}, {0}));
  ir::Pool2DOptions pool;
  pool.filter_h = pool.filter_w = 2;
  ExpectError(h.Run(MakeOp(ir::OpType::kAveragePool2D, {pin}, {pout}, pool)),
              StatusCode::kUnimplemented, {"AVERAGE_POOL_2D", "needs them equal"});

  // ADD of mixed dtypes, and shapes that do not broadcast.
  const int fa = h.Add(MakeTensor("fa", DType::kFloat32, {2, 3}));
  const int ub = h.Add(MakeTensor("ub", DType::kUInt8, {2, 3}, {0.1f}, {0}));
  const int fo = h.Add(MakeTensor("fo", DType::kFloat32, {2, 3}));
  ExpectError(h.Run(MakeOp(ir::OpType::kAdd, {fa, ub}, {fo}, ir::ElementwiseOptions{})),
              StatusCode::kUnimplemented, {"second input 'ub' is uint8", "input 'fa' is float32"});
  const int fb = h.Add(MakeTensor("fb", DType::kFloat32, {3, 2}));
  ExpectError(h.Run(MakeOp(ir::OpType::kMul, {fa, fb}, {fo}, ir::ElementwiseOptions{})),
              StatusCode::kInvalidArgument, {"[2,3] and [3,2] do not broadcast"});

  // QUANTIZE to a float, DEQUANTIZE of a float32.
  ExpectError(h.Run(MakeOp(ir::OpType::kQuantize, {fa}, {fo}, std::monostate{})),
              StatusCode::kUnimplemented, {"output 'fo'", "supported: uint8, int8"});
  ExpectError(h.Run(MakeOp(ir::OpType::kDequantize, {fa}, {fo}, std::monostate{})),
              StatusCode::kUnimplemented, {"input 'fa'", "supported: uint8, int8, float16"});

  // Per-tensor quantization required on activations.
  const int pc = h.Add(MakeTensor("pc", DType::kInt8, {2, 3}, {0.1f, 0.2f}, {0, 0}, 0));
  const int pco = h.Add(MakeTensor("pco", DType::kInt8, {2, 3}, {0.1f}, {0}));
  ExpectError(h.Run(MakeOp(ir::OpType::kAdd, {pc, pc}, {pco}, ir::ElementwiseOptions{})),
              StatusCode::kUnimplemented, {"input 'pc' must be quantized per tensor"});
  // Zero point outside the dtype.
  const int bad_zp = h.Add(MakeTensor("bz", DType::kUInt8, {2, 3}, {0.1f}, {300}));
  const int uo = h.Add(MakeTensor("uo", DType::kUInt8, {2, 3}, {0.1f}, {0}));
  ExpectError(h.Run(MakeOp(ir::OpType::kAdd, {bad_zp, bad_zp}, {uo}, ir::ElementwiseOptions{})),
              StatusCode::kInvalidArgument, {"zero point 300", "outside the uint8 range"});
}

}  // namespace
}  // namespace edgeforge::runtime
