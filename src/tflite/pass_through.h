// Builtins edgeforge does not run but writes back unchanged ("pass-through"): those whose
// options are empty or fit one of the IR's options structs (TRANSPOSE, EXP, SUM and the other
// reductions via ReducerOptions, DIV via ElementwiseOptions, SPLIT_V via SplitOptions, ...).
// They are read as kUnsupportedBuiltin with those options; any other unsupported builtin is
// read without options and refused by the writer.
#pragma once

#include <cstdint>

#include "edgeforge/status.h"
#include "ir/op.h"
#include "tflite/op_options.h"
#include "tflite/tflite_schema_generated.h"

namespace edgeforge::tflite {

enum class PassThrough {
  kNoFields,    // no options, or an empty options table
  kActivation,  // DivOptions: fused activation only -> ElementwiseOptions
  kReducer,     // ReducerOptions -> ReducerOptions
  kPool,        // Pool2DOptions (L2_POOL_2D) -> Pool2DOptions
  kSplitCount,  // SplitVOptions -> SplitOptions
  kOutputType,  // ArgMinOptions / ShapeOptions -> ArgMaxOptions
};

struct PassThroughBuiltin {
  ::tflite::BuiltinOperator code;
  ::tflite::BuiltinOptions options;  // the union member TFLite's converter writes (NONE: none)
  PassThrough kind;
};

// The entry for a builtin code, or nullptr when the builtin cannot be passed through.
const PassThroughBuiltin* FindPassThrough(int32_t code);

// Options of a pass-through builtin. Values the IR struct cannot hold leave the options empty
// (monostate): the op still reads, and the writer then refuses it instead of changing it.
ir::OpOptions ReadPassThroughOptions(const ::tflite::Operator& op, const PassThroughBuiltin& entry);

StatusOr<WrittenOptions> WritePassThroughOptions(flatbuffers::FlatBufferBuilder& fbb,
                                                 const ir::Op& op, const PassThroughBuiltin& entry);

}  // namespace edgeforge::tflite
