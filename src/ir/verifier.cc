#include "ir/verifier.h"

#include <algorithm>
#include <string>
#include <vector>

namespace edgeforge::ir {

namespace {

std::string OpLabel(const Graph& g, size_t index) {
  return "op " + std::to_string(index) + " (" + OpName(g.ops[index]) + ")";
}

// Reads a small constant int32/int64 tensor (axes, shapes, paddings).
StatusOr<std::vector<int64_t>> ConstInts(const Graph& g, int t, const std::string& what) {
  if (t < 0) return InvalidArgument(what + " is missing");
  const Tensor& tensor = g.tensor(t);
  if (!tensor.is_constant()) {
    return Unimplemented(what + " (tensor '" + tensor.name + "') must be a constant");
  }
  std::vector<int64_t> out;
  if (tensor.dtype == DType::kInt32) {
    for (int32_t v : tensor.values<int32_t>()) out.push_back(v);
  } else if (tensor.dtype == DType::kInt64) {
    for (int64_t v : tensor.values<int64_t>()) out.push_back(v);
  } else {
    return InvalidArgument(what + " (tensor '" + tensor.name + "') must be int32 or int64, not " +
                           DTypeName(tensor.dtype));
  }
  return out;
}

StatusOr<int> NormalizeAxis(int64_t axis, size_t rank, const std::string& what) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    return InvalidArgument(what + " " + std::to_string(axis) + " is out of range for rank " +
                           std::to_string(rank));
  }
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

Status NeedInputs(const Op& op, size_t n) {
  if (op.inputs.size() < n) {
    return InvalidArgument("needs at least " + std::to_string(n) + " inputs, has " +
                           std::to_string(op.inputs.size()));
  }
  for (size_t i = 0; i < n; ++i) {
    if (op.inputs[i] < 0) return InvalidArgument("input " + std::to_string(i) + " is required");
  }
  return Status::Ok();
}

Status NeedRank(const Tensor& t, size_t rank, const std::string& what) {
  if (t.shape.size() != rank) {
    return InvalidArgument(what + " '" + t.name + "' must have rank " + std::to_string(rank) +
                           ", has shape " + ShapeToString(t.shape));
  }
  return Status::Ok();
}

StatusOr<Shape> Broadcast(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int32_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int32_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return InvalidArgument("shapes " + ShapeToString(a) + " and " + ShapeToString(b) +
                             " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

StatusOr<Shape> InferConvLike(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 2));
  const Tensor& in = g.tensor(op.inputs[0]);
  const Tensor& filter = g.tensor(op.inputs[1]);
  EF_RETURN_IF_ERROR(NeedRank(in, 4, "input"));
  EF_RETURN_IF_ERROR(NeedRank(filter, 4, "filter"));
  Padding padding;
  int32_t sh, sw, dh, dw, out_c;
  if (op.type == OpType::kConv2D) {
    const auto& o = op.opts<Conv2DOptions>();
    padding = o.padding, sh = o.stride_h, sw = o.stride_w, dh = o.dilation_h, dw = o.dilation_w;
    out_c = filter.shape[0];
    if (filter.shape[3] <= 0 || in.shape[3] % filter.shape[3] != 0) {
      return InvalidArgument("filter " + ShapeToString(filter.shape) +
                             " does not match input channels of " + ShapeToString(in.shape));
    }
    if (filter.shape[3] != in.shape[3]) {
      return Unimplemented("grouped convolution (input channels " + std::to_string(in.shape[3]) +
                           ", filter channels " + std::to_string(filter.shape[3]) + ")");
    }
  } else {
    const auto& o = op.opts<DepthwiseConv2DOptions>();
    padding = o.padding, sh = o.stride_h, sw = o.stride_w, dh = o.dilation_h, dw = o.dilation_w;
    out_c = filter.shape[3];
    if (filter.shape[0] != 1 || in.shape[3] <= 0 || out_c % in.shape[3] != 0) {
      return InvalidArgument("depthwise filter " + ShapeToString(filter.shape) +
                             " must be [1,kh,kw,C*multiplier] for input " + ShapeToString(in.shape));
    }
  }
  if (sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0) {
    return InvalidArgument("strides and dilations must be positive");
  }
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    const Tensor& bias = g.tensor(op.inputs[2]);
    if (NumElements(bias.shape) != out_c) {
      return InvalidArgument("bias '" + bias.name + "' has shape " + ShapeToString(bias.shape) +
                             ", expected " + std::to_string(out_c) + " elements");
    }
  }
  PaddingResult h = ComputePadding(padding, in.shape[1], filter.shape[1], sh, dh);
  PaddingResult w = ComputePadding(padding, in.shape[2], filter.shape[2], sw, dw);
  if (h.out <= 0 || w.out <= 0) {
    return InvalidArgument("filter " + ShapeToString(filter.shape) + " is larger than input " +
                           ShapeToString(in.shape));
  }
  return Shape{in.shape[0], h.out, w.out, out_c};
}

StatusOr<Shape> InferFullyConnected(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 2));
  const Tensor& in = g.tensor(op.inputs[0]);
  const Tensor& weights = g.tensor(op.inputs[1]);
  EF_RETURN_IF_ERROR(NeedRank(weights, 2, "weights"));
  int32_t units = weights.shape[0], depth = weights.shape[1];
  int64_t n = NumElements(in.shape);
  if (depth <= 0 || n % depth != 0) {
    return InvalidArgument("input " + ShapeToString(in.shape) + " is not a multiple of weights depth " +
                           std::to_string(depth));
  }
  if (op.inputs.size() > 2 && op.inputs[2] >= 0 && NumElements(g.tensor(op.inputs[2]).shape) != units) {
    return InvalidArgument("bias must have " + std::to_string(units) + " elements");
  }
  if (op.opts<FullyConnectedOptions>().keep_num_dims) {
    Shape out = in.shape;
    if (out.empty() || out.back() != depth) {
      return InvalidArgument("keep_num_dims needs the input's last dimension to equal " +
                             std::to_string(depth));
    }
    out.back() = units;
    return out;
  }
  return Shape{static_cast<int32_t>(n / depth), units};
}

StatusOr<Shape> InferPool(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 1));
  const Tensor& in = g.tensor(op.inputs[0]);
  EF_RETURN_IF_ERROR(NeedRank(in, 4, "input"));
  const auto& o = op.opts<Pool2DOptions>();
  if (o.stride_h <= 0 || o.stride_w <= 0 || o.filter_h <= 0 || o.filter_w <= 0) {
    return InvalidArgument("pool strides and filter sizes must be positive");
  }
  PaddingResult h = ComputePadding(o.padding, in.shape[1], o.filter_h, o.stride_h, 1);
  PaddingResult w = ComputePadding(o.padding, in.shape[2], o.filter_w, o.stride_w, 1);
  if (h.out <= 0 || w.out <= 0) return InvalidArgument("pool window larger than input");
  return Shape{in.shape[0], h.out, w.out, in.shape[3]};
}

StatusOr<Shape> InferMean(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 2));
  const Tensor& in = g.tensor(op.inputs[0]);
  EF_ASSIGN_OR_RETURN(auto axes, ConstInts(g, op.inputs[1], "MEAN axes"));
  std::vector<bool> reduced(in.shape.size(), false);
  for (int64_t a : axes) {
    EF_ASSIGN_OR_RETURN(int axis, NormalizeAxis(a, in.shape.size(), "MEAN axis"));
    reduced[static_cast<size_t>(axis)] = true;
  }
  bool keep = op.opts<ReducerOptions>().keep_dims;
  Shape out;
  for (size_t i = 0; i < in.shape.size(); ++i) {
    if (!reduced[i]) out.push_back(in.shape[i]);
    else if (keep) out.push_back(1);
  }
  return out;
}

StatusOr<Shape> InferReshape(const Graph& g, const Op& op, const Shape& declared) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 1));
  const Tensor& in = g.tensor(op.inputs[0]);
  std::vector<int64_t> target;
  if (op.inputs.size() > 1 && op.inputs[1] >= 0 && g.tensor(op.inputs[1]).is_constant()) {
    EF_ASSIGN_OR_RETURN(target, ConstInts(g, op.inputs[1], "RESHAPE shape"));
  } else if (op.inputs.size() > 1 && op.inputs[1] >= 0) {
    target.assign(declared.begin(), declared.end());  // computed shape: trust the file
  } else {
    const auto& ns = op.opts<ReshapeOptions>().new_shape;
    target.assign(ns.begin(), ns.end());
  }
  int64_t known = 1;
  int unknown = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (unknown >= 0) return InvalidArgument("RESHAPE shape has more than one -1");
      unknown = static_cast<int>(i);
    } else if (target[i] < 0) {
      return InvalidArgument("RESHAPE shape has a negative dimension");
    } else {
      known *= target[i];
    }
  }
  int64_t n = NumElements(in.shape);
  if (unknown >= 0) {
    if (known == 0 || n % known != 0) return InvalidArgument("RESHAPE cannot infer the -1 dimension");
    target[static_cast<size_t>(unknown)] = n / known;
    known = n;
  }
  if (known != n) {
    return InvalidArgument("RESHAPE from " + ShapeToString(in.shape) + " (" + std::to_string(n) +
                           " elements) to " + std::to_string(known) + " elements");
  }
  return Shape(target.begin(), target.end());
}

StatusOr<Shape> InferSqueeze(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 1));
  const Tensor& in = g.tensor(op.inputs[0]);
  const auto& dims = op.opts<SqueezeOptions>().squeeze_dims;
  std::vector<bool> drop(in.shape.size(), false);
  if (dims.empty()) {
    for (size_t i = 0; i < in.shape.size(); ++i) drop[i] = in.shape[i] == 1;
  } else {
    for (int32_t d : dims) {
      EF_ASSIGN_OR_RETURN(int axis, NormalizeAxis(d, in.shape.size(), "SQUEEZE dim"));
      if (in.shape[static_cast<size_t>(axis)] != 1) {
        return InvalidArgument("SQUEEZE dim " + std::to_string(d) + " of " + ShapeToString(in.shape) +
                               " is not 1");
      }
      drop[static_cast<size_t>(axis)] = true;
    }
  }
  Shape out;
  for (size_t i = 0; i < in.shape.size(); ++i) {
    if (!drop[i]) out.push_back(in.shape[i]);
  }
  return out;
}

StatusOr<Shape> InferPad(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 2));
  const Tensor& in = g.tensor(op.inputs[0]);
  EF_ASSIGN_OR_RETURN(auto pads, ConstInts(g, op.inputs[1], "PAD paddings"));
  if (pads.size() != 2 * in.shape.size()) {
    return InvalidArgument("PAD paddings must be [" + std::to_string(in.shape.size()) + ",2]");
  }
  Shape out = in.shape;
  for (size_t i = 0; i < out.size(); ++i) {
    if (pads[2 * i] < 0 || pads[2 * i + 1] < 0) return InvalidArgument("PAD paddings must be >= 0");
    out[i] += static_cast<int32_t>(pads[2 * i] + pads[2 * i + 1]);
  }
  return out;
}

StatusOr<Shape> InferConcat(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 1));
  const Shape& first = g.tensor(op.inputs[0]).shape;
  EF_ASSIGN_OR_RETURN(int axis, NormalizeAxis(op.opts<ConcatenationOptions>().axis, first.size(),
                                              "CONCATENATION axis"));
  Shape out = first;
  out[static_cast<size_t>(axis)] = 0;
  for (int t : op.inputs) {
    if (t < 0) return InvalidArgument("CONCATENATION input missing");
    const Shape& s = g.tensor(t).shape;
    if (s.size() != first.size()) return InvalidArgument("CONCATENATION inputs differ in rank");
    for (size_t i = 0; i < s.size(); ++i) {
      if (static_cast<int>(i) != axis && s[i] != first[i]) {
        return InvalidArgument("CONCATENATION inputs " + ShapeToString(first) + " and " +
                               ShapeToString(s) + " differ outside the axis");
      }
    }
    out[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
  }
  return out;
}

StatusOr<std::vector<Shape>> InferSplit(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 2));
  EF_ASSIGN_OR_RETURN(auto axis_v, ConstInts(g, op.inputs[0], "SPLIT axis"));
  if (axis_v.size() != 1) return InvalidArgument("SPLIT axis must be a scalar");
  const Shape& in = g.tensor(op.inputs[1]).shape;
  EF_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_v[0], in.size(), "SPLIT axis"));
  int32_t n = static_cast<int32_t>(op.outputs.size());
  if (n != op.opts<SplitOptions>().num_splits) {
    return InvalidArgument("SPLIT num_splits " + std::to_string(op.opts<SplitOptions>().num_splits) +
                           " but " + std::to_string(n) + " outputs");
  }
  if (n <= 0 || in[static_cast<size_t>(axis)] % n != 0) {
    return InvalidArgument("SPLIT of dimension " + std::to_string(in[static_cast<size_t>(axis)]) +
                           " into " + std::to_string(n) + " parts");
  }
  Shape part = in;
  part[static_cast<size_t>(axis)] /= n;
  return std::vector<Shape>(static_cast<size_t>(n), part);
}

StatusOr<Shape> InferResize(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 2));
  const Tensor& in = g.tensor(op.inputs[0]);
  EF_RETURN_IF_ERROR(NeedRank(in, 4, "input"));
  EF_ASSIGN_OR_RETURN(auto size, ConstInts(g, op.inputs[1], "resize size"));
  if (size.size() != 2 || size[0] <= 0 || size[1] <= 0) {
    return InvalidArgument("resize size must be two positive values");
  }
  const auto& o = op.opts<ResizeOptions>();
  if (o.align_corners && o.half_pixel_centers) {
    return InvalidArgument("align_corners and half_pixel_centers cannot both be set");
  }
  return Shape{in.shape[0], static_cast<int32_t>(size[0]), static_cast<int32_t>(size[1]), in.shape[3]};
}

StatusOr<Shape> InferArgMax(const Graph& g, const Op& op) {
  EF_RETURN_IF_ERROR(NeedInputs(op, 2));
  const Shape& in = g.tensor(op.inputs[0]).shape;
  EF_ASSIGN_OR_RETURN(auto axis_v, ConstInts(g, op.inputs[1], "ARG_MAX axis"));
  if (axis_v.size() != 1) return InvalidArgument("ARG_MAX axis must have one element");
  EF_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_v[0], in.size(), "ARG_MAX axis"));
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (static_cast<int>(i) != axis) out.push_back(in[i]);
  }
  return out;
}

// Dtype rules: which ops keep their input's dtype on the output.
bool KeepsDtype(OpType t) {
  switch (t) {
    case OpType::kQuantize:
    case OpType::kDequantize:
    case OpType::kCast:
    case OpType::kArgMax:
    case OpType::kUnsupportedBuiltin:
    case OpType::kCustom:
      return false;
    default:
      return true;
  }
}

bool IsSupported(OpType t) { return t != OpType::kUnsupportedBuiltin && t != OpType::kCustom; }

}  // namespace

PaddingResult ComputePadding(Padding padding, int32_t in, int32_t k, int32_t stride, int32_t dilation) {
  PaddingResult r;
  int32_t effective_k = (k - 1) * dilation + 1;
  if (padding == Padding::kSame) {
    r.out = (in + stride - 1) / stride;
    int32_t total = std::max((r.out - 1) * stride + effective_k - in, 0);
    r.before = total / 2;
    r.after = total - r.before;
  } else {
    r.out = in - effective_k + 1 <= 0 ? 0 : (in - effective_k + stride) / stride;
  }
  return r;
}

StatusOr<std::vector<Shape>> InferOutputShapes(const Graph& g, const Op& op) {
  std::vector<Shape> declared;
  for (int t : op.outputs) declared.push_back(g.tensor(t).shape);
  auto one = [](StatusOr<Shape> s) -> StatusOr<std::vector<Shape>> {
    if (!s.ok()) return s.status();
    return std::vector<Shape>{std::move(s).value()};
  };
  switch (op.type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D:
      return one(InferConvLike(g, op));
    case OpType::kFullyConnected:
      return one(InferFullyConnected(g, op));
    case OpType::kAdd:
    case OpType::kSub:
    case OpType::kMul: {
      EF_RETURN_IF_ERROR(NeedInputs(op, 2));
      return one(Broadcast(g.tensor(op.inputs[0]).shape, g.tensor(op.inputs[1]).shape));
    }
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
      return one(InferPool(g, op));
    case OpType::kMean:
      return one(InferMean(g, op));
    case OpType::kReshape:
      return one(InferReshape(g, op, declared.empty() ? Shape{} : declared[0]));
    case OpType::kSqueeze:
      return one(InferSqueeze(g, op));
    case OpType::kPad:
      return one(InferPad(g, op));
    case OpType::kConcatenation:
      return one(InferConcat(g, op));
    case OpType::kSplit:
      return InferSplit(g, op);
    case OpType::kResizeBilinear:
    case OpType::kResizeNearestNeighbor:
      return one(InferResize(g, op));
    case OpType::kArgMax:
      return one(InferArgMax(g, op));
    case OpType::kSoftmax:
    case OpType::kLogistic:
    case OpType::kTanh:
    case OpType::kRelu:
    case OpType::kRelu6:
    case OpType::kHardSwish:
    case OpType::kQuantize:
    case OpType::kDequantize:
    case OpType::kL2Normalization:
    case OpType::kCast:
    case OpType::kBatchNorm:
    case OpType::kDropout:
      EF_RETURN_IF_ERROR(NeedInputs(op, 1));
      return std::vector<Shape>{g.tensor(op.inputs[0]).shape};
    case OpType::kUnsupportedBuiltin:
    case OpType::kCustom:
      return declared;
  }
  return declared;
}

Status Verify(const Graph& g, const std::string& source) {
  const int n = static_cast<int>(g.tensors.size());
  auto in_range = [n](int t) { return t >= 0 && t < n; };
  std::vector<bool> available(g.tensors.size(), false);
  for (size_t i = 0; i < g.tensors.size(); ++i) available[i] = g.tensors[i].is_constant();
  for (int t : g.inputs) {
    if (!in_range(t)) return InvalidArgument(source + ": graph input tensor index " + std::to_string(t) + " out of range");
    available[static_cast<size_t>(t)] = true;
  }
  for (int t : g.outputs) {
    if (!in_range(t)) return InvalidArgument(source + ": graph output tensor index " + std::to_string(t) + " out of range");
  }
  if (g.inputs.empty()) return InvalidArgument(source + ": the graph has no inputs");
  if (g.outputs.empty()) return InvalidArgument(source + ": the graph has no outputs");

  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    const std::string where = source + ": " + OpLabel(g, i);
    for (int t : op.inputs) {
      if (t == kNoTensor) continue;
      if (!in_range(t)) return InvalidArgument(where + ": input tensor index " + std::to_string(t) + " out of range");
      if (!available[static_cast<size_t>(t)] && !g.tensor(t).is_variable) {
        return InvalidArgument(where + ": input tensor " + std::to_string(t) + " '" + g.tensor(t).name +
                               "' is read before any op produces it");
      }
    }
    for (int t : op.outputs) {
      if (!in_range(t)) return InvalidArgument(where + ": output tensor index " + std::to_string(t) + " out of range");
      if (available[static_cast<size_t>(t)] && !g.tensor(t).is_variable) {
        return InvalidArgument(where + ": output tensor " + std::to_string(t) + " '" + g.tensor(t).name +
                               "' is already a constant, a graph input or another op's output");
      }
      available[static_cast<size_t>(t)] = true;
    }
    if (!IsSupported(op.type)) continue;
    if (op.outputs.empty()) return InvalidArgument(where + ": has no outputs");

    auto inferred = InferOutputShapes(g, op);
    if (!inferred.ok()) return inferred.status().WithContext(where);
    if (inferred->size() != op.outputs.size()) {
      return InvalidArgument(where + ": has " + std::to_string(op.outputs.size()) + " outputs, expected " +
                             std::to_string(inferred->size()));
    }
    for (size_t o = 0; o < op.outputs.size(); ++o) {
      const Tensor& out = g.tensor(op.outputs[o]);
      if (out.shape != (*inferred)[o]) {
        return InvalidArgument(where + ": output '" + out.name + "' is declared " + ShapeToString(out.shape) +
                               " but its inputs give " + ShapeToString((*inferred)[o]));
      }
      if (op.inputs.empty() || op.inputs[0] < 0) continue;
      const int data_input = op.type == OpType::kSplit ? op.inputs[1] : op.inputs[0];
      const Tensor& in = g.tensor(data_input);
      if (KeepsDtype(op.type) && out.dtype != in.dtype) {
        return InvalidArgument(where + ": output '" + out.name + "' is " + DTypeName(out.dtype) +
                               " but input '" + in.name + "' is " + DTypeName(in.dtype));
      }
    }
  }
  for (int t : g.outputs) {
    if (!available[static_cast<size_t>(t)]) {
      return InvalidArgument(source + ": graph output '" + g.tensor(t).name + "' is never produced");
    }
  }
  return Status::Ok();
}

}  // namespace edgeforge::ir
