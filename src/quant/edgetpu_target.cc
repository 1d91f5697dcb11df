#include "quant/edgetpu_target.h"

#include <algorithm>

namespace edgeforge::quant {

void MakeBatchStatic(ir::Graph& graph) {
  for (ir::Tensor& t : graph.tensors) {
    if (std::find(t.shape_signature.begin(), t.shape_signature.end(), -1) != t.shape_signature.end()) {
      t.shape_signature.clear();
    }
  }
}

namespace {

constexpr int32_t kBuiltinAdd = 0;
constexpr int32_t kBuiltinMul = 18;

int AddScalar(ir::Graph& g, const std::string& name, float value) {
  ir::Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = Shape{};
  t.SetValues(std::vector<float>{value});
  return g.AddTensor(std::move(t));
}

int AddActivationLike(ir::Graph& g, int like, const std::string& name) {
  ir::Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = g.tensor(like).shape;
  t.shape_signature = g.tensor(like).shape_signature;
  return g.AddTensor(std::move(t));
}

ir::Op Elementwise(ir::OpType type, int32_t code, int a, int b, int out, ir::Activation activation) {
  ir::Op op;
  op.type = type;
  op.builtin_code = code;
  op.inputs = {a, b};
  op.outputs = {out};
  op.options = ir::ElementwiseOptions{activation};
  return op;
}

}  // namespace

std::vector<HardSwishRewrite> DecomposeHardSwish(ir::Graph& g) {
  std::vector<ir::Op> ops;
  std::vector<HardSwishRewrite> rewritten;
  for (ir::Op& op : g.ops) {
    if (op.type != ir::OpType::kHardSwish) {
      ops.push_back(std::move(op));
      continue;
    }
    const int x = op.inputs[0], y = op.outputs[0];
    const std::string name = g.tensor(y).name;
    const int plus3 = AddActivationLike(g, x, name + "/hard_sigmoid/relu6");
    const int gate = AddActivationLike(g, x, name + "/hard_sigmoid/output");
    const int three = AddScalar(g, name + "/hard_sigmoid/three", 3.0f);
    const int one_sixth = AddScalar(g, name + "/hard_sigmoid/one_sixth", 1.0f / 6.0f);
    ops.push_back(Elementwise(ir::OpType::kAdd, kBuiltinAdd, x, three, plus3, ir::Activation::kRelu6));
    ops.push_back(Elementwise(ir::OpType::kMul, kBuiltinMul, plus3, one_sixth, gate, ir::Activation::kNone));
    ops.push_back(Elementwise(ir::OpType::kMul, kBuiltinMul, x, gate, y, ir::Activation::kNone));
    rewritten.push_back({x, plus3, gate});
  }
  g.ops = std::move(ops);
  return rewritten;
}

void DeriveHardSwishRanges(const std::vector<HardSwishRewrite>& rewrites, size_t tensor_count,
                           TensorRanges& ranges) {
  ranges.resize(std::max(ranges.size(), tensor_count));
  for (const HardSwishRewrite& r : rewrites) {
    const std::optional<ValueRange>& x = ranges[static_cast<size_t>(r.input)];
    if (!x) continue;
    const float lo = std::clamp(x->min + 3.0f, 0.0f, 6.0f), hi = std::clamp(x->max + 3.0f, 0.0f, 6.0f);
    ranges[static_cast<size_t>(r.shifted)] = ValueRange{lo, hi};
    ranges[static_cast<size_t>(r.gate)] = ValueRange{lo / 6.0f, hi / 6.0f};
  }
}

StatusOr<edgetpu::CompatibilityReport> CheckEdgeTpu(const ir::Graph& graph) {
  return edgetpu::CheckCompatibility(graph);
}

}  // namespace edgeforge::quant
