#include "onnx/export_context.h"

#include <cstring>

#include "core/check.h"
#include "onnx/layout.h"

namespace edgeforge::onnx_export {

int OnnxDataType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return ::onnx::TensorProto_DataType_FLOAT;
    case DType::kFloat16: return ::onnx::TensorProto_DataType_FLOAT16;
    case DType::kInt8: return ::onnx::TensorProto_DataType_INT8;
    case DType::kUInt8: return ::onnx::TensorProto_DataType_UINT8;
    case DType::kInt16: return ::onnx::TensorProto_DataType_INT16;
    case DType::kInt32: return ::onnx::TensorProto_DataType_INT32;
    case DType::kInt64: return ::onnx::TensorProto_DataType_INT64;
    case DType::kBool: return ::onnx::TensorProto_DataType_BOOL;
  }
  return ::onnx::TensorProto_DataType_UNDEFINED;
}

bool IsQuantized(const ir::Tensor& tensor) {
  return (tensor.dtype == DType::kInt8 || tensor.dtype == DType::kUInt8) && !tensor.quant.empty();
}

void SetAttribute(::onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_INT);
  a->set_i(value);
}

void SetAttribute(::onnx::NodeProto& node, const std::string& name, float value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_FLOAT);
  a->set_f(value);
}

void SetAttribute(::onnx::NodeProto& node, const std::string& name, const std::string& value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_STRING);
  a->set_s(value);
}

void SetAttribute(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto_AttributeType_INTS);
  for (int64_t v : values) a->add_ints(v);
}

ExportContext::ExportContext(const ir::Graph& graph, ::onnx::GraphProto& out, const ExportOptions& options)
    : graph_(graph),
      out_(out),
      options_(options),
      values_(graph.tensors.size()),
      constant_source_(graph.tensors.size(), -1),
      folded_ops_(graph.ops.size(), false),
      is_graph_output_(graph.tensors.size(), false) {
  for (int o : graph.outputs) {
    if (o >= 0 && static_cast<size_t>(o) < graph.tensors.size()) is_graph_output_[static_cast<size_t>(o)] = true;
  }
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    if (graph.tensors[i].is_constant()) constant_source_[i] = static_cast<int>(i);
  }
  // DEQUANTIZE of a constant (float16 or int8 weights) is done at export: its output becomes a
  // float initializer (or an integer one behind DequantizeLinear), which is what ORT fuses.
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const ir::Op& op = graph.ops[i];
    if (op.type != ir::OpType::kDequantize || op.inputs.size() != 1 || op.outputs.size() != 1) continue;
    const int in = op.inputs[0], out_index = op.outputs[0];
    if (in < 0 || out_index < 0 || !graph.tensor(in).is_constant()) continue;
    constant_source_[static_cast<size_t>(out_index)] = in;
    folded_ops_[i] = true;
  }
}

std::string ExportContext::NewName(const std::string& base) {
  const std::string stem = base.empty() ? "value" : base;
  if (used_names_.insert(stem).second) return stem;
  int& next = next_suffix_[stem];
  while (true) {
    std::string name = stem + "__" + std::to_string(++next);
    if (used_names_.insert(name).second) return name;
  }
}

bool ExportContext::ReserveName(const std::string& name) { return used_names_.insert(name).second; }

::onnx::NodeProto& ExportContext::AddNode(const std::string& op_type, const std::vector<std::string>& inputs,
                                          const std::vector<std::string>& outputs) {
  ::onnx::NodeProto* node = out_.add_node();
  node->set_op_type(op_type);
  node->set_name(NewName(op_type + ":" + (outputs.empty() ? std::string() : outputs[0])));
  for (const std::string& i : inputs) node->add_input(i);
  for (const std::string& o : outputs) node->add_output(o);
  return *node;
}

std::string ExportContext::AddNode1(const std::string& op_type, const std::vector<std::string>& inputs,
                                    const std::string& base, ::onnx::NodeProto** node) {
  const std::string out = NewName(base);
  ::onnx::NodeProto& n = AddNode(op_type, inputs, {out});
  if (node != nullptr) *node = &n;
  return out;
}

std::string ExportContext::AddInitializer(const std::string& base, DType dtype, const std::vector<int64_t>& dims,
                                          const std::vector<uint8_t>& bytes) {
  const std::string name = NewName(base);
  ::onnx::TensorProto* t = out_.add_initializer();
  t->set_name(name);
  t->set_data_type(OnnxDataType(dtype));
  for (int64_t d : dims) t->add_dims(d);
  // raw_data is little-endian, which is what TFLite buffers hold too.
  t->set_raw_data(bytes.data(), bytes.size());
  return name;
}

std::string ExportContext::Int64Initializer(const std::string& base, const std::vector<int64_t>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(int64_t));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return AddInitializer(base, DType::kInt64, {static_cast<int64_t>(values.size())}, bytes);
}

std::string ExportContext::FloatScalar(const std::string& base, float value) {
  std::vector<uint8_t> bytes(sizeof(float));
  std::memcpy(bytes.data(), &value, sizeof(float));
  return AddInitializer(base, DType::kFloat32, {}, bytes);
}

std::pair<std::string, std::string> ExportContext::ScaleAndZeroPoint(const QuantParams& quant, DType dtype,
                                                                     const std::string& base, bool per_channel) {
  const size_t n = per_channel ? quant.scale.size() : 1;
  std::vector<uint8_t> scale_bytes(n * sizeof(float));
  std::memcpy(scale_bytes.data(), quant.scale.data(), scale_bytes.size());
  const size_t zp_size = DTypeSize(dtype);
  std::vector<uint8_t> zp_bytes(n * zp_size);
  for (size_t i = 0; i < n; ++i) {
    // TFLite may store one zero point for many scales (symmetric weights): repeat it.
    const int64_t zp = quant.zero_point.empty() ? 0 : quant.zero_point[std::min(i, quant.zero_point.size() - 1)];
    if (dtype == DType::kInt8) {
      const int8_t v = static_cast<int8_t>(zp);
      std::memcpy(&zp_bytes[i], &v, 1);
    } else if (dtype == DType::kUInt8) {
      zp_bytes[i] = static_cast<uint8_t>(zp);
    } else {
      const int32_t v = static_cast<int32_t>(zp);
      std::memcpy(&zp_bytes[i * 4], &v, 4);
    }
  }
  const std::vector<int64_t> dims = per_channel ? std::vector<int64_t>{static_cast<int64_t>(n)} : std::vector<int64_t>{};
  return {AddInitializer(base + "/scale", DType::kFloat32, dims, scale_bytes),
          AddInitializer(base + "/zero_point", dtype, dims, zp_bytes)};
}

std::string ExportContext::DequantizeLinear(const std::string& value, const QuantParams& quant, DType dtype,
                                            int64_t axis, const std::string& base) {
  const bool per_channel = quant.per_channel();
  auto [scale, zero_point] = ScaleAndZeroPoint(quant, dtype, base, per_channel);
  ::onnx::NodeProto* node = nullptr;
  const std::string out = AddNode1("DequantizeLinear", {value, scale, zero_point}, base + "/dequantized", &node);
  if (per_channel) SetAttribute(*node, "axis", axis);
  return out;
}

StatusOr<std::string> ExportContext::Constant(const ConstantData& data, const std::string& base) {
  if (data.dtype == DType::kFloat16) return AddInitializer(base, DType::kFloat32, data.dims, WidenHalf(data).bytes);
  const bool integer_weights = data.dtype == DType::kInt8 || data.dtype == DType::kUInt8 || data.dtype == DType::kInt32;
  if (data.quant.empty() || !integer_weights) {
    return AddInitializer(base, data.dtype, data.dims, data.bytes);
  }
  if (data.quant.per_channel()) {
    const auto axis = static_cast<size_t>(data.quant.quantized_dimension);
    if (axis >= data.dims.size() || data.dims[axis] != static_cast<int64_t>(data.quant.scale.size())) {
      return InvalidArgument("constant '" + base + "' has " + std::to_string(data.quant.scale.size()) +
                             " scales, which do not match its dimension " + std::to_string(axis));
    }
  }
  const std::string raw = AddInitializer(base + "/quantized", data.dtype, data.dims, data.bytes);
  return DequantizeLinear(raw, data.quant, data.dtype, data.quant.quantized_dimension, base);
}

const ir::Tensor* ExportContext::ConstantSource(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= constant_source_.size()) return nullptr;
  const int source = constant_source_[static_cast<size_t>(index)];
  return source < 0 ? nullptr : &graph_.tensor(source);
}

bool ExportContext::IsFolded(size_t op_index) const { return folded_ops_.at(op_index); }

StatusOr<std::string> ExportContext::Operand(int index) {
  if (index < 0 || static_cast<size_t>(index) >= values_.size()) {
    return InvalidArgument("tensor index " + std::to_string(index) + " is out of range");
  }
  const ir::Tensor& t = tensor(index);
  if (const ir::Tensor* source = ConstantSource(index)) {
    auto cached = constant_operands_.find(index);
    if (cached != constant_operands_.end()) return cached->second;
    ConstantData data = FromTensor(*source);
    if (data.dims.size() == 4) data = Permute(data, kNhwcToNchw);
    EF_ASSIGN_OR_RETURN(std::string value, Constant(data, t.name.empty() ? "constant" : t.name));
    constant_operands_[index] = value;
    return value;
  }
  TensorValue& v = values_[static_cast<size_t>(index)];
  if (v.stored.empty()) {
    return FailedPrecondition("tensor " + std::to_string(index) + " '" + t.name +
                              "' is read before any op produces it");
  }
  if (v.real.empty()) {
    // Only quantized tensors get here: their float value is made when first read.
    v.real = DequantizeLinear(v.stored, v.stored_quant, v.stored_dtype, 0, t.name);
  }
  return v.real;
}

StatusOr<std::string> ExportContext::BroadcastOperand(int index, size_t out_rank) {
  const ir::Tensor& t = tensor(index);
  const size_t r = t.shape.size();
  // Single elements broadcast the same way in any layout.
  if (out_rank != 4 || r >= 4 || NumElements(t.shape) == 1) return Operand(index);
  std::vector<int64_t> nhwc(4 - r, 1);
  nhwc.insert(nhwc.end(), t.shape.begin(), t.shape.end());
  if (const ir::Tensor* source = ConstantSource(index)) {
    ConstantData data = Permute(Reshaped(FromTensor(*source), nhwc), kNhwcToNchw);
    return Constant(data, t.name.empty() ? "constant" : t.name);
  }
  EF_ASSIGN_OR_RETURN(std::string value, Operand(index));
  return Transpose(Reshape(value, nhwc), kNhwcToNchw);
}

Status ExportContext::Define(int index, const std::string& value) {
  if (index < 0 || static_cast<size_t>(index) >= values_.size()) {
    return InvalidArgument("tensor index " + std::to_string(index) + " is out of range");
  }
  const ir::Tensor& t = tensor(index);
  TensorValue& v = values_[static_cast<size_t>(index)];
  if (!v.stored.empty()) {
    return InvalidArgument("tensor " + std::to_string(index) + " '" + t.name + "' is produced twice");
  }
  if (!IsQuantized(t)) {
    if (!t.quant.empty() && t.dtype != DType::kFloat32) {
      return Unimplemented("tensor '" + t.name + "': quantized " + DTypeName(t.dtype) +
                           " activations have no QDQ form here (int8 and uint8 only)");
    }
    v.stored = v.real = value;
    return Status::Ok();
  }
  if (t.quant.per_channel()) {
    return Unimplemented("tensor '" + t.name + "': per-channel quantized activations are not supported");
  }
  // int8 activations inside the graph are stored as uint8 with the zero point moved by 128: the
  // same real values and the same rounding (the integers just shift), but the form ORT's x86
  // kernels run (u8 activations, s8 weights). ORT converts int8 Q/DQ pairs itself, but not those
  // of a tensor with several readers, whose ops then fall back to float. Graph outputs keep
  // their dtype, so the bytes a user reads are the model's.
  v.stored_dtype = t.dtype;
  v.stored_quant = t.quant;
  if (t.dtype == DType::kInt8 && !is_graph_output_[static_cast<size_t>(index)]) {
    v.stored_dtype = DType::kUInt8;
    if (v.stored_quant.zero_point.empty()) v.stored_quant.zero_point = {0};
    for (int64_t& zp : v.stored_quant.zero_point) zp += 128;
  }
  auto [scale, zero_point] = ScaleAndZeroPoint(v.stored_quant, v.stored_dtype, t.name, false);
  v.stored = AddNode1("QuantizeLinear", {value, scale, zero_point}, t.name + "/quantized");
  return Status::Ok();
}

StatusOr<std::string> ExportContext::Stored(int index) const {
  const TensorValue& v = values_.at(static_cast<size_t>(index));
  if (v.stored.empty()) {
    return FailedPrecondition("tensor " + std::to_string(index) + " '" + tensor(index).name +
                              "' is never produced");
  }
  return v.stored;
}

StatusOr<std::string> ExportContext::RawIntegers(int index) {
  const ir::Tensor& t = tensor(index);
  if (!IsQuantized(t) || t.quant.per_channel()) {
    return InvalidArgument("tensor '" + t.name + "' is not quantized per tensor");
  }
  EF_ASSIGN_OR_RETURN(const std::string stored, Stored(index));
  std::string raw = Cast(stored, ::onnx::TensorProto_DataType_FLOAT, t.name + "/raw");
  const TensorValue& v = values_.at(static_cast<size_t>(index));
  if (v.stored_dtype != t.dtype) {  // int8 stored as uint8, 128 higher (see Define)
    raw = AddNode1("Sub", {raw, FloatScalar(t.name + "/128", 128.0f)}, t.name + "/raw_int8");
  }
  return raw;
}

bool ExportContext::StoredAsUint8(int index) const {
  const TensorValue& v = values_.at(static_cast<size_t>(index));
  return !v.stored.empty() && IsQuantized(tensor(index)) && v.stored_dtype == DType::kUInt8 &&
         !v.stored_quant.per_channel();
}

StatusOr<std::string> ExportContext::StoredUint8(int index, int64_t* zero_point) const {
  if (!StoredAsUint8(index)) {
    return Internal("tensor '" + tensor(index).name + "' is not stored as uint8 per tensor");
  }
  const TensorValue& v = values_.at(static_cast<size_t>(index));
  *zero_point = v.stored_quant.zero_point.empty() ? 0 : v.stored_quant.zero_point[0];
  return v.stored;
}

Status ExportContext::DefineFromIntegers(int index, const std::string& q) {
  const ir::Tensor& t = tensor(index);
  if (!IsQuantized(t) || t.quant.per_channel()) {
    return InvalidArgument("tensor '" + t.name + "' is not quantized per tensor");
  }
  // (q - zp) * scale, which QuantizeLinear divides by the same scale and rounds: within a few
  // float ulps of the integer q - zp, so it gives q back.
  const std::string base = t.name + "/from_integers";
  const float zp = t.quant.zero_point.empty() ? 0.0f : static_cast<float>(t.quant.zero_point[0]);
  const std::string centred = AddNode1("Sub", {q, FloatScalar(base + "/zero_point", zp)}, base + "/centred");
  return Define(index, AddNode1("Mul", {centred, FloatScalar(base + "/scale", t.quant.scale[0])}, base));
}

Status ExportContext::DefineGraphInput(int index, const std::string& name) {
  const ir::Tensor& t = tensor(index);
  if (t.is_constant()) return InvalidArgument("graph input '" + t.name + "' is a constant");
  if (OnnxDataType(t.dtype) == ::onnx::TensorProto_DataType_UNDEFINED) {
    return Unimplemented("graph input '" + t.name + "' has dtype " + DTypeName(t.dtype));
  }
  ::onnx::ValueInfoProto* info = out_.add_input();
  info->set_name(name);
  auto* type = info->mutable_type()->mutable_tensor_type();
  type->set_elem_type(OnnxDataType(t.dtype));
  for (int32_t d : t.shape) type->mutable_shape()->add_dim()->set_dim_value(d);

  TensorValue& v = values_[static_cast<size_t>(index)];
  v.stored = t.shape.size() == 4 ? Transpose(name, kNhwcToNchw) : name;
  v.stored_dtype = t.dtype;
  v.stored_quant = t.quant;
  if (!IsQuantized(t)) {
    v.real = v.stored;
  } else if (t.quant.per_channel()) {
    return Unimplemented("graph input '" + t.name + "' is quantized per channel");
  }
  return Status::Ok();
}

StatusOr<std::string> ExportContext::OperandInNhwcOrder(int index) {
  EF_ASSIGN_OR_RETURN(std::string value, Operand(index));
  const Shape& shape = tensor(index).shape;
  if (shape.size() != 4 || static_cast<int64_t>(shape[1]) * shape[2] == 1) return value;
  return Transpose(value, kNchwToNhwc);
}

std::string ExportContext::FromNhwcOrder(const std::string& value, const Shape& shape) {
  if (shape.size() != 4) return Reshape(value, std::vector<int64_t>(shape.begin(), shape.end()));
  if (static_cast<int64_t>(shape[1]) * shape[2] == 1) return Reshape(value, {shape[0], shape[3], 1, 1});
  return Transpose(Reshape(value, {shape[0], shape[1], shape[2], shape[3]}), kNhwcToNchw);
}

std::string ExportContext::Transpose(const std::string& value, const std::vector<int64_t>& perm) {
  ::onnx::NodeProto* node = nullptr;
  const std::string out = AddNode1("Transpose", {value}, value + "/transposed", &node);
  SetAttribute(*node, "perm", perm);
  return out;
}

std::string ExportContext::Reshape(const std::string& value, const std::vector<int64_t>& dims) {
  const std::string shape = Int64Initializer(value + "/shape", dims);
  return AddNode1("Reshape", {value, shape}, value + "/reshaped");
}

std::string ExportContext::Cast(const std::string& value, int onnx_type, const std::string& base) {
  ::onnx::NodeProto* node = nullptr;
  const std::string y = AddNode1("Cast", {value}, base, &node);
  SetAttribute(*node, "to", static_cast<int64_t>(onnx_type));
  return y;
}

StatusOr<std::string> ExportContext::ApplyActivation(const std::string& value, ir::Activation activation) {
  switch (activation) {
    case ir::Activation::kNone:
      return value;
    case ir::Activation::kRelu:
      return AddNode1("Relu", {value}, value + "/relu");
    case ir::Activation::kRelu6:
      return AddNode1("Clip", {value, FloatScalar(value + "/min", 0.0f), FloatScalar(value + "/max", 6.0f)},
                      value + "/relu6");
    case ir::Activation::kReluN1To1:
      return AddNode1("Clip", {value, FloatScalar(value + "/min", -1.0f), FloatScalar(value + "/max", 1.0f)},
                      value + "/relu_n1_to_1");
    case ir::Activation::kTanh:
      return AddNode1("Tanh", {value}, value + "/tanh");
    case ir::Activation::kSignBit:
      break;
  }
  return Unimplemented(std::string("fused activation ") + ir::ActivationName(activation) + " has no ONNX mapping");
}

}  // namespace edgeforge::onnx_export
