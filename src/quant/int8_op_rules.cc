#include "quant/int8_op_rules.h"

#include <variant>

namespace edgeforge::quant {

namespace {

Int8OpRule Fixed(float scale, int64_t zero_point) {
  return {OutputParams::kFixed, scale, zero_point};
}

float ScaleOf(const ir::Graph& graph, int tensor) {
  const QuantParams& q = graph.tensor(tensor).quant;
  return q.scale.empty() ? 0.0f : q.scale[0];
}

}  // namespace

std::optional<Int8OpRule> Int8RuleFor(const ir::Op& op) {
  using ir::OpType;
  switch (op.type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D:
    case OpType::kFullyConnected:
    case OpType::kAdd:
    case OpType::kSub:
    case OpType::kMul:
    case OpType::kMean:
    case OpType::kRelu:
    case OpType::kRelu6:
    case OpType::kHardSwish:
      return Int8OpRule{OutputParams::kCalibrated};
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
    case OpType::kReshape:
    case OpType::kSqueeze:
    case OpType::kPad:
    case OpType::kConcatenation:
    case OpType::kSplit:
    case OpType::kResizeBilinear:
    case OpType::kResizeNearestNeighbor:
      return Int8OpRule{OutputParams::kSameAsInput};
    // The spec's fixed output ranges: [0, 1) for probabilities, [-1, 1) for tanh and unit
    // vectors.
    case OpType::kSoftmax:
    case OpType::kLogistic:
      return Fixed(1.0f / 256, -128);
    case OpType::kTanh:
    case OpType::kL2Normalization:
      return Fixed(1.0f / 128, 0);
    case OpType::kArgMax:
      return Int8OpRule{OutputParams::kNotQuantized};
    default:
      return std::nullopt;
  }
}

size_t DataInputSlot(const ir::Op& op) { return op.type == ir::OpType::kSplit ? 1 : 0; }

ir::Activation FusedActivation(const ir::Op& op) {
  return std::visit(
      [](const auto& o) -> ir::Activation {
        if constexpr (requires { o.activation; }) {
          return o.activation;
        } else {
          return ir::Activation::kNone;
        }
      },
      op.options);
}

int32_t Int8OpVersion(const ir::Graph& graph, const ir::Op& op) {
  using ir::OpType;
  switch (op.type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D:
      return 3;
    case OpType::kFullyConnected: {
      const bool has_bias = op.inputs.size() > 2 && op.inputs[2] != ir::kNoTensor;
      if (!has_bias) return 6;
      if (const auto* o = std::get_if<ir::FullyConnectedOptions>(&op.options); o && o->keep_num_dims) return 5;
      return 4;
    }
    case OpType::kMul: {
      // Version 3: a rescale s1 * s2 / s_out of at least 1.
      const float s1 = ScaleOf(graph, op.inputs[0]), s2 = ScaleOf(graph, op.inputs[1]);
      const float so = ScaleOf(graph, op.outputs[0]);
      return so > 0 && s1 * s2 / so >= 1.0f ? 3 : 2;
    }
    case OpType::kResizeBilinear: {
      const auto* o = std::get_if<ir::ResizeOptions>(&op.options);
      return o && o->half_pixel_centers ? 3 : 2;
    }
    case OpType::kResizeNearestNeighbor: {
      const auto* o = std::get_if<ir::ResizeOptions>(&op.options);
      return o && (o->half_pixel_centers || o->align_corners) ? 3 : 2;
    }
    case OpType::kDequantize:
      return graph.tensor(op.inputs[0]).dtype == DType::kInt8 ? 2 : 1;
    case OpType::kReshape:
    case OpType::kSqueeze:
    case OpType::kHardSwish:
    case OpType::kQuantize:
      return 1;
    default:
      // ADD, SUB, pooling, MEAN, SOFTMAX, LOGISTIC, TANH, RELU, RELU6, PAD, CONCATENATION,
      // SPLIT, L2_NORMALIZATION, ARG_MAX: version 2 is their int8 kernel.
      return 2;
  }
}

}  // namespace edgeforge::quant
