#include "ondevice/classifier_head.h"

#include <algorithm>
#include <cmath>

#include "core/affine_quantization.h"
#include "ir/dequantize_pass.h"

namespace edgeforge::ondevice {

namespace {

bool Is8Bit(DType d) { return d == DType::kUInt8 || d == DType::kInt8; }

ir::Tensor Activation(const std::string& name, Shape shape, DType dtype, QuantParams quant) {
  ir::Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  t.dtype = dtype;
  t.quant = std::move(quant);
  return t;
}

QuantParams Fixed(float scale, int64_t zp) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zp};
  return q;
}

// Appends the head's ops to `g` reading tensor `embedding`; returns the probabilities tensor.
StatusOr<int> AddHeadOps(ir::Graph& g, int embedding, const ClassifierHead& head) {
  const ir::Tensor emb = g.tensor(embedding);
  if (head.dim != emb.shape.back()) {
    return InvalidArgument("head expects " + std::to_string(head.dim) + "-d embeddings, the extractor gives " +
                           std::to_string(emb.shape.back()));
  }
  if (head.num_classes < 1 || head.weights.size() != static_cast<size_t>(head.num_classes) * head.dim ||
      head.bias.size() != static_cast<size_t>(head.num_classes)) {
    return InvalidArgument("head weights do not match its class count and embedding size");
  }
  const DType d = emb.dtype;
  const bool quantized = Is8Bit(d);
  const int64_t zp_mid = d == DType::kUInt8 ? 128 : 0;    // 1/128-scaled outputs centred on 0
  const int64_t zp_low = d == DType::kUInt8 ? 0 : -128;   // probabilities start at the bottom
  // TFLite op versions of the 8-bit kernels (uint8 = the original ones, int8 = the later ones).
  const bool int8 = d == DType::kInt8;

  int fc_input = embedding;
  if (head.l2_normalize) {
    int l2 = g.AddTensor(Activation("head/l2_normalize", emb.shape, d, quantized ? Fixed(1.0f / 128, zp_mid) : QuantParams{}));
    ir::Op op;
    op.type = ir::OpType::kL2Normalization;
    op.builtin_code = 11;
    op.version = int8 ? 2 : 1;
    op.inputs = {embedding};
    op.outputs = {l2};
    op.options = ir::L2NormOptions{};
    g.AddOp(op);
    fc_input = l2;
  }
  const ir::Tensor& in = g.tensor(fc_input);

  ir::Tensor w = Activation("head/weights", {head.num_classes, head.dim}, quantized ? d : DType::kFloat32, {});
  ir::Tensor b = Activation("head/bias", {head.num_classes}, quantized ? DType::kInt32 : DType::kFloat32, {});
  ir::Tensor logits = Activation("head/logits", {1, head.num_classes}, quantized ? d : DType::kFloat32, {});
  if (quantized) {
    auto [wmin, wmax] = std::minmax_element(head.weights.begin(), head.weights.end());
    w.quant = int8 ? core::ChooseSymmetricInt8(head.weights) : core::ChooseAsymmetric(*wmin, *wmax, DType::kUInt8);
    w.SetData(core::QuantizeValues(head.weights, w.quant, d));
    b.quant = Fixed(in.quant.scale[0] * w.quant.scale[0], 0);
    b.SetValues(core::QuantizeBias(head.bias, in.quant.scale[0], w.quant.scale));
    logits.quant = core::ChooseAsymmetric(head.logit_min, head.logit_max, d);
  } else {
    w.SetValues(head.weights);
    b.SetValues(head.bias);
  }
  int wi = g.AddTensor(std::move(w));
  int bi = g.AddTensor(std::move(b));
  int li = g.AddTensor(std::move(logits));
  ir::Op fc;
  fc.type = ir::OpType::kFullyConnected;
  fc.builtin_code = 9;
  fc.version = int8 ? 4 : 1;
  fc.inputs = {fc_input, wi, bi};
  fc.outputs = {li};
  fc.options = ir::FullyConnectedOptions{};
  g.AddOp(fc);

  int probs = g.AddTensor(Activation("head/probabilities", {1, head.num_classes}, quantized ? d : DType::kFloat32,
                                     quantized ? Fixed(1.0f / 256, zp_low) : QuantParams{}));
  ir::Op sm;
  sm.type = ir::OpType::kSoftmax;
  sm.builtin_code = 25;
  sm.version = int8 ? 2 : 1;
  sm.inputs = {li};
  sm.outputs = {probs};
  sm.options = ir::SoftmaxOptions{1.0f};
  g.AddOp(sm);
  return probs;
}

}  // namespace

StatusOr<ir::Graph> AppendHead(const ir::Graph& extractor, const ClassifierHead& head,
                               const std::vector<std::string>& labels) {
  if (labels.size() != static_cast<size_t>(head.num_classes)) {
    return InvalidArgument(std::to_string(labels.size()) + " labels for " + std::to_string(head.num_classes) +
                           " classes");
  }
  ir::Graph g = extractor;
  EF_ASSIGN_OR_RETURN(int probs, AddHeadOps(g, g.outputs[0], head));
  g.outputs = {probs};
  g.metadata.labels = labels;
  return g;
}

StatusOr<ir::Graph> HeadOnlyGraph(const ir::Tensor& embedding, const ClassifierHead& head) {
  ir::Graph g;
  ir::Tensor in = embedding;
  in.data = {};
  in.data_owner.reset();
  int e = g.AddTensor(in);
  g.inputs = {e};
  EF_ASSIGN_OR_RETURN(int probs, AddHeadOps(g, e, head));
  g.outputs = {probs};
  return g;
}

StatusOr<ExistingHead> ReadHead(const ir::Graph& model, const std::string& source) {
  // The model output must come from SOFTMAX fed by FULLY_CONNECTED.
  const ir::Op* softmax = nullptr;
  const ir::Op* fc = nullptr;
  for (const ir::Op& op : model.ops) {
    if (op.type == ir::OpType::kSoftmax && !op.outputs.empty() && op.outputs[0] == model.outputs[0]) softmax = &op;
  }
  if (softmax) {
    for (const ir::Op& op : model.ops) {
      if (op.type == ir::OpType::kFullyConnected && op.outputs[0] == softmax->inputs[0]) fc = &op;
    }
  }
  if (!fc) {
    return InvalidArgument(source + ": no classification head (FULLY_CONNECTED then SOFTMAX at the output) to keep");
  }
  // Dequantize a copy holding just the head's constants.
  ir::Graph consts;
  consts.tensors = {model.tensor(fc->inputs[1])};
  bool has_bias = fc->inputs.size() > 2 && fc->inputs[2] >= 0;
  if (has_bias) consts.tensors.push_back(model.tensor(fc->inputs[2]));
  EF_ASSIGN_OR_RETURN(ir::Graph floats, ir::DequantizeGraph(consts));
  ExistingHead out;
  const ir::Tensor& w = floats.tensors[0];
  if (w.shape.size() != 2 || w.dtype != DType::kFloat32) {
    return InvalidArgument(source + ": head weights '" + w.name + "' are not a 2-D matrix");
  }
  out.head.num_classes = w.shape[0];
  out.head.dim = w.shape[1];
  auto wv = w.values<float>();
  out.head.weights.assign(wv.begin(), wv.end());
  out.head.bias.assign(static_cast<size_t>(out.head.num_classes), 0.0f);
  if (has_bias) {
    auto bv = floats.tensors[1].values<float>();
    out.head.bias.assign(bv.begin(), bv.end());
  }
  for (const ir::Op& op : model.ops) {
    if (op.type == ir::OpType::kL2Normalization && op.outputs[0] == fc->inputs[0]) out.head.l2_normalize = true;
  }
  const ir::Tensor& logits = model.tensor(fc->outputs[0]);
  if (!logits.quant.empty()) {
    const float s = logits.quant.scale[0];
    const int64_t zp = logits.quant.zero_point.empty() ? 0 : logits.quant.zero_point[0];
    const int64_t lo = logits.dtype == DType::kInt8 ? -128 : 0;
    out.head.logit_min = s * static_cast<float>(lo - zp);
    out.head.logit_max = s * static_cast<float>(lo + 255 - zp);
  }
  out.labels = model.metadata.labels;
  if (out.labels.size() != static_cast<size_t>(out.head.num_classes)) {
    return InvalidArgument(source + ": has " + std::to_string(out.head.num_classes) + " classes but " +
                           std::to_string(out.labels.size()) + " labels in its metadata");
  }
  return out;
}

}  // namespace edgeforge::ondevice
