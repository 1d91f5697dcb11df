#include "edgetpu/op_constraints.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace edgeforge::edgetpu::constraints {

namespace {

int InputAt(const ir::Op& op, size_t slot) {
  return slot < op.inputs.size() ? op.inputs[slot] : ir::kNoTensor;
}

const ir::Tensor* InputTensor(const ir::Graph& graph, const ir::Op& op, size_t slot) {
  int index = InputAt(op, slot);
  return index == ir::kNoTensor ? nullptr : &graph.tensor(index);
}

// Values of a constant int32/int64 input (axes, paddings, sizes, strides), or std::nullopt
// when the input is absent, not a constant, or of another type.
std::optional<std::vector<int64_t>> ConstantInts(const ir::Graph& graph, const ir::Op& op,
                                                 size_t slot) {
  const ir::Tensor* t = InputTensor(graph, op, slot);
  if (t == nullptr || !t->is_constant()) return std::nullopt;
  std::vector<int64_t> values;
  if (t->dtype == DType::kInt32) {
    for (int32_t v : t->values<int32_t>()) values.push_back(v);
  } else if (t->dtype == DType::kInt64) {
    for (int64_t v : t->values<int64_t>()) values.push_back(v);
  } else {
    return std::nullopt;
  }
  return values;
}

std::string NotConstant(const ir::Graph& graph, const ir::Op& op, size_t slot, const char* what) {
  int index = InputAt(op, slot);
  if (index == ir::kNoTensor) return std::string(what) + " (input " + std::to_string(slot) + ") is missing";
  return std::string(what) + " (input " + std::to_string(slot) + ", " +
         DescribeTensor(graph, index) + ") is not a compile-time int32/int64 constant";
}

// What an axis of a rank-`rank` tensor is in the Edge TPU's [y][x][z] view.
enum class AxisRole { kBatch, kY, kX, kZ };

AxisRole RoleOf(int axis, int rank) {
  if (axis == rank - 1) return AxisRole::kZ;
  if (axis == rank - 2) return AxisRole::kX;
  if (axis == rank - 3) return AxisRole::kY;
  return AxisRole::kBatch;
}

const char* RoleName(AxisRole role) {
  switch (role) {
    case AxisRole::kBatch: return "batch";
    case AxisRole::kY: return "y";
    case AxisRole::kX: return "x";
    case AxisRole::kZ: return "z";
  }
  return "?";
}

std::string AxisLabel(int axis, int rank) {
  return "axis " + std::to_string(axis) + " (" + RoleName(RoleOf(axis, rank)) + ")";
}

// Normalizes possibly negative axes against `rank`; std::nullopt with `error` set when one is
// out of range.
std::optional<std::vector<int>> NormalizeAxes(const std::vector<int64_t>& axes, int rank,
                                              std::string* error) {
  std::vector<int> out;
  for (int64_t a : axes) {
    int64_t normalized = a < 0 ? a + rank : a;
    if (normalized < 0 || normalized >= rank) {
      *error = "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank);
      return std::nullopt;
    }
    out.push_back(static_cast<int>(normalized));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Shared by the reductions (MEAN, SUM, REDUCE_MAX, REDUCE_MIN): reads the constant axes of
// input 1 against the shape of input 0 and returns the normalized axes, or a violation.
struct ReductionAxes {
  std::vector<int> axes;
  int rank = 0;
  Shape input_shape;
};

std::optional<ReductionAxes> ReadReductionAxes(const ir::Graph& graph, const ir::Op& op,
                                               std::string* violation) {
  const ir::Tensor* input = InputTensor(graph, op, 0);
  auto raw = ConstantInts(graph, op, 1);
  if (input == nullptr || !raw) {
    *violation = NotConstant(graph, op, 1, "the reduction axes");
    return std::nullopt;
  }
  ReductionAxes r;
  r.rank = static_cast<int>(input->shape.size());
  r.input_shape = input->shape;
  auto axes = NormalizeAxes(*raw, r.rank, violation);
  if (!axes) return std::nullopt;
  r.axes = std::move(*axes);
  return r;
}

Violation CheckDilation(int32_t dilation_w, int32_t dilation_h, bool allow_dilation) {
  if (!allow_dilation && (dilation_w != 1 || dilation_h != 1)) {
    return "dilation " + std::to_string(dilation_h) + "x" + std::to_string(dilation_w) +
           " (y x x); this runtime version supports no dilated depthwise kernels";
  }
  if (dilation_w != dilation_h) {
    return "dilation differs between x (" + std::to_string(dilation_w) + ") and y (" +
           std::to_string(dilation_h) + "); the Edge TPU needs the same dilation in both";
  }
  return std::nullopt;
}

// Filter (input 1) and bias (input `bias_slot`, optional) must be constants: the compiler
// bakes parameters into the Edge TPU executable.
Violation ConstantParameters(const ir::Graph& graph, const ir::Op& op, size_t filter_slot,
                             size_t bias_slot) {
  const ir::Tensor* filter = InputTensor(graph, op, filter_slot);
  if (filter == nullptr || !filter->is_constant()) {
    return "the filter (input " + std::to_string(filter_slot) + ") is not a compile-time constant";
  }
  int bias = InputAt(op, bias_slot);
  if (bias != ir::kNoTensor && !graph.tensor(bias).is_constant()) {
    return "the bias (input " + std::to_string(bias_slot) + ", " + DescribeTensor(graph, bias) +
           ") is not a compile-time constant";
  }
  return std::nullopt;
}

// Index of the first element of constant `t` whose real value is not 0: for 8-bit tensors a
// value other than the zero point, for wider types any non-zero byte.
std::optional<size_t> FirstNonZeroElement(const ir::Tensor& t) {
  if (t.dtype == DType::kInt8 || t.dtype == DType::kUInt8) {
    int64_t zero = t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
    for (size_t i = 0; i < t.data.size(); ++i) {
      int64_t q = t.dtype == DType::kInt8 ? static_cast<int8_t>(t.data[i]) : t.data[i];
      if (q != zero) return i;
    }
    return std::nullopt;
  }
  size_t element_size = DTypeSize(t.dtype);
  for (size_t i = 0; i < t.data.size(); ++i) {
    if (t.data[i] != 0) return i / element_size;
  }
  return std::nullopt;
}

// For ops whose options the reader could not express in the IR (std::monostate): the
// options use a feature outside what the Edge TPU documents.
std::string OptionsNotRepresentable(const ir::Op& op) {
  return "its options use a feature that " + ir::OpName(op) +
         " on the Edge TPU does not document (the IR keeps no options for it)";
}

}  // namespace

std::string DescribeTensor(const ir::Graph& graph, int tensor_index) {
  const ir::Tensor& t = graph.tensor(tensor_index);
  return "tensor " + std::to_string(tensor_index) + " '" + t.name + "' " + ShapeToString(t.shape);
}

Violation PoolWithoutActivation(const ir::Graph& graph, const ir::Op& op) {
  const auto* o = std::get_if<ir::Pool2DOptions>(&op.options);
  if (o == nullptr) return OptionsNotRepresentable(op);
  if (o->activation != ir::Activation::kNone) {
    return std::string("fused activation ") + ir::ActivationName(o->activation) +
           "; the Edge TPU pools only without a fused activation";
  }
  return std::nullopt;
}

Violation Concatenation(const ir::Graph& graph, const ir::Op& op) {
  const auto* o = std::get_if<ir::ConcatenationOptions>(&op.options);
  if (o == nullptr) return OptionsNotRepresentable(op);
  if (o->activation != ir::Activation::kNone) {
    return std::string("fused activation ") + ir::ActivationName(o->activation) +
           "; CONCATENATION maps only without a fused activation";
  }
  for (size_t slot = 0; slot < op.inputs.size(); ++slot) {
    int index = op.inputs[slot];
    if (index == ir::kNoTensor || !graph.tensor(index).is_constant()) continue;
    if (op.inputs.size() != 2) {
      return "input " + std::to_string(slot) + " (" + DescribeTensor(graph, index) +
             ") is a constant, which is allowed only with exactly 2 inputs (this op has " +
             std::to_string(op.inputs.size()) + ")";
    }
    const ir::Tensor& t = graph.tensor(index);
    if (auto element = FirstNonZeroElement(t)) {
      return "constant input " + std::to_string(slot) + " (" + DescribeTensor(graph, index) +
             ") is not all zeros (element " + std::to_string(*element) +
             "); only an all-zero constant (zero padding) maps";
    }
  }
  return std::nullopt;
}

Violation Conv2D(const ir::Graph& graph, const ir::Op& op) {
  const auto* o = std::get_if<ir::Conv2DOptions>(&op.options);
  if (o == nullptr) return OptionsNotRepresentable(op);
  if (auto v = CheckDilation(o->dilation_w, o->dilation_h, /*allow_dilation=*/true)) return v;
  return ConstantParameters(graph, op, 1, 2);
}

Violation DepthwiseConv2DWithoutDilation(const ir::Graph& graph, const ir::Op& op) {
  const auto* o = std::get_if<ir::DepthwiseConv2DOptions>(&op.options);
  if (o == nullptr) return OptionsNotRepresentable(op);
  if (auto v = CheckDilation(o->dilation_w, o->dilation_h, /*allow_dilation=*/false)) return v;
  return ConstantParameters(graph, op, 1, 2);
}

Violation DepthwiseConv2DSameDilation(const ir::Graph& graph, const ir::Op& op) {
  const auto* o = std::get_if<ir::DepthwiseConv2DOptions>(&op.options);
  if (o == nullptr) return OptionsNotRepresentable(op);
  if (auto v = CheckDilation(o->dilation_w, o->dilation_h, /*allow_dilation=*/true)) return v;
  return ConstantParameters(graph, op, 1, 2);
}

Violation FullyConnected(const ir::Graph& graph, const ir::Op& op) {
  // The reader keeps FULLY_CONNECTED as kUnsupportedBuiltin (no options) when its options use
  // what FullyConnectedOptions cannot hold, above all the shuffled 4x16 weights format.
  if (!std::holds_alternative<ir::FullyConnectedOptions>(op.options)) {
    return "its options use a feature outside FullyConnectedOptions (such as shuffled weights); "
           "only the default weights format is supported";
  }
  if (auto v = ConstantParameters(graph, op, 1, 2)) return v;
  for (int out : op.outputs) {
    const Shape& s = graph.tensor(out).shape;
    if (!s.empty() && NumElements(s) != s.back()) {
      return "output " + DescribeTensor(graph, out) +
             " is not one-dimensional (only its last dimension may exceed 1)";
    }
  }
  return std::nullopt;
}

Violation TransposeConv(const ir::Graph& graph, const ir::Op& op) {
  // TRANSPOSE_CONV inputs: output shape, filter, input, optional bias.
  return ConstantParameters(graph, op, 1, 3);
}

Violation ReduceOverXYOnly(const ir::Graph& graph, const ir::Op& op) {
  std::string violation;
  auto r = ReadReductionAxes(graph, op, &violation);
  if (!r) return violation;
  for (int axis : r->axes) {
    AxisRole role = RoleOf(axis, r->rank);
    if (role != AxisRole::kX && role != AxisRole::kY) {
      return "reduces " + AxisLabel(axis, r->rank) + " of " + ShapeToString(r->input_shape) +
             "; this runtime version reduces only along x and/or y";
    }
  }
  return std::nullopt;
}

Violation ReduceNoBatchZMultipleOf4(const ir::Graph& graph, const ir::Op& op) {
  std::string violation;
  auto r = ReadReductionAxes(graph, op, &violation);
  if (!r) return violation;
  for (int axis : r->axes) {
    AxisRole role = RoleOf(axis, r->rank);
    if (role == AxisRole::kBatch) {
      return "reduces the batch dimension (" + AxisLabel(axis, r->rank) + " of " +
             ShapeToString(r->input_shape) + ")";
    }
    if (role == AxisRole::kZ && r->input_shape[static_cast<size_t>(axis)] % 4 != 0) {
      return "reduces z (" + AxisLabel(axis, r->rank) + " of " + ShapeToString(r->input_shape) +
             ") whose size " + std::to_string(r->input_shape[static_cast<size_t>(axis)]) +
             " is not a multiple of 4";
    }
  }
  return std::nullopt;
}

Violation ReduceNoBatch(const ir::Graph& graph, const ir::Op& op) {
  std::string violation;
  auto r = ReadReductionAxes(graph, op, &violation);
  if (!r) return violation;
  for (int axis : r->axes) {
    if (RoleOf(axis, r->rank) == AxisRole::kBatch) {
      return "reduces the batch dimension (" + AxisLabel(axis, r->rank) + " of " +
             ShapeToString(r->input_shape) + ")";
    }
  }
  return std::nullopt;
}

namespace {

// PAD's paddings (input 1, [rank, 2]): the first padded axis whose role `allowed` rejects.
Violation CheckPaddedAxes(const ir::Graph& graph, const ir::Op& op, bool (*allowed)(AxisRole),
                          const char* rule) {
  const ir::Tensor* input = InputTensor(graph, op, 0);
  auto paddings = ConstantInts(graph, op, 1);
  if (input == nullptr || !paddings) return NotConstant(graph, op, 1, "the paddings");
  int rank = static_cast<int>(input->shape.size());
  if (paddings->size() != static_cast<size_t>(rank) * 2) {
    return "the paddings hold " + std::to_string(paddings->size()) + " values, expected " +
           std::to_string(rank * 2) + " for input " + ShapeToString(input->shape);
  }
  for (int axis = 0; axis < rank; ++axis) {
    int64_t before = (*paddings)[static_cast<size_t>(axis) * 2];
    int64_t after = (*paddings)[static_cast<size_t>(axis) * 2 + 1];
    if ((before != 0 || after != 0) && !allowed(RoleOf(axis, rank))) {
      return "pads " + AxisLabel(axis, rank) + " of " + ShapeToString(input->shape) + " by [" +
             std::to_string(before) + "," + std::to_string(after) + "]; " + rule;
    }
  }
  return std::nullopt;
}

}  // namespace

Violation PadXYOnly(const ir::Graph& graph, const ir::Op& op) {
  return CheckPaddedAxes(
      graph, op, [](AxisRole r) { return r == AxisRole::kX || r == AxisRole::kY; },
      "this runtime version pads only along x and/or y");
}

Violation PadNoBatch(const ir::Graph& graph, const ir::Op& op) {
  return CheckPaddedAxes(
      graph, op, [](AxisRole r) { return r != AxisRole::kBatch; },
      "the Edge TPU does not pad the batch dimension");
}

Violation PreluAlphaInnermost(const ir::Graph& graph, const ir::Op& op) {
  const ir::Tensor* alpha = InputTensor(graph, op, 1);
  if (alpha == nullptr || !alpha->is_constant()) {
    return "alpha (input 1) is not a compile-time constant";
  }
  if (!alpha->shape.empty() && NumElements(alpha->shape) != alpha->shape.back()) {
    return "alpha " + DescribeTensor(graph, op.inputs[1]) +
           " is not 1-dimensional (only its innermost dimension may exceed 1)";
  }
  return std::nullopt;
}

Violation Resize(const ir::Graph& graph, const ir::Op& op) {
  // The 3-D rule itself ([1,H,W,C] at most) is the model-wide rank rule, checked for every
  // op before its limitations; what is left is that the size is known when compiling.
  auto size = ConstantInts(graph, op, 1);
  if (!size) return NotConstant(graph, op, 1, "the output size");
  if (size->size() != 2) {
    return "the output size holds " + std::to_string(size->size()) + " values, expected 2";
  }
  return std::nullopt;
}

Violation Softmax(const ir::Graph& graph, const ir::Op& op) {
  constexpr int64_t kMaxElements = 16000;
  const ir::Tensor* input = InputTensor(graph, op, 0);
  if (input == nullptr) return std::string("the input is missing");
  const Shape& s = input->shape;
  if (!s.empty() && NumElements(s) != s.back()) {
    return "input " + DescribeTensor(graph, op.inputs[0]) +
           " is not 1-D (only its last dimension may exceed 1)";
  }
  if (NumElements(s) > kMaxElements) {
    return "input " + DescribeTensor(graph, op.inputs[0]) + " has " +
           std::to_string(NumElements(s)) + " elements, more than the 16,000 supported";
  }
  return std::nullopt;
}

Violation SplitNoBatch(const ir::Graph& graph, const ir::Op& op) {
  // SPLIT: input 0 is the axis, input 1 the tensor.
  const ir::Tensor* input = InputTensor(graph, op, 1);
  auto axis = ConstantInts(graph, op, 0);
  if (input == nullptr || !axis || axis->size() != 1) {
    return NotConstant(graph, op, 0, "the split axis");
  }
  int rank = static_cast<int>(input->shape.size());
  std::string error;
  auto normalized = NormalizeAxes(*axis, rank, &error);
  if (!normalized) return error;
  if (RoleOf((*normalized)[0], rank) == AxisRole::kBatch) {
    return "splits the batch dimension (" + AxisLabel((*normalized)[0], rank) + " of " +
           ShapeToString(input->shape) + ")";
  }
  return std::nullopt;
}

Violation SqueezeLeadingOnes(const ir::Graph& graph, const ir::Op& op) {
  const auto* o = std::get_if<ir::SqueezeOptions>(&op.options);
  const ir::Tensor* input = InputTensor(graph, op, 0);
  if (o == nullptr) return OptionsNotRepresentable(op);
  if (input == nullptr) return std::string("the input is missing");
  const Shape& s = input->shape;
  int rank = static_cast<int>(s.size());
  std::vector<int> squeezed;
  if (o->squeeze_dims.empty()) {
    for (int d = 0; d < rank; ++d) {
      if (s[static_cast<size_t>(d)] == 1) squeezed.push_back(d);
    }
  } else {
    std::string error;
    auto dims = NormalizeAxes(std::vector<int64_t>(o->squeeze_dims.begin(), o->squeeze_dims.end()),
                              rank, &error);
    if (!dims) return error;
    squeezed = *dims;
  }
  // A squeezed dimension behind one larger than 1 would need the data laid out anew.
  for (int d : squeezed) {
    for (int before = 0; before < d; ++before) {
      if (s[static_cast<size_t>(before)] > 1) {
        return "squeezes dimension " + std::to_string(d) + " of " + ShapeToString(s) +
               ", which follows dimension " + std::to_string(before) +
               " of size " + std::to_string(s[static_cast<size_t>(before)]) +
               "; this runtime version squeezes only leading 1s";
      }
    }
  }
  return std::nullopt;
}

Violation StridedSliceUnitStrides(const ir::Graph& graph, const ir::Op& op) {
  // STRIDED_SLICE inputs: tensor, begin, end, strides.
  auto strides = ConstantInts(graph, op, 3);
  if (!strides) return NotConstant(graph, op, 3, "the strides");
  for (size_t i = 0; i < strides->size(); ++i) {
    if ((*strides)[i] != 1) {
      return "stride " + std::to_string((*strides)[i]) + " on dimension " + std::to_string(i) +
             "; only strides of 1 map";
    }
  }
  return std::nullopt;
}

Violation TransposeKeepsBatch(const ir::Graph& graph, const ir::Op& op) {
  const ir::Tensor* input = InputTensor(graph, op, 0);
  auto perm = ConstantInts(graph, op, 1);
  if (input == nullptr || !perm) return NotConstant(graph, op, 1, "the permutation");
  int rank = static_cast<int>(input->shape.size());
  if (perm->size() != static_cast<size_t>(rank)) {
    return "the permutation holds " + std::to_string(perm->size()) + " values for rank " +
           std::to_string(rank);
  }
  for (int axis = 0; axis < rank; ++axis) {
    if (RoleOf(axis, rank) == AxisRole::kBatch && (*perm)[static_cast<size_t>(axis)] != axis) {
      return "moves the batch dimension (permutation puts axis " +
             std::to_string((*perm)[static_cast<size_t>(axis)]) + " at position " +
             std::to_string(axis) + " of " + ShapeToString(input->shape) + ")";
    }
  }
  return std::nullopt;
}

}  // namespace edgeforge::edgetpu::constraints
