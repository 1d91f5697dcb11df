#include "transfer/head_cut.h"

#include <algorithm>

#include "quant/graph_surgery.h"

namespace edgeforge::transfer {

namespace {

bool IsTailOp(ir::OpType t) {
  return t == ir::OpType::kSoftmax || t == ir::OpType::kReshape || t == ir::OpType::kSqueeze ||
         t == ir::OpType::kQuantize || t == ir::OpType::kDequantize;
}

bool IsTypeConversion(ir::OpType t) { return t == ir::OpType::kQuantize || t == ir::OpType::kDequantize; }

// [1,...,1,D]: one vector per image.
bool IsFeatureVector(const Shape& s) {
  if (s.empty()) return false;
  for (size_t d = 0; d + 1 < s.size(); ++d) {
    if (s[d] != 1) return false;
  }
  return true;
}

// A 1x1 convolution over a single pixel is a fully-connected layer written as CONV_2D.
bool IsPointwiseOnPooled(const ir::Graph& g, const ir::Op& op) {
  if (op.type != ir::OpType::kConv2D || op.inputs.size() < 2) return false;
  const Shape& in = g.tensor(op.inputs[0]).shape;
  const Shape& filter = g.tensor(op.inputs[1]).shape;
  return in.size() == 4 && in[1] == 1 && in[2] == 1 && filter.size() == 4 && filter[1] == 1 && filter[2] == 1;
}

// "CONV_2D -> RESHAPE -> SOFTMAX" for the last `count` ops, to show what the model ends with.
std::string LastOps(const ir::Graph& g, size_t count) {
  std::string s;
  const size_t first = g.ops.size() > count ? g.ops.size() - count : 0;
  for (size_t i = first; i < g.ops.size(); ++i) s += (s.empty() ? "" : " -> ") + ir::OpName(g.ops[i]);
  return s;
}

int FindTensor(const ir::Graph& g, const std::string& name) {
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    if (g.tensors[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

const char* HeadKindName(HeadKind kind) {
  switch (kind) {
    case HeadKind::kFullyConnected: return "fully-connected classifier";
    case HeadKind::kConv1x1: return "1x1 convolution classifier";
    case HeadKind::kNone: return "none (feature extractor)";
    case HeadKind::kCutAt: return "cut at the named tensor";
  }
  return "?";
}

ir::Graph TruncateAt(const ir::Graph& graph, int tensor, int* new_index) {
  const std::vector<int> producer = quant::ProducerOps(graph);
  // Mark the ops `tensor` depends on, walking back from it.
  std::vector<bool> needed_op(graph.ops.size(), false);
  std::vector<int> pending = {tensor};
  std::vector<bool> visited(graph.tensors.size(), false);
  while (!pending.empty()) {
    const int t = pending.back();
    pending.pop_back();
    if (t < 0 || visited[static_cast<size_t>(t)]) continue;
    visited[static_cast<size_t>(t)] = true;
    const int p = producer[static_cast<size_t>(t)];
    if (p < 0 || needed_op[static_cast<size_t>(p)]) continue;
    needed_op[static_cast<size_t>(p)] = true;
    for (int in : graph.ops[static_cast<size_t>(p)].inputs) pending.push_back(in);
  }
  ir::Graph cut = graph;
  cut.ops.clear();
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    if (needed_op[i]) cut.ops.push_back(graph.ops[i]);
  }
  cut.outputs = {tensor};
  // Tensor names are kept: the fine-tune path and --cut-at refer to tensors by name.
  const std::vector<int> remap = quant::RemoveUnusedTensors(cut);
  *new_index = remap[static_cast<size_t>(tensor)];
  return cut;
}

StatusOr<HeadCut> CutHead(const ir::Graph& g, const std::string& cut_at, const std::string& source) {
  if (g.inputs.size() != 1 || g.outputs.size() != 1) {
    return InvalidArgument(source + ": has " + std::to_string(g.inputs.size()) + " inputs and " +
                           std::to_string(g.outputs.size()) +
                           " outputs; a pretrained image classifier or feature extractor has one of each");
  }
  const std::vector<int> producer = quant::ProducerOps(g);
  HeadCut cut;
  cut.original_output = g.tensor(g.outputs[0]);
  cut.original_output.data = {};
  cut.original_output.data_owner.reset();
  int feature = -1;
  int first_removed_op = static_cast<int>(g.ops.size());  // ops from here on are the head

  if (!cut_at.empty()) {
    feature = FindTensor(g, cut_at);
    if (feature < 0) return NotFound(source + ": no tensor named '" + cut_at + "' (--cut-at)");
    if (producer[static_cast<size_t>(feature)] < 0) {
      return InvalidArgument(source + ": tensor '" + cut_at +
                             "' is a constant or the model input; --cut-at needs an activation an op computes");
    }
    cut.kind = HeadKind::kCutAt;
    first_removed_op = producer[static_cast<size_t>(feature)] + 1;
  } else {
    // Walk back from the output over the ops that only reshape, normalise or convert the logits.
    int t = g.outputs[0];
    bool saw_softmax = false, saw_reshape = false, only_conversions = true;
    int first_tail_op = static_cast<int>(g.ops.size());
    while (producer[static_cast<size_t>(t)] >= 0 && IsTailOp(g.ops[static_cast<size_t>(producer[static_cast<size_t>(t)])].type)) {
      const int p = producer[static_cast<size_t>(t)];
      const ir::Op& op = g.ops[static_cast<size_t>(p)];
      saw_softmax |= op.type == ir::OpType::kSoftmax;
      saw_reshape |= op.type == ir::OpType::kReshape || op.type == ir::OpType::kSqueeze;
      only_conversions &= IsTypeConversion(op.type);
      first_tail_op = std::min(first_tail_op, p);
      t = op.inputs[0];
    }
    const int p = producer[static_cast<size_t>(t)];
    const ir::Op* head = p >= 0 ? &g.ops[static_cast<size_t>(p)] : nullptr;
    if (head && head->type == ir::OpType::kFullyConnected) {
      cut.kind = HeadKind::kFullyConnected;
      feature = head->inputs[0];
      first_removed_op = p;
    } else if (head && saw_reshape && IsPointwiseOnPooled(g, *head)) {
      cut.kind = HeadKind::kConv1x1;
      feature = head->inputs[0];
      first_removed_op = p;
    } else if (!saw_softmax && only_conversions && IsFeatureVector(g.tensor(t).shape)) {
      cut.kind = HeadKind::kNone;
      feature = t;
      first_removed_op = first_tail_op;
    } else {
      return InvalidArgument(source + ": no recognisable classifier head (the model ends with " + LastOps(g, 4) +
                             "; expected FULLY_CONNECTED, or a 1x1 CONV_2D then RESHAPE/SQUEEZE, before SOFTMAX, "
                             "or a feature extractor with a [1,...,1,D] output); give --cut-at TENSOR_NAME to "
                             "choose the feature tensor");
    }
  }
  for (size_t i = static_cast<size_t>(first_removed_op); i < g.ops.size(); ++i) {
    cut.removed_ops.push_back(ir::OpName(g.ops[i]));
  }
  cut.feature_name = g.tensor(feature).name;
  cut.backbone = TruncateAt(g, feature, &cut.feature);
  cut.backbone.metadata.labels.clear();
  return cut;
}

}  // namespace edgeforge::transfer
