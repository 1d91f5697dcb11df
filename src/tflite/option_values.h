// Values inside TFLite options tables: conversions between the schema's enums and the IR's,
// and the rules option values must satisfy. Shared by op_options.cc and pass_through.cc, and so
// by the reader and the writer alike.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "edgeforge/status.h"
#include "ir/op.h"
#include "tflite/tflite_schema_generated.h"

namespace edgeforge::tflite {

// "CONV_2D", or "BUILTIN_<code>" for codes newer than our schema.
std::string CodeName(int32_t code);

StatusOr<ir::Activation> ToActivation(::tflite::ActivationFunctionType a);
StatusOr<::tflite::ActivationFunctionType> FromActivation(ir::Activation a);
StatusOr<ir::Padding> ToPadding(::tflite::Padding p);
::tflite::Padding FromPadding(ir::Padding p);

// Strides, dilations, filter sizes and split counts divide or bound loops in the kernels:
// zero or negative values would crash them, so neither side lets one through.
Status CheckAtLeastOne(const char* field, int32_t value);
Status Check(const ir::Conv2DOptions& o);
Status Check(const ir::DepthwiseConv2DOptions& o);
Status Check(const ir::Pool2DOptions& o);
Status Check(const ir::SplitOptions& o);
Status Check(const ir::SoftmaxOptions& o);

// RESHAPE's new_shape and SQUEEZE's squeeze_dims list dimensions; more than any tensor has is
// a corrupt file (and, since many ops may share one vector, a way to make the reader copy
// without end).
inline constexpr size_t kMaxDimensionList = 64;
Status CheckDimensionList(const char* field, size_t size);

// ARG_MAX / ARG_MIN / SHAPE output types: only int32 and int64 exist.
StatusOr<bool> OutputIsInt64(::tflite::TensorType type);
::tflite::TensorType OutputType(const ir::ArgMaxOptions& o);

// Writes an options table without fields (the union member is given separately).
flatbuffers::Offset<void> EmptyTable(flatbuffers::FlatBufferBuilder& fbb);

// The op's options as T: default-constructed when the op has none, an error when it holds
// another options struct.
template <typename T>
StatusOr<T> OptionsOrDefault(const ir::Op& op, const char* struct_name) {
  if (std::holds_alternative<std::monostate>(op.options)) return T{};
  if (const T* options = std::get_if<T>(&op.options)) return *options;
  return InvalidArgument(std::string("options are not ") + struct_name);
}

}  // namespace edgeforge::tflite
