#include "runtime/ops/shape_ops_util.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace edgeforge::runtime::ops::shape_util {

std::string Describe(const char* role, size_t index, const RtTensor& t) {
  return std::string(role) + " " + std::to_string(index) + " '" + t.name() + "' (" +
         DTypeName(t.dtype()) + " " + ShapeToString(t.shape()) + ")";
}

Status CheckArity(OpContext& ctx, size_t min_inputs, size_t max_inputs, size_t outputs) {
  if (ctx.num_inputs() < min_inputs || ctx.num_inputs() > max_inputs) {
    const std::string expected = min_inputs == max_inputs
                                     ? std::to_string(min_inputs)
                                     : std::to_string(min_inputs) + " to " + std::to_string(max_inputs);
    return ctx.Error("expected " + expected + " inputs, got " + std::to_string(ctx.num_inputs()));
  }
  for (size_t i = 0; i < min_inputs; ++i) {
    if (ctx.input(i) == nullptr) return ctx.Error("input " + std::to_string(i) + " is missing");
  }
  if (ctx.num_outputs() != outputs) {
    return ctx.Error("expected " + std::to_string(outputs) + " outputs, got " +
                     std::to_string(ctx.num_outputs()));
  }
  for (size_t i = 0; i < outputs; ++i) {
    if (ctx.output(i) == nullptr) {
      return ctx.Error("output " + std::to_string(i) + " is missing");
    }
  }
  return Status::Ok();
}

bool IsQuantized8(DType dtype) { return dtype == DType::kInt8 || dtype == DType::kUInt8; }

Status CheckPerTensorQuant(const OpContext& ctx, const char* role, size_t index, const RtTensor& t) {
  if (!IsQuantized8(t.dtype())) return Status::Ok();
  const QuantParams& q = t.quant();
  if (q.empty()) {
    return ctx.Error(Describe(role, index, t) + " has no quantization parameters");
  }
  if (q.per_channel()) {
    return ctx.UnsupportedError(Describe(role, index, t) +
                                " is quantized per channel; only per-tensor is supported here");
  }
  const float scale = q.scale[0];
  if (!(std::isfinite(scale) && scale > 0)) {
    return ctx.Error(Describe(role, index, t) + " has invalid scale " + std::to_string(scale));
  }
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  const int64_t lo = t.dtype() == DType::kInt8 ? -128 : 0;
  const int64_t hi = t.dtype() == DType::kInt8 ? 127 : 255;
  if (zp < lo || zp > hi) {
    return ctx.Error(Describe(role, index, t) + " has zero point " + std::to_string(zp) +
                     " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return Status::Ok();
}

float Scale(const RtTensor& t) { return t.quant().empty() ? 1.0f : t.quant().scale[0]; }

int32_t ZeroPoint(const RtTensor& t) {
  const QuantParams& q = t.quant();
  return q.zero_point.empty() ? 0 : static_cast<int32_t>(q.zero_point[0]);
}

Status CheckSameQuant(const OpContext& ctx, const RtTensor& input, const RtTensor& output) {
  if (input.quant() == output.quant()) return Status::Ok();
  // Tensors written by different tools may spell "zero point 0" with or without the entry.
  if (IsQuantized8(input.dtype()) && !input.quant().empty() && !output.quant().empty() &&
      !input.quant().per_channel() && !output.quant().per_channel() &&
      Scale(input) == Scale(output) && ZeroPoint(input) == ZeroPoint(output)) {
    return Status::Ok();
  }
  return ctx.Error("input '" + input.name() + "' (" + QuantToString(input.quant()) +
                   ") and output '" + output.name() + "' (" + QuantToString(output.quant()) +
                   ") must have the same quantization: this op copies bytes");
}

StatusOr<std::vector<int64_t>> ConstantInts(const OpContext& ctx, size_t input_index,
                                            const char* what) {
  const RtTensor* t = ctx.input(input_index);
  if (t == nullptr) {
    return ctx.Error(std::string(what) + " (input " + std::to_string(input_index) + ") is missing");
  }
  if (!t->is_constant()) {
    return ctx.UnsupportedError(std::string(what) + " " + Describe("input", input_index, *t) +
                                " must be a constant tensor");
  }
  const ir::Tensor& desc = *t->desc;
  const size_t count = static_cast<size_t>(t->num_elements());
  std::vector<int64_t> values(count);
  if (t->dtype() == DType::kInt32 && desc.data.size() == count * 4) {
    for (size_t i = 0; i < count; ++i) {
      int32_t v;
      std::memcpy(&v, desc.data.data() + 4 * i, 4);
      values[i] = v;
    }
  } else if (t->dtype() == DType::kInt64 && desc.data.size() == count * 8) {
    for (size_t i = 0; i < count; ++i) std::memcpy(&values[i], desc.data.data() + 8 * i, 8);
  } else if (t->dtype() != DType::kInt32 && t->dtype() != DType::kInt64) {
    return ctx.Error(std::string(what) + " " + Describe("input", input_index, *t) +
                     " must be int32 or int64");
  } else {
    return ctx.Error(std::string(what) + " " + Describe("input", input_index, *t) + " holds " +
                     std::to_string(desc.data.size()) + " bytes, expected " +
                     std::to_string(count * DTypeSize(t->dtype())));
  }
  return values;
}

StatusOr<int> NormalizeAxis(const OpContext& ctx, int64_t axis, int rank, const char* what) {
  if (axis < -rank || axis >= rank) {
    return ctx.Error(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
                     std::to_string(rank) + " (expected [" + std::to_string(-rank) + ", " +
                     std::to_string(rank - 1) + "])");
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace edgeforge::runtime::ops::shape_util
