#include "onnx/export.h"

#include <cmath>
#include <limits>

#include "core/file.h"
#include "ir/verifier.h"
#include "onnx/layout.h"
#include "onnx/op_exporters.h"
#include "tflite/reader.h"

namespace edgeforge::onnx_export {

namespace {

using Exporter = Status (*)(ExportContext&, const ir::Op&);

// The exporter of each op type; null for those without an ONNX mapping.
Exporter ExporterFor(ir::OpType type) {
  using ir::OpType;
  switch (type) {
    case OpType::kConv2D: return ExportConv2D;
    case OpType::kDepthwiseConv2D: return ExportDepthwiseConv2D;
    case OpType::kFullyConnected: return ExportFullyConnected;
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D: return ExportPool2D;
    case OpType::kMean: return ExportMean;
    case OpType::kAdd:
    case OpType::kSub:
    case OpType::kMul: return ExportBinary;
    case OpType::kLogistic:
    case OpType::kTanh:
    case OpType::kRelu:
    case OpType::kRelu6:
    case OpType::kHardSwish: return ExportUnary;
    case OpType::kSoftmax: return ExportSoftmax;
    case OpType::kL2Normalization: return ExportL2Normalization;
    case OpType::kQuantize:
    case OpType::kDequantize: return ExportQuantize;
    case OpType::kCast: return ExportCast;
    case OpType::kReshape:
    case OpType::kSqueeze: return ExportReshape;
    case OpType::kConcatenation: return ExportConcatenation;
    case OpType::kPad: return ExportPad;
    case OpType::kResizeBilinear:
    case OpType::kResizeNearestNeighbor: return ExportResize;
    case OpType::kSplit: return ExportSplit;
    case OpType::kArgMax: return ExportArgMax;
    case OpType::kBatchNorm:
    case OpType::kDropout:
    case OpType::kUnsupportedBuiltin:
    case OpType::kCustom: return nullptr;
  }
  return nullptr;
}

std::string OpWhere(const std::string& source, size_t index, const ir::Op& op) {
  return source + ": op " + std::to_string(index) + " (" + ir::OpName(op) + ")";
}

// Every op must have an exporter; checked before anything is built so the error names the first
// offending op rather than a half-built graph.
Status CheckOpsExportable(const ir::Graph& graph, const std::string& source) {
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const ir::Op& op = graph.ops[i];
    if (ExporterFor(op.type) != nullptr) continue;
    std::string why = "has no ONNX export";
    if (op.type == ir::OpType::kBatchNorm || op.type == ir::OpType::kDropout) {
      why += " (a training-form op: fold batch norm and drop dropout first)";
    } else if (op.type == ir::OpType::kCustom) {
      why += " (custom ops, such as an Edge TPU compiled model's, have no ONNX equivalent)";
    }
    return Unimplemented(OpWhere(source, i, op) + " " + why);
  }
  return Status::Ok();
}

// What ONNX's QuantizeLinear/DequantizeLinear need of the quantization parameters, and constant
// bytes that match their shape: the reader guarantees both for files, graphs built in memory
// are checked here so that they fail with a message instead of a broken model.
Status CheckTensors(const ir::Graph& graph, const std::string& source) {
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    const ir::Tensor& t = graph.tensors[i];
    const std::string where = source + ": tensor " + std::to_string(i) + " '" + t.name + "'";
    for (int32_t d : t.shape) {
      if (d < 0) return InvalidArgument(where + " has shape " + ShapeToString(t.shape) + " with a negative dimension");
    }
    if (t.is_constant() && t.data.size() != t.byte_size()) {
      return InvalidArgument(where + " holds " + std::to_string(t.data.size()) + " bytes, its shape " +
                             ShapeToString(t.shape) + " " + DTypeName(t.dtype) + " needs " + std::to_string(t.byte_size()));
    }
    const QuantParams& q = t.quant;
    if (q.empty()) continue;
    if (!q.zero_point.empty() && q.zero_point.size() != 1 && q.zero_point.size() != q.scale.size()) {
      return InvalidArgument(where + " has " + std::to_string(q.scale.size()) + " scales but " +
                             std::to_string(q.zero_point.size()) + " zero points");
    }
    for (float s : q.scale) {
      if (!(s > 0.0f) || !std::isfinite(s)) return InvalidArgument(where + " has scale " + std::to_string(s) + ", expected > 0");
    }
    // Only these become QuantizeLinear/DequantizeLinear (int32: biases, whose zero point ONNX
    // requires to be 0).
    if (t.dtype != DType::kInt8 && t.dtype != DType::kUInt8 && t.dtype != DType::kInt32) continue;
    const int64_t lo = t.dtype == DType::kInt8 ? -128 : 0;
    const int64_t hi = t.dtype == DType::kInt8 ? 127 : t.dtype == DType::kUInt8 ? 255 : 0;
    for (int64_t zp : q.zero_point) {
      if (zp < lo || zp > hi) {
        return InvalidArgument(where + " has zero point " + std::to_string(zp) + ", outside [" + std::to_string(lo) +
                               ", " + std::to_string(hi) + "] for " + DTypeName(t.dtype));
      }
    }
  }
  return Status::Ok();
}

// The name a graph input or output keeps in ONNX: its TFLite name when free.
std::string InterfaceName(ExportContext& ctx, const ir::Tensor& t, int index) {
  const std::string name = t.name.empty() ? "tensor_" + std::to_string(index) : t.name;
  return ctx.ReserveName(name) ? name : ctx.NewName(name);
}

Status AddGraphOutput(ExportContext& ctx, ::onnx::GraphProto& graph, int index, const std::string& name) {
  const ir::Tensor& t = ctx.tensor(index);
  if (ctx.ConstantSource(index) != nullptr) {
    return Unimplemented("graph output '" + t.name + "' is a constant");
  }
  EF_ASSIGN_OR_RETURN(std::string stored, ctx.Stored(index));
  if (t.shape.size() == 4) {
    ::onnx::NodeProto& node = ctx.AddNode("Transpose", {stored}, {name});
    SetAttribute(node, "perm", kNchwToNhwc);
  } else {
    ctx.AddNode("Identity", {stored}, {name});
  }
  ::onnx::ValueInfoProto* info = graph.add_output();
  info->set_name(name);
  auto* type = info->mutable_type()->mutable_tensor_type();
  type->set_elem_type(OnnxDataType(t.dtype));
  for (int32_t d : t.shape) type->mutable_shape()->add_dim()->set_dim_value(d);
  return Status::Ok();
}

void AddMetadata(const ir::Graph& graph, const std::string& source, ::onnx::ModelProto& model) {
  model.set_doc_string("exported by edgeforge from " + source);
  if (!graph.metadata.labels.empty()) {
    std::string labels;
    for (const std::string& l : graph.metadata.labels) labels += l + "\n";
    auto* entry = model.add_metadata_props();
    entry->set_key("labels");
    entry->set_value(labels);
  }
  if (!graph.metadata.description.empty()) {
    auto* entry = model.add_metadata_props();
    entry->set_key("description");
    entry->set_value(graph.metadata.description);
  }
}

}  // namespace

StatusOr<::onnx::ModelProto> ExportModel(const ir::Graph& graph, const std::string& source,
                                         const ExportOptions& options) {
  EF_RETURN_IF_ERROR(CheckOpsExportable(graph, source));
  EF_RETURN_IF_ERROR(ir::Verify(graph, source));
  EF_RETURN_IF_ERROR(CheckTensors(graph, source));

  ::onnx::ModelProto model;
  model.set_ir_version(::onnx::IR_VERSION);
  model.set_producer_name("edgeforge");
  model.set_producer_version("0.1.0");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpsetVersion);
  ::onnx::GraphProto& onnx_graph = *model.mutable_graph();
  onnx_graph.set_name(graph.metadata.name.empty() ? "edgeforge" : graph.metadata.name);
  AddMetadata(graph, source, model);

  ExportContext ctx(graph, onnx_graph, options);
  // Interface names first, so internal values never take them.
  std::vector<std::string> input_names, output_names;
  for (int i : graph.inputs) input_names.push_back(InterfaceName(ctx, graph.tensor(i), i));
  for (int o : graph.outputs) output_names.push_back(InterfaceName(ctx, graph.tensor(o), o));

  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    EF_RETURN_IF_ERROR(ctx.DefineGraphInput(graph.inputs[i], input_names[i]).WithContext(source));
  }
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    if (ctx.IsFolded(i)) continue;
    const ir::Op& op = graph.ops[i];
    EF_RETURN_IF_ERROR(ExporterFor(op.type)(ctx, op).WithContext(OpWhere(source, i, op)));
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    EF_RETURN_IF_ERROR(AddGraphOutput(ctx, onnx_graph, graph.outputs[i], output_names[i]).WithContext(source));
  }
  return model;
}

StatusOr<std::vector<uint8_t>> ExportModelBytes(const ir::Graph& graph, const std::string& source,
                                                const ExportOptions& options) {
  EF_ASSIGN_OR_RETURN(::onnx::ModelProto model, ExportModel(graph, source, options));
  const size_t size = model.ByteSizeLong();
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Unimplemented(source + ": the ONNX model would take " + std::to_string(size) +
                         " bytes, over protobuf's 2 GiB limit (external data is not written)");
  }
  std::vector<uint8_t> bytes(size);
  if (!model.SerializeToArray(bytes.data(), static_cast<int>(size))) {
    return Internal(source + ": serializing the ONNX model failed");
  }
  return bytes;
}

Status ExportTfliteFile(const std::string& tflite_path, const std::string& onnx_path,
                        const ExportOptions& options) {
  EF_ASSIGN_OR_RETURN(ir::Graph graph, tflite::ReadModelFile(tflite_path));
  EF_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ExportModelBytes(graph, tflite_path, options));
  return core::WriteFileAtomic(onnx_path, bytes);
}

}  // namespace edgeforge::onnx_export
