#include "transfer/trainable_graph.h"

#include <cmath>
#include <random>

#include "ir/dequantize_pass.h"
#include "ir/verifier.h"
#include "transfer/head_cut.h"

namespace edgeforge::transfer {

namespace {

int AddFloatConstant(ir::Graph& g, const std::string& name, Shape shape, const std::vector<float>& values) {
  ir::Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = std::move(shape);
  t.SetValues(values);
  return g.AddTensor(std::move(t));
}

int AddActivation(ir::Graph& g, const std::string& name, Shape shape) {
  ir::Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = std::move(shape);
  return g.AddTensor(std::move(t));
}

}  // namespace

StatusOr<TrainableTransferGraph> MakeTrainableTransferGraph(const ir::Graph& pretrained,
                                                            const std::string& cut_at,
                                                            const std::vector<std::string>& labels,
                                                            float dropout, uint64_t seed,
                                                            const std::string& source) {
  if (labels.size() < 2) {
    return InvalidArgument(source + ": a classifier needs at least 2 classes; the data has " +
                           std::to_string(labels.size()));
  }
  EF_ASSIGN_OR_RETURN(HeadCut cut, CutHead(pretrained, cut_at, source));
  EF_ASSIGN_OR_RETURN(ir::Graph g, ir::DequantizeGraph(cut.backbone));
  if (g.inputs.size() != 1 || g.outputs.size() != 1) {
    return InvalidArgument(source + ": the backbone must have one input and one output");
  }
  const Shape in_shape = g.tensor(g.inputs[0]).shape;
  if (in_shape.size() != 4 || in_shape[1] != in_shape[2] || (in_shape[3] != 1 && in_shape[3] != 3)) {
    return InvalidArgument(source + ": expected a square image input [1, S, S, 1 or 3], got " +
                           ShapeToString(in_shape));
  }
  TrainableTransferGraph out;
  out.feature_name = cut.feature_name;
  out.image_size = static_cast<int>(in_shape[1]);
  out.channels = static_cast<int>(in_shape[3]);

  int feature = g.outputs[0];
  const Shape feature_shape = g.tensor(feature).shape;
  const int32_t dim = feature_shape.empty() ? 0 : static_cast<int32_t>(feature_shape.back());
  if (dim <= 0) return InvalidArgument(source + ": the feature tensor '" + cut.feature_name + "' is empty");
  if (feature_shape.size() == 4) {  // [1, H, W, C] (1x1 included): average over H, W
    const int axes = g.AddTensor([] {
      ir::Tensor t;
      t.name = "transfer_head/mean_axes";
      t.dtype = DType::kInt32;
      t.shape = {2};
      t.SetValues(std::vector<int32_t>{1, 2});
      return t;
    }());
    const int pooled = AddActivation(g, "transfer_head/pooled", {1, dim});
    ir::Op mean;
    mean.type = ir::OpType::kMean;
    mean.inputs = {feature, axes};
    mean.outputs = {pooled};
    mean.options = ir::ReducerOptions{false};
    g.AddOp(std::move(mean));
    feature = pooled;
  } else if (feature_shape.size() != 2) {
    return InvalidArgument(source + ": the feature tensor '" + cut.feature_name + "' has shape " +
                           ShapeToString(feature_shape) + "; expected [1, C] or [1, H, W, C]");
  }
  const int dropped = AddActivation(g, "transfer_head/dropout", {1, dim});
  ir::Op drop;
  drop.type = ir::OpType::kDropout;
  drop.inputs = {feature};
  drop.outputs = {dropped};
  drop.options = ir::DropoutOptions{dropout};
  g.AddOp(std::move(drop));

  // Glorot uniform, as the Keras Dense layer of TF Hub / Model Maker heads. (The MnasNet
  // reference's uniform(+-1/sqrt(classes)) suits its own 1280 features trained from scratch;
  // on pretrained ReLU6 features it starts with logits in the tens and a loss far above log K.)
  const int32_t classes = static_cast<int32_t>(labels.size());
  std::mt19937_64 rng(seed);
  const float range = std::sqrt(6.0f / static_cast<float>(classes + dim));
  std::uniform_real_distribution<float> uniform(-range, range);
  std::vector<float> weights(static_cast<size_t>(classes * dim));
  for (float& w : weights) w = uniform(rng);
  const int w = AddFloatConstant(g, "transfer_head/fc/weights", {classes, dim}, weights);
  const int b = AddFloatConstant(g, "transfer_head/fc/bias", {classes}, std::vector<float>(classes, 0.0f));
  const int logits = AddActivation(g, "transfer_head/logits", {1, classes});
  ir::Op fc;
  fc.type = ir::OpType::kFullyConnected;
  fc.inputs = {dropped, w, b};
  fc.outputs = {logits};
  fc.options = ir::FullyConnectedOptions{};
  g.AddOp(std::move(fc));
  const int probabilities = AddActivation(g, "transfer_head/probabilities", {1, classes});
  ir::Op softmax;
  softmax.type = ir::OpType::kSoftmax;
  softmax.inputs = {logits};
  softmax.outputs = {probabilities};
  softmax.options = ir::SoftmaxOptions{1.0f};
  g.AddOp(std::move(softmax));
  g.outputs = {probabilities};
  g.metadata.labels = labels;
  EF_RETURN_IF_ERROR(ir::Verify(g, source).WithContext("the fine-tuning graph"));
  out.graph = std::move(g);
  return out;
}

}  // namespace edgeforge::transfer
