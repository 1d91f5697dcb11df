#include "tflite/writer.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <variant>

#include "core/file.h"
#include "tflite/metadata.h"
#include "tflite/op_options.h"
#include "tflite/tflite_schema_generated.h"
#include "tflite/validation.h"

namespace edgeforge::tflite {

namespace {

namespace fb = ::tflite;

constexpr int32_t kSchemaVersion = 3;
// Buffer data alignment: enough for any element type and for SIMD loads from a mapped file.
constexpr size_t kBufferAlignment = 16;
// OperatorCode.deprecated_builtin_code is a byte; codes above it are stored as this
// placeholder (PLACEHOLDER_FOR_GREATER_OP_CODES) next to the full 32-bit builtin_code.
constexpr int32_t kMaxDeprecatedBuiltinCode = 127;
// Leaves room below flatbuffers' 2 GiB limit for everything that is not constant data.
constexpr uint64_t kMaxPayloadBytes = (uint64_t{1} << 31) - (uint64_t{64} << 20);

fb::TensorType ToTensorType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return fb::TensorType::FLOAT32;
    case DType::kFloat16: return fb::TensorType::FLOAT16;
    case DType::kInt8: return fb::TensorType::INT8;
    case DType::kUInt8: return fb::TensorType::UINT8;
    case DType::kInt16: return fb::TensorType::INT16;
    case DType::kInt32: return fb::TensorType::INT32;
    case DType::kInt64: return fb::TensorType::INT64;
    case DType::kBool: return fb::TensorType::BOOL;
  }
  return fb::TensorType::FLOAT32;
}

std::string OpLabel(size_t index, const ir::Op& op) {
  return "op " + std::to_string(index) + " (" + ir::OpName(op) + ")";
}

Status CheckIndices(const std::vector<int>& indices, const char* kind, bool allow_absent,
                    size_t tensor_count, const std::string& label) {
  for (size_t i = 0; i < indices.size(); ++i) {
    const int t = indices[i];
    const bool absent_ok = allow_absent && t == ir::kNoTensor;
    if (!absent_ok && (t < 0 || static_cast<size_t>(t) >= tensor_count)) {
      return InvalidArgument(label + ": " + kind + " " + std::to_string(i) + " is tensor " +
                             std::to_string(t) + ", out of range (the graph has " +
                             std::to_string(tensor_count) + " tensors)");
    }
  }
  return Status::Ok();
}

// Everything the reader would reject, checked up front so that errors name the culprit.
Status CheckGraph(const ir::Graph& graph) {
  if (graph.schema_version != kSchemaVersion) {
    return InvalidArgument("schema version " + std::to_string(graph.schema_version) + ", only " +
                           std::to_string(kSchemaVersion) + " can be written");
  }
  if (graph.subgraph_count != 1) {
    return Unimplemented(
        "the graph was read from a model with " + std::to_string(graph.subgraph_count) +
        " subgraphs and holds only the first; writing it would drop the others (set "
        "subgraph_count = 1 to write the first alone)");
  }
  // flatbuffers offsets are 32-bit: the whole model must stay below 2 GiB.
  uint64_t payload = 0;
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    EF_RETURN_IF_ERROR(CheckTensor(static_cast<int>(i), graph.tensors[i]));
    payload += graph.tensors[i].data.size() + kBufferAlignment;
  }
  for (const auto& [name, bytes] : graph.metadata.extra) payload += bytes.size();
  if (payload > kMaxPayloadBytes) {
    return Unimplemented("the constants add up to " + std::to_string(payload) +
                         " bytes; models of 2 GiB or more are not supported");
  }
  EF_RETURN_IF_ERROR(CheckIndices(graph.inputs, "input", false, graph.tensors.size(), "graph"));
  EF_RETURN_IF_ERROR(CheckIndices(graph.outputs, "output", false, graph.tensors.size(), "graph"));
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const ir::Op& op = graph.ops[i];
    const std::string label = OpLabel(i, op);
    EF_RETURN_IF_ERROR(CheckIndices(op.inputs, "input", true, graph.tensors.size(), label));
    EF_RETURN_IF_ERROR(CheckIndices(op.outputs, "output", false, graph.tensors.size(), label));
    if (op.version < 1) {
      return InvalidArgument(label + ": version " + std::to_string(op.version) + ", expected >= 1");
    }
    if (op.type == ir::OpType::kCustom) {
      if (op.custom_code.empty()) return InvalidArgument(label + ": custom op without a name");
      if (!std::holds_alternative<std::monostate>(op.options) &&
          !std::holds_alternative<ir::CustomOptions>(op.options)) {
        return InvalidArgument(label + ": options of a custom op must be CustomOptions");
      }
    } else {
      EF_RETURN_IF_ERROR(BuiltinCodeForWriting(op).status().WithContext(label));
    }
  }
  return Status::Ok();
}

class ModelWriter {
 public:
  explicit ModelWriter(const ir::Graph& graph) : graph_(graph), fbb_(InitialSize(graph)) {}

  StatusOr<std::vector<uint8_t>> Write() {
    // Children before parents: flatbuffers are built back to front.
    std::vector<uint32_t> buffer_of_tensor(graph_.tensors.size(), 0);
    buffers_.push_back(fb::CreateBuffer(fbb_));  // the empty sentinel, buffer 0
    for (size_t i = 0; i < graph_.tensors.size(); ++i) {
      if (graph_.tensors[i].is_constant()) buffer_of_tensor[i] = AddBuffer(graph_.tensors[i].data);
    }
    EF_ASSIGN_OR_RETURN(auto metadata, WriteMetadata());

    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    tensors.reserve(graph_.tensors.size());
    for (size_t i = 0; i < graph_.tensors.size(); ++i) {
      tensors.push_back(WriteTensor(graph_.tensors[i], buffer_of_tensor[i]));
    }
    std::vector<flatbuffers::Offset<fb::Operator>> ops;
    ops.reserve(graph_.ops.size());
    for (size_t i = 0; i < graph_.ops.size(); ++i) {
      StatusOr<flatbuffers::Offset<fb::Operator>> op = WriteOp(graph_.ops[i]);
      if (!op.ok()) return op.status().WithContext(OpLabel(i, graph_.ops[i]));
      ops.push_back(*op);
    }
    const auto subgraph = fb::CreateSubGraph(
        fbb_, fbb_.CreateVector(tensors), fbb_.CreateVector(graph_.inputs),
        fbb_.CreateVector(graph_.outputs), fbb_.CreateVector(ops), fbb_.CreateString("main"));

    std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
    for (const auto& [code, custom_code, version] : opcodes_) {
      flatbuffers::Offset<flatbuffers::String> custom;
      if (!custom_code.empty()) custom = fbb_.CreateString(custom_code);
      codes.push_back(fb::CreateOperatorCode(
          fbb_, static_cast<int8_t>(std::min(code, kMaxDeprecatedBuiltinCode)), custom, version,
          static_cast<fb::BuiltinOperator>(code)));
    }
    const auto description = fbb_.CreateString(graph_.description);
    const auto model =
        fb::CreateModel(fbb_, kSchemaVersion, fbb_.CreateVector(codes),
                        fbb_.CreateVector(std::vector<flatbuffers::Offset<fb::SubGraph>>{subgraph}),
                        description, fbb_.CreateVector(buffers_), 0, metadata);
    fb::FinishModelBuffer(fbb_, model);
    return std::vector<uint8_t>(fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize());
  }

 private:
  static size_t InitialSize(const ir::Graph& graph) {
    size_t bytes = 1 << 16;
    for (const ir::Tensor& t : graph.tensors) bytes += t.data.size() + kBufferAlignment + 128;
    for (const auto& [name, data] : graph.metadata.extra) bytes += data.size() + name.size() + 64;
    return bytes;
  }

  uint32_t AddBuffer(std::span<const uint8_t> data) {
    fbb_.ForceVectorAlignment(data.size(), sizeof(uint8_t), kBufferAlignment);
    const auto vector = fbb_.CreateVector(data.data(), data.size());
    buffers_.push_back(fb::CreateBuffer(fbb_, vector));
    return static_cast<uint32_t>(buffers_.size() - 1);
  }

  using MetadataVector =
      flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Metadata>>>;
  StatusOr<MetadataVector> WriteMetadata() {
    EF_ASSIGN_OR_RETURN(auto entries, EncodeMetadataEntries(graph_.metadata));
    if (entries.empty()) return MetadataVector();
    std::vector<flatbuffers::Offset<fb::Metadata>> offsets;
    for (const auto& [name, bytes] : entries) {
      const uint32_t buffer = AddBuffer(bytes);
      offsets.push_back(fb::CreateMetadata(fbb_, fbb_.CreateString(name), buffer));
    }
    return fbb_.CreateVector(offsets);
  }

  flatbuffers::Offset<fb::Tensor> WriteTensor(const ir::Tensor& tensor, uint32_t buffer) {
    flatbuffers::Offset<fb::QuantizationParameters> quant;
    if (!tensor.quant.empty()) {
      quant = fb::CreateQuantizationParameters(fbb_, 0, 0, fbb_.CreateVector(tensor.quant.scale),
                                               fbb_.CreateVector(tensor.quant.zero_point),
                                               fb::QuantizationDetails::NONE, 0,
                                               tensor.quant.quantized_dimension);
    }
    flatbuffers::Offset<flatbuffers::Vector<int32_t>> signature;
    if (!tensor.shape_signature.empty()) signature = fbb_.CreateVector(tensor.shape_signature);
    return fb::CreateTensor(fbb_, fbb_.CreateVector(tensor.shape), ToTensorType(tensor.dtype),
                            buffer, fbb_.CreateString(tensor.name), quant, tensor.is_variable, 0,
                            signature);
  }

  StatusOr<flatbuffers::Offset<fb::Operator>> WriteOp(const ir::Op& op) {
    int32_t code = static_cast<int32_t>(fb::BuiltinOperator::CUSTOM);
    WrittenOptions options;
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> custom_options;
    if (op.type == ir::OpType::kCustom) {
      if (const auto* custom = std::get_if<ir::CustomOptions>(&op.options)) {
        custom_options = fbb_.CreateVector(custom->bytes);
      }
    } else {
      EF_ASSIGN_OR_RETURN(code, BuiltinCodeForWriting(op));
      EF_ASSIGN_OR_RETURN(options, WriteBuiltinOptions(fbb_, op));
    }
    const std::string custom_code = op.type == ir::OpType::kCustom ? op.custom_code : "";
    const auto key = std::make_tuple(code, custom_code, op.version);
    auto [it, inserted] = opcode_index_.emplace(key, static_cast<uint32_t>(opcodes_.size()));
    if (inserted) opcodes_.push_back(key);
    return fb::CreateOperator(fbb_, it->second, fbb_.CreateVector(op.inputs),
                              fbb_.CreateVector(op.outputs), options.type, options.table,
                              custom_options);
  }

  const ir::Graph& graph_;
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  // Operator codes in order of first use, and their indices.
  using OpcodeKey = std::tuple<int32_t, std::string, int32_t>;  // code, custom code, version
  std::vector<OpcodeKey> opcodes_;
  std::map<OpcodeKey, uint32_t> opcode_index_;
};

}  // namespace

StatusOr<std::vector<uint8_t>> WriteModel(const ir::Graph& graph) {
  EF_RETURN_IF_ERROR(CheckGraph(graph).WithContext("cannot write model"));
  StatusOr<std::vector<uint8_t>> bytes = ModelWriter(graph).Write();
  if (!bytes.ok()) return bytes.status().WithContext("cannot write model");
  return bytes;
}

Status WriteModelFile(const ir::Graph& graph, const std::string& path) {
  StatusOr<std::vector<uint8_t>> bytes = WriteModel(graph);
  if (!bytes.ok()) return bytes.status().WithContext(path);
  return core::WriteFileAtomic(path, *bytes);
}

}  // namespace edgeforge::tflite
