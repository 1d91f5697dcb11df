#include "tflite/option_values.h"

#include <cmath>

namespace edgeforge::tflite {

namespace fb = ::tflite;

std::string CodeName(int32_t code) {
  const char* name = ir::BuiltinOperatorName(code);
  return *name ? std::string(name) : "BUILTIN_" + std::to_string(code);
}

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

Status CheckDimensionList(const char* field, size_t size) {
  if (size <= kMaxDimensionList) return Status::Ok();
  return InvalidArgument(std::string(field) + " has " + std::to_string(size) +
                         " entries, more than " + std::to_string(kMaxDimensionList));
}

Status Check(const ir::SoftmaxOptions& o) {
  if (std::isfinite(o.beta)) return Status::Ok();
  return InvalidArgument("softmax beta is not finite");
}

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

flatbuffers::Offset<void> EmptyTable(flatbuffers::FlatBufferBuilder& fbb) {
  const flatbuffers::uoffset_t start = fbb.StartTable();
  return flatbuffers::Offset<void>(fbb.EndTable(start));
}

}  // namespace edgeforge::tflite
