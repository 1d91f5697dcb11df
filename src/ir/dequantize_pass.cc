#include "ir/dequantize_pass.h"

#include <cstring>
#include <unordered_map>

#include "core/float16.h"

namespace edgeforge::ir {

namespace {

bool IsQuantizedInteger(DType d) { return d == DType::kInt8 || d == DType::kUInt8 || d == DType::kInt16; }

int64_t IntegerAt(const Tensor& t, int64_t i) {
  switch (t.dtype) {
    case DType::kInt8: return reinterpret_cast<const int8_t*>(t.data.data())[i];
    case DType::kUInt8: return t.data[static_cast<size_t>(i)];
    case DType::kInt16: return reinterpret_cast<const int16_t*>(t.data.data())[i];
    case DType::kInt32: return reinterpret_cast<const int32_t*>(t.data.data())[i];
    default: return 0;
  }
}

// Dequantizes constant `t` in place of its bytes: real = scale[c] * (q - zp[c]), with c the
// index along the quantized dimension.
Status DequantizeConstant(Tensor& t) {
  const QuantParams& q = t.quant;
  const int64_t n = NumElements(t.shape);
  const size_t channels = q.scale.size();
  int64_t inner = 1;
  if (channels > 1) {
    if (q.quantized_dimension < 0 || static_cast<size_t>(q.quantized_dimension) >= t.shape.size() ||
        static_cast<size_t>(t.shape[static_cast<size_t>(q.quantized_dimension)]) != channels) {
      return InvalidArgument("tensor '" + t.name + "': " + std::to_string(channels) +
                             " scales do not match its quantized dimension");
    }
    for (size_t d = static_cast<size_t>(q.quantized_dimension) + 1; d < t.shape.size(); ++d) inner *= t.shape[d];
  }
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    size_t c = channels > 1 ? static_cast<size_t>((i / inner) % static_cast<int64_t>(channels)) : 0;
    int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[std::min(c, q.zero_point.size() - 1)];
    values[static_cast<size_t>(i)] = q.scale[c] * static_cast<float>(IntegerAt(t, i) - zp);
  }
  t.dtype = DType::kFloat32;
  t.quant = {};
  t.SetValues(values);
  return Status::Ok();
}

void WidenFloat16(Tensor& t) {
  const int64_t n = NumElements(t.shape);
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, t.data.data() + 2 * i, 2);
    values[static_cast<size_t>(i)] = core::HalfToFloat(h);
  }
  t.dtype = DType::kFloat32;
  t.SetValues(values);
}

}  // namespace

StatusOr<Graph> DequantizeGraph(const Graph& source) {
  Graph g = source;
  // The metadata gets the preprocessing the quantized input implied.
  if (!g.inputs.empty() && g.metadata.input_mean.empty()) {
    const Tensor& in = g.tensor(g.inputs[0]);
    if (IsQuantizedInteger(in.dtype) && in.quant.scale.size() == 1 && in.quant.scale[0] > 0) {
      float mean = static_cast<float>(in.quant.zero_point.empty() ? 0 : in.quant.zero_point[0]);
      int channels = in.shape.empty() ? 1 : in.shape.back();
      g.metadata.input_mean.assign(static_cast<size_t>(channels), mean);
      g.metadata.input_std.assign(static_cast<size_t>(channels), 1.0f / in.quant.scale[0]);
    }
  }
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    Tensor& t = g.tensors[i];
    if (t.is_constant()) {
      if ((IsQuantizedInteger(t.dtype) || t.dtype == DType::kInt32) && !t.quant.empty()) {
        EF_RETURN_IF_ERROR(DequantizeConstant(t));
      } else if (t.dtype == DType::kFloat16) {
        WidenFloat16(t);
      }
    } else if (IsQuantizedInteger(t.dtype) || t.dtype == DType::kFloat16) {
      t.dtype = DType::kFloat32;
      t.quant = {};
    }
  }
  // QUANTIZE and DEQUANTIZE are now float -> float copies: bypass and drop them.
  std::unordered_map<int, int> replace;  // removed op's output -> its input
  auto resolve = [&](int t) {
    while (replace.count(t)) t = replace[t];
    return t;
  };
  std::vector<Op> kept;
  for (Op& op : g.ops) {
    for (int& t : op.inputs) {
      if (t >= 0) t = resolve(t);
    }
    if ((op.type == OpType::kQuantize || op.type == OpType::kDequantize) && op.inputs.size() == 1 &&
        op.outputs.size() == 1 && g.tensor(op.inputs[0]).dtype == DType::kFloat32) {
      replace[op.outputs[0]] = op.inputs[0];
      continue;
    }
    // Quantized kernels carry higher op versions than their float forms: write the float ones.
    op.version = 1;
    if (op.type == OpType::kDepthwiseConv2D) {
      const auto& o = op.opts<DepthwiseConv2DOptions>();
      if (o.dilation_h != 1 || o.dilation_w != 1) op.version = 2;
    }
    kept.push_back(std::move(op));
  }
  g.ops = std::move(kept);
  for (int& t : g.outputs) t = resolve(t);
  for (int& t : g.inputs) t = resolve(t);
  return g;
}

}  // namespace edgeforge::ir
