// How TFLite builtin operators map onto ir::Op: which ir::OpType runs each builtin code, and how
// its BuiltinOptions table converts to ir::OpOptions and back. Reader and writer share this file
// so that the two directions cannot drift apart.
//
// Three kinds of builtins:
//  - ops edgeforge runs (CONV_2D, MEAN, ...): their own OpType and options struct;
//  - "pass-through" builtins edgeforge does not run but can write back unchanged, because their
//    options are empty or fit one of the IR's options structs (TRANSPOSE, SUM via
//    ReducerOptions, DIV via ElementwiseOptions, ...; see pass_through.h): kUnsupportedBuiltin
//    with those options;
//  - every other builtin (LSTM, GATHER, STRIDED_SLICE, ...): kUnsupportedBuiltin without
//    options. The reader accepts them (the op is named); the writer refuses them, since it
//    cannot reproduce options it did not keep.
// A builtin edgeforge runs is also read as kUnsupportedBuiltin when its options use a feature
// the IR cannot express (shuffled FULLY_CONNECTED weights, an int16 bias-type override, ...):
// running or rewriting it as if the feature were absent would change its results.
#pragma once

#include <cstdint>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "tflite/tflite_schema_generated.h"

namespace edgeforge::tflite {

// Builtin code that runs an op type: -1 for types that are not a single builtin (kBatchNorm,
// kDropout, kUnsupportedBuiltin, kCustom).
int32_t BuiltinCodeOf(ir::OpType type);

// Sets out->type and out->options for a builtin operator (resolved code `code`, not CUSTOM).
// `graph` holds the tensors already read (options of some ops depend on tensor dtypes).
// Messages describe the problem only; the caller prefixes the file and op.
Status ReadBuiltinOptions(const ::tflite::Operator& op, int32_t code, const ir::Graph& graph,
                          ir::Op* out);

// The builtin code the writer emits for a builtin op (anything but kCustom), or an error for
// ops it refuses (training-only ops, builtins whose options it cannot reproduce).
StatusOr<int32_t> BuiltinCodeForWriting(const ir::Op& op);

struct WrittenOptions {
  ::tflite::BuiltinOptions type = ::tflite::BuiltinOptions::NONE;
  flatbuffers::Offset<void> table;  // null for NONE
};

// Serializes the options of builtin op `op` (BuiltinCodeForWriting succeeded) into `fbb`.
StatusOr<WrittenOptions> WriteBuiltinOptions(flatbuffers::FlatBufferBuilder& fbb, const ir::Op& op);

}  // namespace edgeforge::tflite
