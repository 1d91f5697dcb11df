#include "tflite/op_options.h"

#include <string>
#include <variant>

#include "tflite/option_values.h"
#include "tflite/pass_through.h"

namespace edgeforge::tflite {

namespace {

namespace fb = ::tflite;
using BO = fb::BuiltinOperator;
using OptionsType = fb::BuiltinOptions;

// Options tables an op cannot do without: TFLite would silently run it with zero strides or
// axes, so a file without them is corrupt.
template <typename T>
StatusOr<const T*> RequiredOptions(const fb::Operator& op, const char* table_name) {
  if (const T* o = op.builtin_options_as<T>()) return o;
  const char* held = fb::EnumNameBuiltinOptions(op.builtin_options_type());
  return InvalidArgument(std::string("missing ") + table_name + " (builtin_options holds " +
                         (*held ? held : "an unknown type") + ")");
}

// Sets `out` to an ADD/SUB/MUL-style op from its fused activation.
Status ReadElementwise(fb::ActivationFunctionType activation, ir::Op* out) {
  EF_ASSIGN_OR_RETURN(ir::Activation a, ToActivation(activation));
  out->options = ir::ElementwiseOptions{a};
  return Status::Ok();
}

// The int16 ADD/SUB kernels read pot_scale_int16 (false: general scales); other dtypes ignore
// it. The IR does not store it, so an int16 op with the flag cleared is not ours to run.
bool NeedsGeneralInt16Scales(bool pot_scale_int16, const fb::Operator& op, const ir::Graph& graph) {
  if (pot_scale_int16 || !op.inputs() || op.inputs()->size() == 0) return false;
  const int32_t input = op.inputs()->Get(0);
  return input >= 0 && static_cast<size_t>(input) < graph.tensors.size() &&
         graph.tensors[static_cast<size_t>(input)].dtype == DType::kInt16;
}

}  // namespace

int32_t BuiltinCodeOf(ir::OpType type) {
  switch (type) {
    case ir::OpType::kConv2D: return static_cast<int32_t>(BO::CONV_2D);
    case ir::OpType::kDepthwiseConv2D: return static_cast<int32_t>(BO::DEPTHWISE_CONV_2D);
    case ir::OpType::kFullyConnected: return static_cast<int32_t>(BO::FULLY_CONNECTED);
    case ir::OpType::kAdd: return static_cast<int32_t>(BO::ADD);
    case ir::OpType::kSub: return static_cast<int32_t>(BO::SUB);
    case ir::OpType::kMul: return static_cast<int32_t>(BO::MUL);
    case ir::OpType::kAveragePool2D: return static_cast<int32_t>(BO::AVERAGE_POOL_2D);
    case ir::OpType::kMaxPool2D: return static_cast<int32_t>(BO::MAX_POOL_2D);
    case ir::OpType::kMean: return static_cast<int32_t>(BO::MEAN);
    case ir::OpType::kReshape: return static_cast<int32_t>(BO::RESHAPE);
    case ir::OpType::kSqueeze: return static_cast<int32_t>(BO::SQUEEZE);
    case ir::OpType::kSoftmax: return static_cast<int32_t>(BO::SOFTMAX);
    case ir::OpType::kLogistic: return static_cast<int32_t>(BO::LOGISTIC);
    case ir::OpType::kTanh: return static_cast<int32_t>(BO::TANH);
    case ir::OpType::kRelu: return static_cast<int32_t>(BO::RELU);
    case ir::OpType::kRelu6: return static_cast<int32_t>(BO::RELU6);
    case ir::OpType::kHardSwish: return static_cast<int32_t>(BO::HARD_SWISH);
    case ir::OpType::kPad: return static_cast<int32_t>(BO::PAD);
    case ir::OpType::kConcatenation: return static_cast<int32_t>(BO::CONCATENATION);
    case ir::OpType::kSplit: return static_cast<int32_t>(BO::SPLIT);
    case ir::OpType::kQuantize: return static_cast<int32_t>(BO::QUANTIZE);
    case ir::OpType::kDequantize: return static_cast<int32_t>(BO::DEQUANTIZE);
    case ir::OpType::kL2Normalization: return static_cast<int32_t>(BO::L2_NORMALIZATION);
    case ir::OpType::kResizeBilinear: return static_cast<int32_t>(BO::RESIZE_BILINEAR);
    case ir::OpType::kResizeNearestNeighbor:
      return static_cast<int32_t>(BO::RESIZE_NEAREST_NEIGHBOR);
    case ir::OpType::kArgMax: return static_cast<int32_t>(BO::ARG_MAX);
    case ir::OpType::kCast: return static_cast<int32_t>(BO::CAST);
    case ir::OpType::kBatchNorm:
    case ir::OpType::kDropout:
    case ir::OpType::kUnsupportedBuiltin:
    case ir::OpType::kCustom: return -1;
  }
  return -1;
}

Status ReadBuiltinOptions(const fb::Operator& op, int32_t code, const ir::Graph& graph,
                          ir::Op* out) {
  out->options = std::monostate{};
  switch (static_cast<BO>(code)) {
    case BO::CONV_2D: {
      EF_ASSIGN_OR_RETURN(auto* o, RequiredOptions<fb::Conv2DOptions>(op, "Conv2DOptions"));
      if (o->quantized_bias_type() != fb::TensorType::FLOAT32) break;  // int16x8 bias override
      ir::Conv2DOptions c;
      EF_ASSIGN_OR_RETURN(c.padding, ToPadding(o->padding()));
      EF_ASSIGN_OR_RETURN(c.activation, ToActivation(o->fused_activation_function()));
      c.stride_w = o->stride_w();
      c.stride_h = o->stride_h();
      c.dilation_w = o->dilation_w_factor();
      c.dilation_h = o->dilation_h_factor();
      EF_RETURN_IF_ERROR(Check(c));
      out->type = ir::OpType::kConv2D;
      out->options = c;
      return Status::Ok();
    }
    case BO::DEPTHWISE_CONV_2D: {
      EF_ASSIGN_OR_RETURN(
          auto* o, RequiredOptions<fb::DepthwiseConv2DOptions>(op, "DepthwiseConv2DOptions"));
      ir::DepthwiseConv2DOptions d;
      EF_ASSIGN_OR_RETURN(d.padding, ToPadding(o->padding()));
      EF_ASSIGN_OR_RETURN(d.activation, ToActivation(o->fused_activation_function()));
      d.stride_w = o->stride_w();
      d.stride_h = o->stride_h();
      d.depth_multiplier = o->depth_multiplier();
      d.dilation_w = o->dilation_w_factor();
      d.dilation_h = o->dilation_h_factor();
      EF_RETURN_IF_ERROR(Check(d));
      out->type = ir::OpType::kDepthwiseConv2D;
      out->options = d;
      return Status::Ok();
    }
    case BO::FULLY_CONNECTED: {
      ir::FullyConnectedOptions f;
      if (const auto* o = op.builtin_options_as<fb::FullyConnectedOptions>()) {
        // Shuffled weights, asymmetric hybrid inputs and bias-type overrides change the
        // arithmetic and have no place in the IR.
        if (o->weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT ||
            o->asymmetric_quantize_inputs() ||
            o->quantized_bias_type() != fb::TensorType::FLOAT32) {
          break;
        }
        EF_ASSIGN_OR_RETURN(f.activation, ToActivation(o->fused_activation_function()));
        f.keep_num_dims = o->keep_num_dims();
      }
      out->type = ir::OpType::kFullyConnected;
      out->options = f;
      return Status::Ok();
    }
    case BO::ADD: {
      const auto* o = op.builtin_options_as<fb::AddOptions>();
      if (o && NeedsGeneralInt16Scales(o->pot_scale_int16(), op, graph)) break;
      EF_RETURN_IF_ERROR(ReadElementwise(
          o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE, out));
      out->type = ir::OpType::kAdd;
      return Status::Ok();
    }
    case BO::SUB: {
      const auto* o = op.builtin_options_as<fb::SubOptions>();
      if (o && NeedsGeneralInt16Scales(o->pot_scale_int16(), op, graph)) break;
      EF_RETURN_IF_ERROR(ReadElementwise(
          o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE, out));
      out->type = ir::OpType::kSub;
      return Status::Ok();
    }
    case BO::MUL: {
      const auto* o = op.builtin_options_as<fb::MulOptions>();
      EF_RETURN_IF_ERROR(ReadElementwise(
          o ? o->fused_activation_function() : fb::ActivationFunctionType::NONE, out));
      out->type = ir::OpType::kMul;
      return Status::Ok();
    }
    case BO::AVERAGE_POOL_2D:
    case BO::MAX_POOL_2D: {
      EF_ASSIGN_OR_RETURN(auto* o, RequiredOptions<fb::Pool2DOptions>(op, "Pool2DOptions"));
      ir::Pool2DOptions p;
      EF_ASSIGN_OR_RETURN(p.padding, ToPadding(o->padding()));
      EF_ASSIGN_OR_RETURN(p.activation, ToActivation(o->fused_activation_function()));
      p.stride_w = o->stride_w();
      p.stride_h = o->stride_h();
      p.filter_w = o->filter_width();
      p.filter_h = o->filter_height();
      EF_RETURN_IF_ERROR(Check(p));
      out->type = static_cast<BO>(code) == BO::MAX_POOL_2D ? ir::OpType::kMaxPool2D
                                                           : ir::OpType::kAveragePool2D;
      out->options = p;
      return Status::Ok();
    }
    case BO::MEAN: {
      const auto* o = op.builtin_options_as<fb::ReducerOptions>();
      out->type = ir::OpType::kMean;
      out->options = ir::ReducerOptions{o ? o->keep_dims() : false};
      return Status::Ok();
    }
    case BO::RESHAPE: {
      ir::ReshapeOptions r;
      if (const auto* o = op.builtin_options_as<fb::ReshapeOptions>(); o && o->new_shape()) {
        EF_RETURN_IF_ERROR(CheckDimensionList("new_shape", o->new_shape()->size()));
        r.new_shape.assign(o->new_shape()->begin(), o->new_shape()->end());
      }
      out->type = ir::OpType::kReshape;
      out->options = std::move(r);
      return Status::Ok();
    }
    case BO::SQUEEZE: {
      ir::SqueezeOptions s;
      if (const auto* o = op.builtin_options_as<fb::SqueezeOptions>(); o && o->squeeze_dims()) {
        EF_RETURN_IF_ERROR(CheckDimensionList("squeeze_dims", o->squeeze_dims()->size()));
        s.squeeze_dims.assign(o->squeeze_dims()->begin(), o->squeeze_dims()->end());
      }
      out->type = ir::OpType::kSqueeze;
      out->options = std::move(s);
      return Status::Ok();
    }
    case BO::SOFTMAX: {
      EF_ASSIGN_OR_RETURN(auto* o, RequiredOptions<fb::SoftmaxOptions>(op, "SoftmaxOptions"));
      ir::SoftmaxOptions s{o->beta()};
      EF_RETURN_IF_ERROR(Check(s));
      out->type = ir::OpType::kSoftmax;
      out->options = s;
      return Status::Ok();
    }
    case BO::CONCATENATION: {
      EF_ASSIGN_OR_RETURN(auto* o,
                          RequiredOptions<fb::ConcatenationOptions>(op, "ConcatenationOptions"));
      ir::ConcatenationOptions c;
      c.axis = o->axis();
      EF_ASSIGN_OR_RETURN(c.activation, ToActivation(o->fused_activation_function()));
      out->type = ir::OpType::kConcatenation;
      out->options = c;
      return Status::Ok();
    }
    case BO::SPLIT: {
      EF_ASSIGN_OR_RETURN(auto* o, RequiredOptions<fb::SplitOptions>(op, "SplitOptions"));
      ir::SplitOptions s{o->num_splits()};
      EF_RETURN_IF_ERROR(Check(s));
      out->type = ir::OpType::kSplit;
      out->options = s;
      return Status::Ok();
    }
    case BO::L2_NORMALIZATION: {
      ir::L2NormOptions l;
      if (const auto* o = op.builtin_options_as<fb::L2NormOptions>()) {
        EF_ASSIGN_OR_RETURN(l.activation, ToActivation(o->fused_activation_function()));
      }
      out->type = ir::OpType::kL2Normalization;
      out->options = l;
      return Status::Ok();
    }
    case BO::RESIZE_BILINEAR: {
      ir::ResizeOptions r;
      if (const auto* o = op.builtin_options_as<fb::ResizeBilinearOptions>()) {
        r.align_corners = o->align_corners();
        r.half_pixel_centers = o->half_pixel_centers();
      }
      out->type = ir::OpType::kResizeBilinear;
      out->options = r;
      return Status::Ok();
    }
    case BO::RESIZE_NEAREST_NEIGHBOR: {
      ir::ResizeOptions r;
      if (const auto* o = op.builtin_options_as<fb::ResizeNearestNeighborOptions>()) {
        r.align_corners = o->align_corners();
        r.half_pixel_centers = o->half_pixel_centers();
      }
      out->type = ir::OpType::kResizeNearestNeighbor;
      out->options = r;
      return Status::Ok();
    }
    case BO::ARG_MAX: {
      ir::ArgMaxOptions a;
      if (const auto* o = op.builtin_options_as<fb::ArgMaxOptions>()) {
        EF_ASSIGN_OR_RETURN(a.output_int64, OutputIsInt64(o->output_type()));
      } else {
        // No options: the output tensor's dtype says it (TFLite itself would fail to run it).
        const ir::Tensor* output = nullptr;
        if (op.outputs() && op.outputs()->size() > 0) {
          const int32_t index = op.outputs()->Get(0);
          if (index >= 0 && static_cast<size_t>(index) < graph.tensors.size()) {
            output = &graph.tensors[static_cast<size_t>(index)];
          }
        }
        if (!output || (output->dtype != DType::kInt32 && output->dtype != DType::kInt64)) {
          return InvalidArgument(
              "missing ArgMaxOptions and no int32/int64 output to infer it from");
        }
        a.output_int64 = output->dtype == DType::kInt64;
      }
      out->type = ir::OpType::kArgMax;
      out->options = a;
      return Status::Ok();
    }
    case BO::LOGISTIC: out->type = ir::OpType::kLogistic; return Status::Ok();
    case BO::TANH: out->type = ir::OpType::kTanh; return Status::Ok();
    case BO::RELU: out->type = ir::OpType::kRelu; return Status::Ok();
    case BO::RELU6: out->type = ir::OpType::kRelu6; return Status::Ok();
    case BO::HARD_SWISH: out->type = ir::OpType::kHardSwish; return Status::Ok();
    case BO::PAD: out->type = ir::OpType::kPad; return Status::Ok();
    case BO::QUANTIZE: out->type = ir::OpType::kQuantize; return Status::Ok();
    case BO::DEQUANTIZE: out->type = ir::OpType::kDequantize; return Status::Ok();
    case BO::CAST: out->type = ir::OpType::kCast; return Status::Ok();  // dtypes from tensors
    default: break;
  }
  // Not run by edgeforge (or, after a `break` above, options the IR cannot express).
  out->type = ir::OpType::kUnsupportedBuiltin;
  out->options = std::monostate{};
  if (const PassThroughBuiltin* entry = FindPassThrough(code)) {
    out->options = ReadPassThroughOptions(op, *entry);
  }
  return Status::Ok();
}

StatusOr<int32_t> BuiltinCodeForWriting(const ir::Op& op) {
  switch (op.type) {
    case ir::OpType::kBatchNorm:
    case ir::OpType::kDropout:
      return InvalidArgument(std::string(ir::OpTypeName(op.type)) +
                             " is a training-only op; fold batch norms and remove dropout "
                             "(the ir passes) before writing a .tflite");
    case ir::OpType::kCustom: return Internal("custom ops have no builtin code");
    case ir::OpType::kUnsupportedBuiltin:
      if (!FindPassThrough(op.builtin_code)) {
        return Unimplemented("edgeforge neither runs builtin " + CodeName(op.builtin_code) +
                             " nor keeps its options, so it cannot write it back");
      }
      return op.builtin_code;
    default: return BuiltinCodeOf(op.type);
  }
}

StatusOr<WrittenOptions> WriteBuiltinOptions(flatbuffers::FlatBufferBuilder& fbb,
                                             const ir::Op& op) {
  WrittenOptions out;
  switch (op.type) {
    case ir::OpType::kConv2D: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::Conv2DOptions>(op, "Conv2DOptions"));
      EF_RETURN_IF_ERROR(Check(o));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.type = OptionsType::Conv2DOptions;
      out.table = fb::CreateConv2DOptions(fbb, FromPadding(o.padding), o.stride_w, o.stride_h,
                                          activation, o.dilation_w, o.dilation_h)
                      .Union();
      return out;
    }
    case ir::OpType::kDepthwiseConv2D: {
      EF_ASSIGN_OR_RETURN(
          auto o, OptionsOrDefault<ir::DepthwiseConv2DOptions>(op, "DepthwiseConv2DOptions"));
      EF_RETURN_IF_ERROR(Check(o));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.type = OptionsType::DepthwiseConv2DOptions;
      out.table = fb::CreateDepthwiseConv2DOptions(fbb, FromPadding(o.padding), o.stride_w,
                                                   o.stride_h, o.depth_multiplier, activation,
                                                   o.dilation_w, o.dilation_h)
                      .Union();
      return out;
    }
    case ir::OpType::kFullyConnected: {
      EF_ASSIGN_OR_RETURN(auto o,
                          OptionsOrDefault<ir::FullyConnectedOptions>(op, "FullyConnectedOptions"));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.type = OptionsType::FullyConnectedOptions;
      out.table =
          fb::CreateFullyConnectedOptions(
              fbb, activation, fb::FullyConnectedOptionsWeightsFormat::DEFAULT, o.keep_num_dims)
              .Union();
      return out;
    }
    case ir::OpType::kAdd:
    case ir::OpType::kSub:
    case ir::OpType::kMul: {
      EF_ASSIGN_OR_RETURN(auto o,
                          OptionsOrDefault<ir::ElementwiseOptions>(op, "ElementwiseOptions"));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      if (op.type == ir::OpType::kAdd) {
        out.type = OptionsType::AddOptions;
        out.table = fb::CreateAddOptions(fbb, activation).Union();
      } else if (op.type == ir::OpType::kSub) {
        out.type = OptionsType::SubOptions;
        out.table = fb::CreateSubOptions(fbb, activation).Union();
      } else {
        out.type = OptionsType::MulOptions;
        out.table = fb::CreateMulOptions(fbb, activation).Union();
      }
      return out;
    }
    case ir::OpType::kAveragePool2D:
    case ir::OpType::kMaxPool2D: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::Pool2DOptions>(op, "Pool2DOptions"));
      EF_RETURN_IF_ERROR(Check(o));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.type = OptionsType::Pool2DOptions;
      out.table = fb::CreatePool2DOptions(fbb, FromPadding(o.padding), o.stride_w, o.stride_h,
                                          o.filter_w, o.filter_h, activation)
                      .Union();
      return out;
    }
    case ir::OpType::kMean: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::ReducerOptions>(op, "ReducerOptions"));
      out.type = OptionsType::ReducerOptions;
      out.table = fb::CreateReducerOptions(fbb, o.keep_dims).Union();
      return out;
    }
    case ir::OpType::kReshape: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::ReshapeOptions>(op, "ReshapeOptions"));
      EF_RETURN_IF_ERROR(CheckDimensionList("new_shape", o.new_shape.size()));
      out.type = OptionsType::ReshapeOptions;
      // An empty new_shape means "from input 1": leave the field out rather than claim [].
      flatbuffers::Offset<flatbuffers::Vector<int32_t>> new_shape;
      if (!o.new_shape.empty()) new_shape = fbb.CreateVector(o.new_shape);
      out.table = fb::CreateReshapeOptions(fbb, new_shape).Union();
      return out;
    }
    case ir::OpType::kSqueeze: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::SqueezeOptions>(op, "SqueezeOptions"));
      EF_RETURN_IF_ERROR(CheckDimensionList("squeeze_dims", o.squeeze_dims.size()));
      out.type = OptionsType::SqueezeOptions;
      flatbuffers::Offset<flatbuffers::Vector<int32_t>> dims;
      if (!o.squeeze_dims.empty()) dims = fbb.CreateVector(o.squeeze_dims);
      out.table = fb::CreateSqueezeOptions(fbb, dims).Union();
      return out;
    }
    case ir::OpType::kSoftmax: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::SoftmaxOptions>(op, "SoftmaxOptions"));
      EF_RETURN_IF_ERROR(Check(o));
      out.type = OptionsType::SoftmaxOptions;
      out.table = fb::CreateSoftmaxOptions(fbb, o.beta).Union();
      return out;
    }
    case ir::OpType::kConcatenation: {
      EF_ASSIGN_OR_RETURN(auto o,
                          OptionsOrDefault<ir::ConcatenationOptions>(op, "ConcatenationOptions"));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.type = OptionsType::ConcatenationOptions;
      out.table = fb::CreateConcatenationOptions(fbb, o.axis, activation).Union();
      return out;
    }
    case ir::OpType::kSplit: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::SplitOptions>(op, "SplitOptions"));
      EF_RETURN_IF_ERROR(Check(o));
      out.type = OptionsType::SplitOptions;
      out.table = fb::CreateSplitOptions(fbb, o.num_splits).Union();
      return out;
    }
    case ir::OpType::kL2Normalization: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::L2NormOptions>(op, "L2NormOptions"));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.type = OptionsType::L2NormOptions;
      out.table = fb::CreateL2NormOptions(fbb, activation).Union();
      return out;
    }
    case ir::OpType::kResizeBilinear: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::ResizeOptions>(op, "ResizeOptions"));
      out.type = OptionsType::ResizeBilinearOptions;
      out.table =
          fb::CreateResizeBilinearOptions(fbb, o.align_corners, o.half_pixel_centers).Union();
      return out;
    }
    case ir::OpType::kResizeNearestNeighbor: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::ResizeOptions>(op, "ResizeOptions"));
      out.type = OptionsType::ResizeNearestNeighborOptions;
      out.table = fb::CreateResizeNearestNeighborOptions(fbb, o.align_corners, o.half_pixel_centers)
                      .Union();
      return out;
    }
    case ir::OpType::kArgMax: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::ArgMaxOptions>(op, "ArgMaxOptions"));
      out.type = OptionsType::ArgMaxOptions;
      out.table = fb::CreateArgMaxOptions(fbb, OutputType(o)).Union();
      return out;
    }
    // No options: TFLite's kernels for these read none (CAST takes its types from tensors).
    case ir::OpType::kLogistic:
    case ir::OpType::kTanh:
    case ir::OpType::kRelu:
    case ir::OpType::kRelu6:
    case ir::OpType::kHardSwish:
    case ir::OpType::kPad:
    case ir::OpType::kQuantize:
    case ir::OpType::kDequantize:
    case ir::OpType::kCast:
      if (!std::holds_alternative<std::monostate>(op.options)) {
        return InvalidArgument("this op takes no options, but the op holds some");
      }
      return out;
    case ir::OpType::kUnsupportedBuiltin: {
      const PassThroughBuiltin* entry = FindPassThrough(op.builtin_code);
      if (!entry) return Internal("builtin " + CodeName(op.builtin_code) + " is not writable");
      return WritePassThroughOptions(fbb, op, *entry);
    }
    case ir::OpType::kBatchNorm:
    case ir::OpType::kDropout:
    case ir::OpType::kCustom: break;
  }
  return Internal(std::string("no builtin options for ") + ir::OpTypeName(op.type));
}

}  // namespace edgeforge::tflite