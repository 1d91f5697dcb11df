#include "tflite/pass_through.h"

#include <variant>

#include "tflite/option_values.h"

namespace edgeforge::tflite {

namespace {

namespace fb = ::tflite;
using BO = fb::BuiltinOperator;
using OptionsType = fb::BuiltinOptions;

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

}  // namespace

const PassThroughBuiltin* FindPassThrough(int32_t code) {
  for (const PassThroughBuiltin& entry : kPassThroughBuiltins) {
    if (static_cast<int32_t>(entry.code) == code) return &entry;
  }
  return nullptr;
}

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

}  // namespace edgeforge::tflite
