#include "models/zoo.h"

#include "ir/cost.h"
#include "models/blocks.h"

namespace edgeforge::models {

const std::vector<ArchitectureInfo>& Architectures() {
  static const std::vector<ArchitectureInfo> kAll = {
      {"mnasnet-a1", "MnasNet-A1: searched inverted residuals with squeeze-excite, ReLU"},
      {"mnasnet-b1", "MnasNet-B1: MnasNet-A1's search without squeeze-excite"},
      {"mnasnet-small", "MnasNet-small: the reference's small searched model (stem 8, head 1280)"},
      {"mnasnet-d1", "MnasNet-D1: the backbone searched jointly with MnasFPN"},
      {"mobilenet-v1", "MobileNetV1: 13 depthwise-separable layers, ReLU6"},
      {"mobilenet-v2", "MobileNetV2: inverted residuals with linear bottlenecks, ReLU6"},
      {"mobilenet-v3-small", "MobileNetV3-Small: hard-swish, squeeze-excite with hard-sigmoid"},
      {"mobilenet-v3-large", "MobileNetV3-Large: hard-swish, squeeze-excite with hard-sigmoid"},
  };
  return kAll;
}

namespace {

Status CheckOptions(const std::string& architecture, const ModelOptions& o) {
  const std::string where = "architecture '" + architecture + "': ";
  if (o.image_size < 1) return InvalidArgument(where + "image size " + std::to_string(o.image_size) + " must be >= 1");
  if (o.channels < 1) return InvalidArgument(where + "channels " + std::to_string(o.channels) + " must be >= 1");
  if (o.num_classes < 1) {
    return InvalidArgument(where + "number of classes " + std::to_string(o.num_classes) + " must be >= 1");
  }
  if (!(o.width_multiplier > 0.0f) || o.width_multiplier > 10.0f) {
    return InvalidArgument(where + "width multiplier " + std::to_string(o.width_multiplier) + " must be in (0, 10]");
  }
  if (!(o.depth_multiplier > 0.0f) || o.depth_multiplier > 10.0f) {
    return InvalidArgument(where + "depth multiplier " + std::to_string(o.depth_multiplier) + " must be in (0, 10]");
  }
  if (!(o.dropout >= 0.0f) || o.dropout >= 1.0f) {
    return InvalidArgument(where + "dropout rate " + std::to_string(o.dropout) + " must be in [0, 1)");
  }
  if (!(o.batch_norm_epsilon > 0.0f)) return InvalidArgument(where + "batch norm epsilon must be > 0");
  if (!o.labels.empty() && o.labels.size() != static_cast<size_t>(o.num_classes)) {
    return InvalidArgument(where + std::to_string(o.labels.size()) + " labels for " +
                           std::to_string(o.num_classes) + " classes");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ir::Graph> BuildModel(const std::string& architecture, const ModelOptions& options) {
  bool known = false;
  std::string names;
  for (const ArchitectureInfo& a : Architectures()) {
    known = known || a.name == architecture;
    names += (names.empty() ? "" : ", ") + a.name;
  }
  if (!known) return NotFound("unknown architecture '" + architecture + "' (known: " + names + ")");
  EF_RETURN_IF_ERROR(CheckOptions(architecture, options));
  if (architecture == "mobilenet-v1") return BuildMobileNetV1(options);
  if (architecture == "mobilenet-v2") return BuildMobileNetV2(options);
  if (architecture == "mobilenet-v3-small") return BuildMobileNetV3(false, options);
  if (architecture == "mobilenet-v3-large") return BuildMobileNetV3(true, options);
  return BuildMnasNet(architecture, options);
}

ModelSize MeasureModel(const ir::Graph& g) {
  // Parameters: weights and biases of the convolutions and dense layers, gamma and beta of the
  // batch norms (the trainable tensors; moving statistics, MEAN axes and the hard-sigmoid's
  // scalar constants are not). MACs: the multiply-adds of the convolutions and dense layers,
  // what papers report as "Multiply-Adds" (elementwise ops, batch norm and pooling excluded).
  ModelSize size;
  auto count = [&](const ir::Op& op, size_t input) {
    if (input < op.inputs.size() && op.inputs[input] >= 0) {
      const ir::Tensor& t = g.tensor(op.inputs[input]);
      if (t.is_constant()) size.parameters += NumElements(t.shape);
    }
  };
  for (const ir::Op& op : g.ops) {
    switch (op.type) {
      case ir::OpType::kConv2D:
      case ir::OpType::kDepthwiseConv2D:
      case ir::OpType::kFullyConnected:
        count(op, 1);
        count(op, 2);
        size.macs += ir::OpMacs(g, op);
        break;
      case ir::OpType::kBatchNorm:
        count(op, 1);
        count(op, 2);
        break;
      default:
        break;
    }
  }
  return size;
}

}  // namespace edgeforge::models
