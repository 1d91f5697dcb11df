#include "quant/dynamic_quantizer.h"

#include <optional>

#include "quant/graph_surgery.h"
#include "quant/weight_quantization.h"

namespace edgeforge::quant {

namespace {

struct HybridForm {
  int axis;  // weight channel axis, -1 for one scale
  int32_t version;
};

std::optional<HybridForm> HybridFormOf(ir::OpType type) {
  switch (type) {
    case ir::OpType::kConv2D: return HybridForm{0, 5};
    case ir::OpType::kDepthwiseConv2D: return HybridForm{3, 6};
    case ir::OpType::kFullyConnected: return HybridForm{-1, 3};
    default: return std::nullopt;
  }
}

}  // namespace

ir::Graph QuantizeDynamicRange(const ir::Graph& float_graph, const DynamicRangeOptions& options) {
  ir::Graph g = float_graph;
  for (ir::Op& op : g.ops) {
    const auto form = HybridFormOf(op.type);
    if (!form || op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0) continue;
    if (op.type == ir::OpType::kDepthwiseConv2D && !options.quantize_depthwise) continue;
    const ir::Tensor weights = g.tensor(op.inputs[1]);
    if (!weights.is_constant() || weights.dtype != DType::kFloat32 ||
        g.tensor(op.inputs[0]).dtype != DType::kFloat32 || NumElements(weights.shape) < options.min_weight_elements) {
      continue;
    }
    const std::vector<float> scales = SymmetricScales(weights.values<float>(), weights.shape, form->axis);
    ir::Tensor q;
    q.name = weights.name;
    q.dtype = DType::kInt8;
    q.shape = weights.shape;
    q.quant = SymmetricParams(scales, form->axis);
    q.SetData(QuantizeSymmetric(weights.values<float>(), weights.shape, form->axis, scales));
    op.inputs[1] = g.AddTensor(std::move(q));
    op.version = form->version;
  }
  g.description = "edgeforge post-training quantization (dynamic range)";
  RemoveUnusedTensors(g);
  return g;
}

}  // namespace edgeforge::quant
