#include "tflite/op_options.h"

#include <cmath>
#include <string>
#include <variant>

namespace edgeforge::tflite {

namespace {

namespace fb = ::tflite;
using BO = fb::BuiltinOperator;
using OptionsType = fb::BuiltinOptions;

std::string CodeName(int32_t code) {
  const char* name = ir::BuiltinOperatorName(code);
  return *name ? std::string(name) : "BUILTIN_" + std::to_string(code);
}

// --- enums and value rules, shared by both directions ----------------------------------------

StatusOr<ir::Activation> ToActivation(fb::ActivationFunctionType a) {
  const int value = static_cast<int>(a);
  if (value < 0 || value > static_cast<int>(ir::Activation::kSignBit)) {
    return InvalidArgument("fused activation " + std::to_string(value) +
                           " is not a TFLite ActivationFunctionType (0..5)");
  }
  return static_cast<ir::Activation>(value);
}

StatusOr<fb::ActivationFunctionType> FromActivation(ir::Activation a) {
  const int value = static_cast<int>(a);
  if (value < 0 || value > static_cast<int>(ir::Activation::kSignBit)) {
    return InvalidArgument("fused activation " + std::to_string(value) + " is out of range");
  }
  return static_cast<fb::ActivationFunctionType>(value);
}

StatusOr<ir::Padding> ToPadding(fb::Padding p) {
  switch (p) {
    case fb::Padding::SAME: return ir::Padding::kSame;
    case fb::Padding::VALID: return ir::Padding::kValid;
  }
  return InvalidArgument("padding " + std::to_string(static_cast<int>(p)) +
                         " is neither SAME (0) nor VALID (1)");
}

fb::Padding FromPadding(ir::Padding p) {
  return p == ir::Padding::kSame ? fb::Padding::SAME : fb::Padding::VALID;
}

// Strides, dilations, filter sizes and split counts divide or bound loops in the kernels:
// zero or negative values would crash them, so neither side lets one through.
Status CheckAtLeastOne(const char* field, int32_t value) {
  if (value >= 1) return Status::Ok();
  return InvalidArgument(std::string(field) + " is " + std::to_string(value) + ", expected >= 1");
}

Status Check(const ir::Conv2DOptions& o) {
  EF_RETURN_IF_ERROR(CheckAtLeastOne("stride_w", o.stride_w));
  EF_RETURN_IF_ERROR(CheckAtLeastOne("stride_h", o.stride_h));
  EF_RETURN_IF_ERROR(CheckAtLeastOne("dilation_w_factor", o.dilation_w));
  return CheckAtLeastOne("dilation_h_factor", o.dilation_h);
}

Status Check(const ir::DepthwiseConv2DOptions& o) {
  EF_RETURN_IF_ERROR(CheckAtLeastOne("stride_w", o.stride_w));
  EF_RETURN_IF_ERROR(CheckAtLeastOne("stride_h", o.stride_h));
  EF_RETURN_IF_ERROR(CheckAtLeastOne("dilation_w_factor", o.dilation_w));
  return CheckAtLeastOne("dilation_h_factor", o.dilation_h);
}

Status Check(const ir::Pool2DOptions& o) {
  EF_RETURN_IF_ERROR(CheckAtLeastOne("stride_w", o.stride_w));
  EF_RETURN_IF_ERROR(CheckAtLeastOne("stride_h", o.stride_h));
  EF_RETURN_IF_ERROR(CheckAtLeastOne("filter_width", o.filter_w));
  return CheckAtLeastOne("filter_height", o.filter_h);
}

Status Check(const ir::SplitOptions& o) { return CheckAtLeastOne("num_splits", o.num_splits); }

Status Check(const ir::SoftmaxOptions& o) {
  if (std::isfinite(o.beta)) return Status::Ok();
  return InvalidArgument("softmax beta is not finite");
}

// Reading an ARG_MAX/ARG_MIN/SHAPE output type: only int32 and int64 exist.
StatusOr<bool> OutputIsInt64(fb::TensorType type) {
  if (type == fb::TensorType::INT64) return true;
  if (type == fb::TensorType::INT32) return false;
  const char* name = fb::EnumNameTensorType(type);
  return InvalidArgument(std::string("output_type ") +
                         (*name ? name : std::to_string(static_cast<int>(type)).c_str()) +
                         ", expected INT32 or INT64");
}

fb::TensorType OutputType(const ir::ArgMaxOptions& o) {
  return o.output_int64 ? fb::TensorType::INT64 : fb::TensorType::INT32;
}

// --- builtins passed through without being run ----------------------------------------------

enum class PassThrough {
  kNoFields,    // no options, or an empty options table
  kActivation,  // DivOptions: fused activation only -> ElementwiseOptions
  kReducer,     // ReducerOptions -> ReducerOptions
  kPool,        // Pool2DOptions (L2_POOL_2D) -> Pool2DOptions
  kSplitCount,  // SplitVOptions -> SplitOptions
  kOutputType,  // ArgMinOptions / ShapeOptions -> ArgMaxOptions
};

struct PassThroughBuiltin {
  BO code;
  OptionsType options;  // the union member TFLite's converter writes (NONE: no table)
  PassThrough kind;
};

constexpr PassThroughBuiltin kPassThroughBuiltins[] = {
    {BO::EMBEDDING_LOOKUP, OptionsType::NONE, PassThrough::kNoFields},
    {BO::FLOOR, OptionsType::NONE, PassThrough::kNoFields},
    {BO::HASHTABLE_LOOKUP, OptionsType::NONE, PassThrough::kNoFields},
    {BO::L2_POOL_2D, OptionsType::Pool2DOptions, PassThrough::kPool},
    {BO::RELU_N1_TO_1, OptionsType::NONE, PassThrough::kNoFields},
    {BO::BATCH_TO_SPACE_ND, OptionsType::BatchToSpaceNDOptions, PassThrough::kNoFields},
    {BO::SPACE_TO_BATCH_ND, OptionsType::SpaceToBatchNDOptions, PassThrough::kNoFields},
    {BO::TRANSPOSE, OptionsType::TransposeOptions, PassThrough::kNoFields},
    {BO::DIV, OptionsType::DivOptions, PassThrough::kActivation},
    {BO::EXP, OptionsType::ExpOptions, PassThrough::kNoFields},
    {BO::TOPK_V2, OptionsType::TopKV2Options, PassThrough::kNoFields},
    {BO::LOG_SOFTMAX, OptionsType::LogSoftmaxOptions, PassThrough::kNoFields},
    {BO::PRELU, OptionsType::NONE, PassThrough::kNoFields},
    {BO::MAXIMUM, OptionsType::MaximumMinimumOptions, PassThrough::kNoFields},
    {BO::MINIMUM, OptionsType::MaximumMinimumOptions, PassThrough::kNoFields},
    {BO::LESS, OptionsType::LessOptions, PassThrough::kNoFields},
    {BO::NEG, OptionsType::NegOptions, PassThrough::kNoFields},
    {BO::PADV2, OptionsType::PadV2Options, PassThrough::kNoFields},
    {BO::GREATER, OptionsType::GreaterOptions, PassThrough::kNoFields},
    {BO::GREATER_EQUAL, OptionsType::GreaterEqualOptions, PassThrough::kNoFields},
    {BO::LESS_EQUAL, OptionsType::LessEqualOptions, PassThrough::kNoFields},
    {BO::SELECT, OptionsType::SelectOptions, PassThrough::kNoFields},
    {BO::SLICE, OptionsType::SliceOptions, PassThrough::kNoFields},
    {BO::SIN, OptionsType::NONE, PassThrough::kNoFields},
    {BO::TILE, OptionsType::TileOptions, PassThrough::kNoFields},
    {BO::EXPAND_DIMS, OptionsType::ExpandDimsOptions, PassThrough::kNoFields},
    {BO::EQUAL, OptionsType::EqualOptions, PassThrough::kNoFields},
    {BO::NOT_EQUAL, OptionsType::NotEqualOptions, PassThrough::kNoFields},
    {BO::LOG, OptionsType::NONE, PassThrough::kNoFields},
    {BO::SUM, OptionsType::ReducerOptions, PassThrough::kReducer},
    {BO::SQRT, OptionsType::NONE, PassThrough::kNoFields},
    {BO::RSQRT, OptionsType::NONE, PassThrough::kNoFields},
    {BO::SHAPE, OptionsType::ShapeOptions, PassThrough::kOutputType},
    {BO::POW, OptionsType::PowOptions, PassThrough::kNoFields},
    {BO::ARG_MIN, OptionsType::ArgMinOptions, PassThrough::kOutputType},
    {BO::REDUCE_PROD, OptionsType::ReducerOptions, PassThrough::kReducer},
    {BO::REDUCE_MAX, OptionsType::ReducerOptions, PassThrough::kReducer},
    {BO::LOGICAL_OR, OptionsType::LogicalOrOptions, PassThrough::kNoFields},
    {BO::LOGICAL_AND, OptionsType::LogicalAndOptions, PassThrough::kNoFields},
    {BO::LOGICAL_NOT, OptionsType::LogicalNotOptions, PassThrough::kNoFields},
    {BO::REDUCE_MIN, OptionsType::ReducerOptions, PassThrough::kReducer},
    {BO::FLOOR_DIV, OptionsType::FloorDivOptions, PassThrough::kNoFields},
    {BO::REDUCE_ANY, OptionsType::ReducerOptions, PassThrough::kReducer},
    {BO::SQUARE, OptionsType::SquareOptions, PassThrough::kNoFields},
    {BO::ZEROS_LIKE, OptionsType::ZerosLikeOptions, PassThrough::kNoFields},
    {BO::FILL, OptionsType::FillOptions, PassThrough::kNoFields},
    {BO::FLOOR_MOD, OptionsType::FloorModOptions, PassThrough::kNoFields},
    {BO::RANGE, OptionsType::RangeOptions, PassThrough::kNoFields},
    {BO::SQUARED_DIFFERENCE, OptionsType::SquaredDifferenceOptions, PassThrough::kNoFields},
    {BO::ABS, OptionsType::AbsOptions, PassThrough::kNoFields},
    {BO::SPLIT_V, OptionsType::SplitVOptions, PassThrough::kSplitCount},
    {BO::CEIL, OptionsType::NONE, PassThrough::kNoFields},
    {BO::REVERSE_V2, OptionsType::ReverseV2Options, PassThrough::kNoFields},
    {BO::ADD_N, OptionsType::AddNOptions, PassThrough::kNoFields},
    {BO::GATHER_ND, OptionsType::GatherNdOptions, PassThrough::kNoFields},
    {BO::COS, OptionsType::CosOptions, PassThrough::kNoFields},
    {BO::WHERE, OptionsType::WhereOptions, PassThrough::kNoFields},
    {BO::RANK, OptionsType::RankOptions, PassThrough::kNoFields},
    {BO::ELU, OptionsType::NONE, PassThrough::kNoFields},
    {BO::MATRIX_DIAG, OptionsType::MatrixDiagOptions, PassThrough::kNoFields},
    {BO::MATRIX_SET_DIAG, OptionsType::MatrixSetDiagOptions, PassThrough::kNoFields},
    {BO::ROUND, OptionsType::NONE, PassThrough::kNoFields},
    {BO::NON_MAX_SUPPRESSION_V4, OptionsType::NonMaxSuppressionV4Options, PassThrough::kNoFields},
    {BO::NON_MAX_SUPPRESSION_V5, OptionsType::NonMaxSuppressionV5Options, PassThrough::kNoFields},
    {BO::SCATTER_ND, OptionsType::ScatterNdOptions, PassThrough::kNoFields},
    {BO::SELECT_V2, OptionsType::SelectV2Options, PassThrough::kNoFields},
    {BO::DENSIFY, OptionsType::DensifyOptions, PassThrough::kNoFields},
    {BO::SEGMENT_SUM, OptionsType::SegmentSumOptions, PassThrough::kNoFields},
    {BO::BROADCAST_TO, OptionsType::BroadcastToOptions, PassThrough::kNoFields},
    {BO::RFFT2D, OptionsType::Rfft2dOptions, PassThrough::kNoFields},
    {BO::IMAG, OptionsType::NONE, PassThrough::kNoFields},
    {BO::REAL, OptionsType::NONE, PassThrough::kNoFields},
    {BO::COMPLEX_ABS, OptionsType::NONE, PassThrough::kNoFields},
    {BO::HASHTABLE_FIND, OptionsType::HashtableFindOptions, PassThrough::kNoFields},
    {BO::HASHTABLE_IMPORT, OptionsType::HashtableImportOptions, PassThrough::kNoFields},
    {BO::HASHTABLE_SIZE, OptionsType::HashtableSizeOptions, PassThrough::kNoFields},
    {BO::REDUCE_ALL, OptionsType::ReducerOptions, PassThrough::kReducer},
    {BO::READ_VARIABLE, OptionsType::ReadVariableOptions, PassThrough::kNoFields},
    {BO::ASSIGN_VARIABLE, OptionsType::AssignVariableOptions, PassThrough::kNoFields},
    {BO::BROADCAST_ARGS, OptionsType::NONE, PassThrough::kNoFields},
    {BO::DYNAMIC_UPDATE_SLICE, OptionsType::DynamicUpdateSliceOptions, PassThrough::kNoFields},
    {BO::RELU_0_TO_1, OptionsType::NONE, PassThrough::kNoFields},
    {BO::UNSORTED_SEGMENT_PROD, OptionsType::UnsortedSegmentProdOptions, PassThrough::kNoFields},
    {BO::UNSORTED_SEGMENT_MAX, OptionsType::UnsortedSegmentMaxOptions, PassThrough::kNoFields},
    {BO::UNSORTED_SEGMENT_SUM, OptionsType::UnsortedSegmentSumOptions, PassThrough::kNoFields},
    {BO::ATAN2, OptionsType::ATan2Options, PassThrough::kNoFields},
    {BO::UNSORTED_SEGMENT_MIN, OptionsType::UnsortedSegmentMinOptions, PassThrough::kNoFields},
    {BO::SIGN, OptionsType::SignOptions, PassThrough::kNoFields},
    {BO::BITCAST, OptionsType::BitcastOptions, PassThrough::kNoFields},
    {BO::BITWISE_XOR, OptionsType::BitwiseXorOptions, PassThrough::kNoFields},
    {BO::RIGHT_SHIFT, OptionsType::RightShiftOptions, PassThrough::kNoFields},
};

const PassThroughBuiltin* FindPassThrough(int32_t code) {
  for (const PassThroughBuiltin& entry : kPassThroughBuiltins) {
    if (static_cast<int32_t>(entry.code) == code) return &entry;
  }
  return nullptr;
}

// Options of a pass-through builtin. Values the IR struct cannot hold leave the options empty
// (monostate): the op still reads, and the writer then refuses it instead of changing it.
ir::OpOptions ReadPassThroughOptions(const fb::Operator& op, const PassThroughBuiltin& entry) {
  switch (entry.kind) {
    case PassThrough::kNoFields: return std::monostate{};
    case PassThrough::kActivation: {
      const auto* o = op.builtin_options_as<fb::DivOptions>();
      if (!o) return ir::ElementwiseOptions{};
      auto activation = ToActivation(o->fused_activation_function());
      if (!activation.ok()) return std::monostate{};
      return ir::ElementwiseOptions{*activation};
    }
    case PassThrough::kReducer: {
      const auto* o = op.builtin_options_as<fb::ReducerOptions>();
      return ir::ReducerOptions{o ? o->keep_dims() : false};
    }
    case PassThrough::kPool: {
      const auto* o = op.builtin_options_as<fb::Pool2DOptions>();
      if (!o) return std::monostate{};
      auto padding = ToPadding(o->padding());
      auto activation = ToActivation(o->fused_activation_function());
      if (!padding.ok() || !activation.ok()) return std::monostate{};
      ir::Pool2DOptions p{*padding,          o->stride_w(),      o->stride_h(),
                          o->filter_width(), o->filter_height(), *activation};
      if (!Check(p).ok()) return std::monostate{};
      return p;
    }
    case PassThrough::kSplitCount: {
      const auto* o = op.builtin_options_as<fb::SplitVOptions>();
      if (!o || o->num_splits() < 1) return std::monostate{};
      return ir::SplitOptions{o->num_splits()};
    }
    case PassThrough::kOutputType: {
      fb::TensorType type = fb::TensorType::FLOAT32;
      bool present = false;
      if (const auto* o = op.builtin_options_as<fb::ArgMinOptions>()) {
        type = o->output_type();
        present = true;
      } else if (const auto* s = op.builtin_options_as<fb::ShapeOptions>()) {
        type = s->out_type();
        present = true;
      }
      auto is_int64 = OutputIsInt64(type);
      if (!present || !is_int64.ok()) return std::monostate{};
      return ir::ArgMaxOptions{*is_int64};
    }
  }
  return std::monostate{};
}

// Writes an options table with no fields of the given union member.
flatbuffers::Offset<void> EmptyTable(flatbuffers::FlatBufferBuilder& fbb) {
  const flatbuffers::uoffset_t start = fbb.StartTable();
  return flatbuffers::Offset<void>(fbb.EndTable(start));
}

// The op's options as T: default-constructed when the op has none, an error when it holds
// another options struct.
template <typename T>
StatusOr<T> OptionsOrDefault(const ir::Op& op, const char* struct_name) {
  if (std::holds_alternative<std::monostate>(op.options)) return T{};
  if (const T* options = std::get_if<T>(&op.options)) return *options;
  return InvalidArgument(std::string("options are not ") + struct_name);
}

StatusOr<WrittenOptions> WritePassThroughOptions(flatbuffers::FlatBufferBuilder& fbb,
                                                 const ir::Op& op,
                                                 const PassThroughBuiltin& entry) {
  WrittenOptions out;
  out.type = entry.options;
  switch (entry.kind) {
    case PassThrough::kNoFields:
      if (!std::holds_alternative<std::monostate>(op.options)) {
        return InvalidArgument("this builtin has no options, but the op holds some");
      }
      if (entry.options != OptionsType::NONE) out.table = EmptyTable(fbb);
      return out;
    case PassThrough::kActivation: {
      EF_ASSIGN_OR_RETURN(auto o,
                          OptionsOrDefault<ir::ElementwiseOptions>(op, "ElementwiseOptions"));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.table = fb::CreateDivOptions(fbb, activation).Union();
      return out;
    }
    case PassThrough::kReducer: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::ReducerOptions>(op, "ReducerOptions"));
      out.table = fb::CreateReducerOptions(fbb, o.keep_dims).Union();
      return out;
    }
    case PassThrough::kPool:
    case PassThrough::kSplitCount:
    case PassThrough::kOutputType: break;
  }
  // The remaining kinds have no sensible default: reading leaves them empty when the file's
  // values did not fit, and then the op cannot be reproduced.
  if (std::holds_alternative<std::monostate>(op.options)) {
    return InvalidArgument("the options of this builtin were not kept, so they cannot be written");
  }
  switch (entry.kind) {
    case PassThrough::kPool: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::Pool2DOptions>(op, "Pool2DOptions"));
      EF_RETURN_IF_ERROR(Check(o));
      EF_ASSIGN_OR_RETURN(auto activation, FromActivation(o.activation));
      out.table = fb::CreatePool2DOptions(fbb, FromPadding(o.padding), o.stride_w, o.stride_h,
                                          o.filter_w, o.filter_h, activation)
                      .Union();
      return out;
    }
    case PassThrough::kSplitCount: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::SplitOptions>(op, "SplitOptions"));
      EF_RETURN_IF_ERROR(Check(o));
      out.table = fb::CreateSplitVOptions(fbb, o.num_splits).Union();
      return out;
    }
    case PassThrough::kOutputType: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::ArgMaxOptions>(op, "ArgMaxOptions"));
      out.table = entry.options == OptionsType::ShapeOptions
                      ? fb::CreateShapeOptions(fbb, OutputType(o)).Union()
                      : fb::CreateArgMinOptions(fbb, OutputType(o)).Union();
      return out;
    }
    default: break;
  }
  return Internal("unhandled pass-through kind");
}

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
        r.new_shape.assign(o->new_shape()->begin(), o->new_shape()->end());
      }
      out->type = ir::OpType::kReshape;
      out->options = std::move(r);
      return Status::Ok();
    }
    case BO::SQUEEZE: {
      ir::SqueezeOptions s;
      if (const auto* o = op.builtin_options_as<fb::SqueezeOptions>(); o && o->squeeze_dims()) {
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
      out.type = OptionsType::ReshapeOptions;
      // An empty new_shape means "from input 1": leave the field out rather than claim [].
      flatbuffers::Offset<flatbuffers::Vector<int32_t>> new_shape;
      if (!o.new_shape.empty()) new_shape = fbb.CreateVector(o.new_shape);
      out.table = fb::CreateReshapeOptions(fbb, new_shape).Union();
      return out;
    }
    case ir::OpType::kSqueeze: {
      EF_ASSIGN_OR_RETURN(auto o, OptionsOrDefault<ir::SqueezeOptions>(op, "SqueezeOptions"));
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
