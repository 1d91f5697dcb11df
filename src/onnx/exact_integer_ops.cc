// `export onnx --tflite-exact`: quantized AVERAGE_POOL_2D, MEAN over H,W, SOFTMAX and ADD/SUB in
// the TFLite runtime's own arithmetic (DESIGN.md, "What the TFLite runtime actually computes";
// the same formulas as kernels/reference), written as ONNX ops on exact integers, so that ONNX
// Runtime gives TFLite's bytes. ORT's own kernels for these ops round differently (averages half
// to even, a float softmax, QLinearAdd a few elements per residual block), as do its per-channel
// convolutions (written out in conv_ops.cc); those one-step differences decided the order of
// near-tied classes on golden photos. Per-tensor convolutions keep their QDQ form: ORT's
// QLinearConv gives TFLite's bytes there (every intermediate tensor of the uint8 Coral models
// compared on cat.bmp).
//
// Every float step below is exact or is the very float32 operation the TFLite kernel performs:
// sums of 8-bit integers stay far below 2^24, CumSum adds in order like the kernel's loop, and
// Mul/Add/Reciprocal/Floor/Round are single IEEE operations.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "ir/verifier.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/mean.h"
#include "kernels/reference/softmax.h"
#include "onnx/layout.h"
#include "onnx/op_exporters.h"

namespace edgeforge::onnx_export {

namespace {

namespace kr = kernels::reference;

bool PerTensorQuantized(const ir::Tensor& t) { return IsQuantized(t) && !t.quant.per_channel(); }

bool SameQuantizedDType(const ExportContext& ctx, const ir::Op& op) {
  if (op.inputs.empty() || op.outputs.empty() || op.inputs[0] < 0 || op.outputs[0] < 0) return false;
  const ir::Tensor& in = ctx.tensor(op.inputs[0]);
  const ir::Tensor& out = ctx.tensor(op.outputs[0]);
  return PerTensorQuantized(in) && PerTensorQuantized(out) && in.dtype == out.dtype;
}

float ZeroPoint(const ir::Tensor& t) {
  return t.quant.zero_point.empty() ? 0.0f : static_cast<float>(t.quant.zero_point[0]);
}

std::pair<float, float> DTypeRange(DType dtype) {
  return dtype == DType::kInt8 ? std::pair{-128.0f, 127.0f} : std::pair{0.0f, 255.0f};
}

std::string FloatConstant(ExportContext& ctx, const std::string& base, const std::vector<int64_t>& dims,
                          const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return ctx.AddInitializer(base, DType::kFloat32, dims, bytes);
}

std::string Clip(ExportContext& ctx, const std::string& x, DType dtype, const std::string& base) {
  const auto [lo, hi] = DTypeRange(dtype);
  return ClampIntegers(ctx, x, {static_cast<int32_t>(lo), static_cast<int32_t>(hi)}, base);
}

bool IsGlobalMean(const ExportContext& ctx, const ir::Op& op) {
  if (op.type != ir::OpType::kMean || op.inputs.size() != 2 || ctx.rank(op.inputs[0]) != 4) return false;
  auto axes = IntegerConstant(ctx, op.inputs[1], "MEAN axes");
  if (!axes.ok()) return false;
  std::set<int64_t> set;
  for (int64_t a : *axes) set.insert(NormalizeAxis(a, 4));
  return set == std::set<int64_t>{1, 2};
}

// AVERAGE_POOL_2D: S = the window's sum of raw values, n = positions inside the input,
// q = (S + n/2) / n rounded away from zero on ties, in integers (TFLite's kernel; scales ignored).
Status ExportAveragePoolExactly(ExportContext& ctx, const ir::Op& op) {
  EF_ASSIGN_OR_RETURN(const ir::Pool2DOptions* o, OptionsOf<ir::Pool2DOptions>(op));
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  const std::string base = output.name + "/avgpool";
  const int32_t in_h = input.shape[1], in_w = input.shape[2], channels = input.shape[3];
  const int32_t out_h = output.shape[1], out_w = output.shape[2];
  const ir::PaddingResult h = ir::ComputePadding(o->padding, in_h, o->filter_h, o->stride_h, 1);
  const ir::PaddingResult w = ir::ComputePadding(o->padding, in_w, o->filter_w, o->stride_w, 1);
  EF_ASSIGN_OR_RETURN(const std::string x, ctx.RawIntegers(op.inputs[0]));
  // The window sums: a depthwise convolution with a kernel of ones (exact integer sums).
  const std::vector<float> ones(static_cast<size_t>(channels) * o->filter_h * o->filter_w, 1.0f);
  const std::string kernel = FloatConstant(ctx, base + "/ones", {channels, 1, o->filter_h, o->filter_w}, ones);
  ::onnx::NodeProto* conv = nullptr;
  const std::string sum = ctx.AddNode1("Conv", {x, kernel}, base + "/sum", &conv);
  SetAttribute(*conv, "group", int64_t{channels});
  SetAttribute(*conv, "kernel_shape", std::vector<int64_t>{o->filter_h, o->filter_w});
  SetAttribute(*conv, "strides", std::vector<int64_t>{o->stride_h, o->stride_w});
  SetAttribute(*conv, "pads", std::vector<int64_t>{h.before, w.before, h.after, w.after});
  // n and n/2 of every output position.
  std::vector<float> counts, halves;
  for (int32_t oy = 0; oy < out_h; ++oy) {
    for (int32_t ox = 0; ox < out_w; ++ox) {
      const int32_t y0 = oy * o->stride_h - h.before, x0 = ox * o->stride_w - w.before;
      const int32_t rows = std::min(in_h, y0 + o->filter_h) - std::max(0, y0);
      const int32_t cols = std::min(in_w, x0 + o->filter_w) - std::max(0, x0);
      const int32_t n = std::max(0, rows) * std::max(0, cols);
      counts.push_back(static_cast<float>(std::max(1, n)));
      halves.push_back(static_cast<float>(n / 2));
    }
  }
  const std::string count = FloatConstant(ctx, base + "/count", {1, 1, out_h, out_w}, counts);
  const std::string half = FloatConstant(ctx, base + "/half_count", {1, 1, out_h, out_w}, halves);
  // sign(S) * floor((|S| + n/2) / n): the quotient of two integers below 2^24 is within one
  // float rounding of the true one, far less than its distance to the next integer.
  const std::string magnitude = ctx.AddNode1("Abs", {sum}, base + "/abs");
  const std::string quotient =
      ctx.AddNode1("Div", {ctx.AddNode1("Add", {magnitude, half}, base + "/rounded"), count}, base + "/quotient");
  const std::string q = ctx.AddNode1(
      "Mul", {ctx.AddNode1("Sign", {sum}, base + "/sign"), ctx.AddNode1("Floor", {quotient}, base + "/floor")}, base + "/q");
  return ctx.DefineFromIntegers(op.outputs[0], q);
}

// MEAN over H,W: q = clamp(nearbyint((float)S * inv + zpf)) with kernels/reference/mean.h's inv
// and zpf.
Status ExportMeanExactly(ExportContext& ctx, const ir::Op& op) {
  EF_ASSIGN_OR_RETURN(const ir::ReducerOptions* o, OptionsOf<ir::ReducerOptions>(op));
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  const std::string base = output.name + "/mean";
  const int64_t n = static_cast<int64_t>(input.shape[1]) * input.shape[2];
  const auto [qmin, qmax] = DTypeRange(output.dtype);
  const kr::QuantizedMeanParams p = kr::MakeQuantizedMeanParams(
      input.quant.scale[0], static_cast<int32_t>(ZeroPoint(input)), output.quant.scale[0],
      static_cast<int32_t>(ZeroPoint(output)), n, static_cast<int32_t>(qmin), static_cast<int32_t>(qmax));
  EF_ASSIGN_OR_RETURN(const std::string x, ctx.RawIntegers(op.inputs[0]));
  ::onnx::NodeProto* reduce = nullptr;
  const std::string sum =
      ctx.AddNode1("ReduceSum", {x, ctx.Int64Initializer(base + "/axes", {2, 3})}, base + "/sum", &reduce);
  SetAttribute(*reduce, "keepdims", int64_t{1});
  const std::string scaled = ctx.AddNode1("Mul", {sum, ctx.FloatScalar(base + "/inv", p.inv)}, base + "/scaled");
  const std::string shifted =
      ctx.AddNode1("Add", {scaled, ctx.FloatScalar(base + "/zero_term", p.zero_point_term)}, base + "/shifted");
  std::string q = Clip(ctx, ctx.AddNode1("Round", {shifted}, base + "/rounded"), output.dtype, base + "/q");
  if (!o->keep_dims) q = ctx.Reshape(q, {input.shape[0], input.shape[3]});
  return ctx.DefineFromIntegers(op.outputs[0], q);
}

// SOFTMAX: kernels/reference/softmax.h's lookup table t, its in-order float sum, and the
// kernel's rounding (uint8: (int)(v + 0.5f); int8: std::round, ties away from zero).
Status ExportSoftmaxExactly(ExportContext& ctx, const ir::Op& op) {
  EF_ASSIGN_OR_RETURN(const ir::SoftmaxOptions* o, OptionsOf<ir::SoftmaxOptions>(op));
  const ir::Tensor& input = ctx.tensor(op.inputs[0]);
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  const std::string base = output.name + "/softmax";
  kr::SoftmaxLookupTable lut;
  kr::PopulateSoftmaxLookupTable(input.quant.scale[0], o->beta, output.quant.scale[0],
                                 static_cast<int32_t>(ZeroPoint(output)), &lut);
  const std::string table = FloatConstant(ctx, base + "/table", {256}, std::vector<float>(lut.table, lut.table + 256));
  const int64_t axis = ctx.rank(op.inputs[0]) == 4 ? 1 : ctx.rank(op.inputs[0]) - 1;  // TFLite's last axis

  EF_ASSIGN_OR_RETURN(const std::string x, ctx.RawIntegers(op.inputs[0]));
  ::onnx::NodeProto* reduce = nullptr;
  const std::string max = ctx.AddNode1("ReduceMax", {x}, base + "/max", &reduce);
  SetAttribute(*reduce, "axes", std::vector<int64_t>{axis});
  SetAttribute(*reduce, "keepdims", int64_t{1});
  // table[255 - max + x]
  const std::string offset = ctx.AddNode1(
      "Add", {ctx.AddNode1("Sub", {x, max}, base + "/centred"), ctx.FloatScalar(base + "/255", 255.0f)}, base + "/offset");
  const std::string index = ctx.Cast(offset, ::onnx::TensorProto_DataType_INT64, base + "/index");
  const std::string t = ctx.AddNode1("Gather", {table, index}, base + "/t");
  // The sum in order: the last running sum.
  const std::string running =
      ctx.AddNode1("CumSum", {t, ctx.Int64Initializer(base + "/axis", {axis})}, base + "/running_sum");
  const std::string sum = ctx.AddNode1("Slice", {running, ctx.Int64Initializer(base + "/last", {-1}),
                                                 ctx.Int64Initializer(base + "/end", {std::numeric_limits<int64_t>::max()}),
                                                 ctx.Int64Initializer(base + "/slice_axis", {axis})},
                                       base + "/sum");
  const std::string inv = ctx.AddNode1(
      "Reciprocal", {ctx.AddNode1("Mul", {sum, ctx.FloatScalar(base + "/out_scale", lut.output_scale)}, base + "/denominator")},
      base + "/inv");
  const std::string v = ctx.AddNode1("Mul", {t, inv}, base + "/v");
  std::string rounded;
  if (output.dtype == DType::kUInt8) {
    rounded = ctx.AddNode1("Floor", {ctx.AddNode1("Add", {v, ctx.FloatScalar(base + "/half", 0.5f)}, base + "/v_half")},
                           base + "/rounded");
  } else {
    // v >= 0: round half away from zero is floor(v) + 1 on an exact .5, else round-to-nearest.
    const std::string floor = ctx.AddNode1("Floor", {v}, base + "/floor");
    const std::string is_tie = ctx.AddNode1(
        "Equal", {ctx.AddNode1("Sub", {v, floor}, base + "/fraction"), ctx.FloatScalar(base + "/point5", 0.5f)},
        base + "/is_tie");
    rounded = ctx.AddNode1("Where",
                           {is_tie, ctx.AddNode1("Add", {floor, ctx.FloatScalar(base + "/one", 1.0f)}, base + "/up"),
                            ctx.AddNode1("Round", {v}, base + "/nearest")},
                           base + "/rounded");
  }
  const std::string q = ctx.AddNode1("Add", {rounded, ctx.FloatScalar(base + "/zero_point", ZeroPoint(output))}, base + "/q");
  return ctx.DefineFromIntegers(op.outputs[0], Clip(ctx, q, output.dtype, base + "/clamped"));
}

// ADD / SUB the XNNPACK way (kernels/reference/elementwise.h): q = clamp(((bias + a * ma + b * mb)
// >> shift) + zo) in int64, the arithmetic shift as (v - (v mod 2^shift)) / 2^shift.
kr::BinaryQuantization BinaryQuantizationOf(const ExportContext& ctx, const ir::Op& op) {
  const ir::Tensor& a = ctx.tensor(op.inputs[0]);
  const ir::Tensor& b = ctx.tensor(op.inputs[1]);
  const ir::Tensor& out = ctx.tensor(op.outputs[0]);
  return {a.quant.scale[0], static_cast<int32_t>(ZeroPoint(a)), b.quant.scale[0], static_cast<int32_t>(ZeroPoint(b)),
          out.quant.scale[0], static_cast<int32_t>(ZeroPoint(out))};
}

bool HasExactAddForm(const ExportContext& ctx, const ir::Op& op) {
  if (op.inputs.size() != 2 || op.inputs[1] < 0 || !SameQuantizedDType(ctx, op)) return false;
  const ir::Tensor& a = ctx.tensor(op.inputs[0]);
  const ir::Tensor& b = ctx.tensor(op.inputs[1]);
  auto o = OptionsOf<ir::ElementwiseOptions>(op);
  return o.ok() && HasClampForm((*o)->activation) && PerTensorQuantized(b) && b.dtype == a.dtype &&
         a.shape == b.shape && a.shape == ctx.tensor(op.outputs[0]).shape &&
         kr::XnnpackAddSupportsScales(BinaryQuantizationOf(ctx, op));
}

Status ExportAddExactly(ExportContext& ctx, const ir::Op& op) {
  EF_ASSIGN_OR_RETURN(const ir::ElementwiseOptions* o, OptionsOf<ir::ElementwiseOptions>(op));
  const ir::Tensor& output = ctx.tensor(op.outputs[0]);
  const std::string base = output.name + (op.type == ir::OpType::kSub ? "/sub" : "/add");
  const auto [qmin, qmax] = DTypeRange(output.dtype);
  const kr::XnnpackAddParams p = kr::MakeXnnpackAddParams(
      op.type == ir::OpType::kSub ? kr::AddOrSub::kSub : kr::AddOrSub::kAdd, BinaryQuantizationOf(ctx, op),
      ClampOf(o->activation), static_cast<int32_t>(qmin), static_cast<int32_t>(qmax));
  auto as_int64 = [&](int index, const std::string& name) -> StatusOr<std::string> {
    EF_ASSIGN_OR_RETURN(const std::string raw, ctx.RawIntegers(index));
    return ctx.Cast(raw, ::onnx::TensorProto_DataType_INT64, base + "/" + name);
  };
  EF_ASSIGN_OR_RETURN(const std::string a, as_int64(op.inputs[0], "a"));
  EF_ASSIGN_OR_RETURN(const std::string b, as_int64(op.inputs[1], "b"));
  const std::string a_term = ctx.AddNode1("Mul", {a, ctx.Int64Initializer(base + "/ma", {p.a_multiplier})}, base + "/a_term");
  const std::string b_term = ctx.AddNode1("Mul", {b, ctx.Int64Initializer(base + "/mb", {p.b_multiplier})}, base + "/b_term");
  const std::string acc = ctx.AddNode1(
      "Add", {ctx.AddNode1("Add", {a_term, b_term}, base + "/terms"), ctx.Int64Initializer(base + "/bias", {p.bias})},
      base + "/acc");
  const std::string power = ctx.Int64Initializer(base + "/two_to_shift", {int64_t{1} << p.shift});
  ::onnx::NodeProto* mod = nullptr;
  const std::string remainder = ctx.AddNode1("Mod", {acc, power}, base + "/remainder", &mod);  // in [0, 2^shift)
  SetAttribute(*mod, "fmod", int64_t{0});
  const std::string shifted =
      ctx.AddNode1("Div", {ctx.AddNode1("Sub", {acc, remainder}, base + "/floored"), power}, base + "/shifted");
  const std::string real = ctx.Cast(shifted, ::onnx::TensorProto_DataType_FLOAT, base + "/shifted_float");
  const std::string q = ctx.AddNode1(
      "Add", {real, ctx.FloatScalar(base + "/zero_point", static_cast<float>(p.output_zero_point))}, base + "/q");
  return ctx.DefineFromIntegers(op.outputs[0], ClampIntegers(ctx, q, p.clamp, base + "/clamped"));
}

}  // namespace

std::string ClampIntegers(ExportContext& ctx, const std::string& q, kr::QuantizedRange range, const std::string& base) {
  return ctx.AddNode1("Clip",
                      {q, ctx.FloatScalar(base + "/min", static_cast<float>(range.min)),
                       ctx.FloatScalar(base + "/max", static_cast<float>(range.max))},
                      base);
}

bool HasClampForm(ir::Activation activation) {
  return activation != ir::Activation::kTanh && activation != ir::Activation::kSignBit;
}

kr::FusedActivation ClampOf(ir::Activation activation) {
  switch (activation) {
    case ir::Activation::kRelu: return kr::FusedActivation::kRelu;
    case ir::Activation::kReluN1To1: return kr::FusedActivation::kReluN1To1;
    case ir::Activation::kRelu6: return kr::FusedActivation::kRelu6;
    default: return kr::FusedActivation::kNone;
  }
}

bool HasExactIntegerForm(const ExportContext& ctx, const ir::Op& op) {
  if (!ctx.options().tflite_exact || !SameQuantizedDType(ctx, op)) return false;
  switch (op.type) {
    case ir::OpType::kAdd:
    case ir::OpType::kSub: return HasExactAddForm(ctx, op);
    case ir::OpType::kAveragePool2D: {
      auto o = OptionsOf<ir::Pool2DOptions>(op);
      return o.ok() && (*o)->activation == ir::Activation::kNone && ctx.rank(op.inputs[0]) == 4;
    }
    case ir::OpType::kMean: return IsGlobalMean(ctx, op);
    case ir::OpType::kSoftmax: return OptionsOf<ir::SoftmaxOptions>(op).ok();
    default: return false;
  }
}

Status ExportExactInteger(ExportContext& ctx, const ir::Op& op) {
  switch (op.type) {
    case ir::OpType::kAveragePool2D: return ExportAveragePoolExactly(ctx, op);
    case ir::OpType::kMean: return ExportMeanExactly(ctx, op);
    case ir::OpType::kSoftmax: return ExportSoftmaxExactly(ctx, op);
    case ir::OpType::kAdd:
    case ir::OpType::kSub: return ExportAddExactly(ctx, op);
    default: return Internal("no exact integer form for this op");
  }
}

}  // namespace edgeforge::onnx_export
