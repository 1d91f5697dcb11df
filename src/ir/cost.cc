#include "ir/cost.h"

namespace edgeforge::ir {

int64_t OpMacs(const Graph& g, const Op& op) {
  if (op.outputs.empty()) return 0;
  const int64_t out_elems = NumElements(g.tensor(op.outputs[0]).shape);
  auto in_shape = [&](size_t i) -> const Shape& { return g.tensor(op.inputs[i]).shape; };
  switch (op.type) {
    case OpType::kConv2D: {
      const Shape& f = in_shape(1);  // [O, kh, kw, I]
      return f.size() == 4 ? out_elems * f[1] * f[2] * f[3] : 0;
    }
    case OpType::kDepthwiseConv2D: {
      const Shape& f = in_shape(1);  // [1, kh, kw, C*m]
      return f.size() == 4 ? out_elems * f[1] * f[2] : 0;
    }
    case OpType::kFullyConnected: {
      const Shape& w = in_shape(1);  // [units, depth]
      return w.size() == 2 ? out_elems * w[1] : 0;
    }
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D: {
      const auto& o = op.opts<Pool2DOptions>();
      return out_elems * o.filter_h * o.filter_w;
    }
    case OpType::kMean:
      return NumElements(in_shape(0));
    case OpType::kAdd:
    case OpType::kSub:
    case OpType::kMul:
    case OpType::kHardSwish:
    case OpType::kBatchNorm:
      return out_elems;
    default:
      return 0;
  }
}

int64_t GraphMacs(const Graph& g) {
  int64_t total = 0;
  for (const Op& op : g.ops) total += OpMacs(g, op);
  return total;
}

int64_t GraphParameters(const Graph& g) {
  int64_t total = 0;
  for (const Tensor& t : g.tensors) {
    if (t.is_constant()) total += NumElements(t.shape);
  }
  return total;
}

}  // namespace edgeforge::ir
