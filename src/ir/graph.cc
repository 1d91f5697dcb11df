#include "ir/graph.h"

#include <sstream>
#include <type_traits>
#include <variant>

namespace edgeforge::ir {

namespace {

template <typename T>
std::string Join(const std::vector<T>& values) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) os << ",";
    os << values[i];
  }
  os << "]";
  return os.str();
}

std::string QuantText(const QuantParams& q) {
  if (q.empty()) return "none";
  std::ostringstream os;
  os.precision(9);  // enough digits to tell any two floats apart
  os << "scale " << Join(q.scale) << " zero_point " << Join(q.zero_point) << " axis "
     << q.quantized_dimension;
  return os.str();
}

// Options as "Conv2DOptions{padding=0,stride=1x1,...}", for difference messages.
std::string OptionsText(const OpOptions& options) {
  std::ostringstream os;
  os.precision(9);
  std::visit(
      [&os](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          os << "none";
        } else if constexpr (std::is_same_v<T, Conv2DOptions>) {
          os << "Conv2DOptions{padding=" << static_cast<int>(o.padding) << ",stride=" << o.stride_w
             << "x" << o.stride_h << ",activation=" << ActivationName(o.activation)
             << ",dilation=" << o.dilation_w << "x" << o.dilation_h << "}";
        } else if constexpr (std::is_same_v<T, DepthwiseConv2DOptions>) {
          os << "DepthwiseConv2DOptions{padding=" << static_cast<int>(o.padding)
             << ",stride=" << o.stride_w << "x" << o.stride_h
             << ",depth_multiplier=" << o.depth_multiplier
             << ",activation=" << ActivationName(o.activation) << ",dilation=" << o.dilation_w
             << "x" << o.dilation_h << "}";
        } else if constexpr (std::is_same_v<T, FullyConnectedOptions>) {
          os << "FullyConnectedOptions{activation=" << ActivationName(o.activation)
             << ",keep_num_dims=" << o.keep_num_dims << "}";
        } else if constexpr (std::is_same_v<T, ElementwiseOptions>) {
          os << "ElementwiseOptions{activation=" << ActivationName(o.activation) << "}";
        } else if constexpr (std::is_same_v<T, Pool2DOptions>) {
          os << "Pool2DOptions{padding=" << static_cast<int>(o.padding) << ",stride=" << o.stride_w
             << "x" << o.stride_h << ",filter=" << o.filter_w << "x" << o.filter_h
             << ",activation=" << ActivationName(o.activation) << "}";
        } else if constexpr (std::is_same_v<T, ReducerOptions>) {
          os << "ReducerOptions{keep_dims=" << o.keep_dims << "}";
        } else if constexpr (std::is_same_v<T, ReshapeOptions>) {
          os << "ReshapeOptions{new_shape=" << Join(o.new_shape) << "}";
        } else if constexpr (std::is_same_v<T, SqueezeOptions>) {
          os << "SqueezeOptions{squeeze_dims=" << Join(o.squeeze_dims) << "}";
        } else if constexpr (std::is_same_v<T, SoftmaxOptions>) {
          os << "SoftmaxOptions{beta=" << o.beta << "}";
        } else if constexpr (std::is_same_v<T, ConcatenationOptions>) {
          os << "ConcatenationOptions{axis=" << o.axis
             << ",activation=" << ActivationName(o.activation) << "}";
        } else if constexpr (std::is_same_v<T, SplitOptions>) {
          os << "SplitOptions{num_splits=" << o.num_splits << "}";
        } else if constexpr (std::is_same_v<T, L2NormOptions>) {
          os << "L2NormOptions{activation=" << ActivationName(o.activation) << "}";
        } else if constexpr (std::is_same_v<T, ResizeOptions>) {
          os << "ResizeOptions{align_corners=" << o.align_corners
             << ",half_pixel_centers=" << o.half_pixel_centers << "}";
        } else if constexpr (std::is_same_v<T, ArgMaxOptions>) {
          os << "ArgMaxOptions{output_int64=" << o.output_int64 << "}";
        } else if constexpr (std::is_same_v<T, BatchNormOptions>) {
          os << "BatchNormOptions{epsilon=" << o.epsilon << ",momentum=" << o.momentum << "}";
        } else if constexpr (std::is_same_v<T, DropoutOptions>) {
          os << "DropoutOptions{rate=" << o.rate << "}";
        } else if constexpr (std::is_same_v<T, CustomOptions>) {
          os << "CustomOptions{" << o.bytes.size() << " bytes}";
        } else {
          static_assert(!sizeof(T), "OptionsText: unhandled options type");
        }
      },
      options);
  return os.str();
}

// Where two byte strings first differ, or "" when equal.
std::string BytesDifference(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) {
    return std::to_string(a.size()) + " bytes vs " + std::to_string(b.size());
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      return "byte " + std::to_string(i) + " is " + std::to_string(a[i]) + " vs " +
             std::to_string(b[i]);
    }
  }
  return "";
}

std::string TensorDifference(size_t index, const Tensor& a, const Tensor& b) {
  const std::string label = "tensor " + std::to_string(index) + " '" + a.name + "'";
  if (a.name != b.name) return label + ": name '" + a.name + "' vs '" + b.name + "'";
  if (a.dtype != b.dtype) {
    return label + ": dtype " + DTypeName(a.dtype) + " vs " + DTypeName(b.dtype);
  }
  if (a.shape != b.shape) {
    return label + ": shape " + ShapeToString(a.shape) + " vs " + ShapeToString(b.shape);
  }
  if (a.shape_signature != b.shape_signature) {
    return label + ": shape_signature " + ShapeToString(a.shape_signature) + " vs " +
           ShapeToString(b.shape_signature);
  }
  if (a.quant != b.quant) {
    return label + ": quantization " + QuantText(a.quant) + " vs " + QuantText(b.quant);
  }
  if (a.is_variable != b.is_variable) {
    return label + ": is_variable " + std::to_string(a.is_variable) + " vs " +
           std::to_string(b.is_variable);
  }
  if (std::string d = BytesDifference(a.data, b.data); !d.empty()) return label + ": data " + d;
  return "";
}

std::string OpDifference(size_t index, const Op& a, const Op& b) {
  const std::string label = "op " + std::to_string(index) + " (" + OpName(a) + ")";
  if (a.type != b.type) return label + ": type " + OpName(a) + " vs " + OpName(b);
  // The builtin code only identifies unsupported builtins (for the others the type does, and
  // builders need not set it); the custom code only custom ops.
  if (a.type == OpType::kUnsupportedBuiltin && a.builtin_code != b.builtin_code) {
    return label + ": builtin code " + std::to_string(a.builtin_code) + " vs " +
           std::to_string(b.builtin_code);
  }
  if (a.type == OpType::kCustom && a.custom_code != b.custom_code) {
    return label + ": custom code '" + a.custom_code + "' vs '" + b.custom_code + "'";
  }
  if (a.version != b.version) {
    return label + ": version " + std::to_string(a.version) + " vs " + std::to_string(b.version);
  }
  if (a.inputs != b.inputs) return label + ": inputs " + Join(a.inputs) + " vs " + Join(b.inputs);
  if (a.outputs != b.outputs) {
    return label + ": outputs " + Join(a.outputs) + " vs " + Join(b.outputs);
  }
  if (a.options != b.options) {
    const auto* ca = std::get_if<CustomOptions>(&a.options);
    const auto* cb = std::get_if<CustomOptions>(&b.options);
    if (ca && cb) return label + ": custom options " + BytesDifference(ca->bytes, cb->bytes);
    return label + ": options " + OptionsText(a.options) + " vs " + OptionsText(b.options);
  }
  return "";
}

template <typename T>
std::string ListDifference(const std::string& what, const std::vector<T>& a,
                           const std::vector<T>& b) {
  if (a == b) return "";
  if (a.size() != b.size()) {
    return what + ": " + std::to_string(a.size()) + " entries vs " + std::to_string(b.size());
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i])) {
      std::ostringstream os;
      os.precision(9);
      os << what << "[" << i << "]: '" << a[i] << "' vs '" << b[i] << "'";
      return os.str();
    }
  }
  return "";
}

std::string MetadataDifference(const Metadata& a, const Metadata& b) {
  if (a.name != b.name) return "metadata name '" + a.name + "' vs '" + b.name + "'";
  if (a.description != b.description) {
    return "metadata description '" + a.description + "' vs '" + b.description + "'";
  }
  if (auto d = ListDifference("metadata labels", a.labels, b.labels); !d.empty()) return d;
  if (auto d = ListDifference("metadata input_mean", a.input_mean, b.input_mean); !d.empty()) {
    return d;
  }
  if (auto d = ListDifference("metadata input_std", a.input_std, b.input_std); !d.empty()) return d;
  if (a.extra.size() != b.extra.size()) {
    return "metadata extra: " + std::to_string(a.extra.size()) + " entries vs " +
           std::to_string(b.extra.size());
  }
  for (size_t i = 0; i < a.extra.size(); ++i) {
    const std::string label = "metadata extra[" + std::to_string(i) + "]";
    if (a.extra[i].first != b.extra[i].first) {
      return label + ": name '" + a.extra[i].first + "' vs '" + b.extra[i].first + "'";
    }
    if (auto d = BytesDifference(a.extra[i].second, b.extra[i].second); !d.empty()) {
      return label + " '" + a.extra[i].first + "': " + d;
    }
  }
  return "";
}

}  // namespace

std::string DescribeDifference(const Graph& a, const Graph& b) {
  if (a.tensors.size() != b.tensors.size()) {
    return "tensor count " + std::to_string(a.tensors.size()) + " vs " +
           std::to_string(b.tensors.size());
  }
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    if (auto d = TensorDifference(i, a.tensors[i], b.tensors[i]); !d.empty()) return d;
  }
  if (a.ops.size() != b.ops.size()) {
    return "op count " + std::to_string(a.ops.size()) + " vs " + std::to_string(b.ops.size());
  }
  for (size_t i = 0; i < a.ops.size(); ++i) {
    if (auto d = OpDifference(i, a.ops[i], b.ops[i]); !d.empty()) return d;
  }
  if (a.inputs != b.inputs) return "graph inputs " + Join(a.inputs) + " vs " + Join(b.inputs);
  if (a.outputs != b.outputs) return "graph outputs " + Join(a.outputs) + " vs " + Join(b.outputs);
  if (auto d = MetadataDifference(a.metadata, b.metadata); !d.empty()) return d;
  if (a.description != b.description) {
    return "description '" + a.description + "' vs '" + b.description + "'";
  }
  if (a.schema_version != b.schema_version) {
    return "schema version " + std::to_string(a.schema_version) + " vs " +
           std::to_string(b.schema_version);
  }
  if (a.subgraph_count != b.subgraph_count) {
    return "subgraph count " + std::to_string(a.subgraph_count) + " vs " +
           std::to_string(b.subgraph_count);
  }
  return "";
}

}  // namespace edgeforge::ir
