#include "tflite/reader.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "core/file.h"
#include "tflite/metadata.h"
#include "tflite/op_options.h"
#include "tflite/tflite_schema_generated.h"
#include "tflite/validation.h"

namespace edgeforge::tflite {

namespace {

namespace fb = ::tflite;

constexpr uint32_t kSchemaVersion = 3;
// flatbuffers uses 32-bit offsets: its Verifier only takes buffers below 2 GiB. Bigger files
// keep the flatbuffer in their first 2 GiB and constant data after it (Buffer.offset).
constexpr size_t kMaxFlatbufferBytes = FLATBUFFERS_MAX_BUFFER_SIZE - 1;
// The Verifier checks alignment relative to the start of the bytes; starting them on a 16-byte
// boundary makes that the alignment in memory too (mmap and operator new both give it).
constexpr uintptr_t kModelAlignment = 16;
// Bytes the reader may copy out of a file (names, shapes, quantization, custom options,
// metadata): this many per file byte, plus a fixed allowance. See ModelReader::Spend.
constexpr uint64_t kCopyBudgetPerFileByte = 4;
constexpr uint64_t kCopyBudgetBase = uint64_t{16} << 20;

std::optional<DType> ToDType(fb::TensorType type) {
  switch (type) {
    case fb::TensorType::FLOAT32: return DType::kFloat32;
    case fb::TensorType::FLOAT16: return DType::kFloat16;
    case fb::TensorType::INT32: return DType::kInt32;
    case fb::TensorType::UINT8: return DType::kUInt8;
    case fb::TensorType::INT64: return DType::kInt64;
    case fb::TensorType::BOOL: return DType::kBool;
    case fb::TensorType::INT16: return DType::kInt16;
    case fb::TensorType::INT8: return DType::kInt8;
    default: return std::nullopt;
  }
}

std::string TensorTypeName(fb::TensorType type) {
  const char* name = fb::EnumNameTensorType(type);
  if (*name) return name;
  return "unknown type " + std::to_string(static_cast<int>(type));
}

// The 4 identifier bytes, printable characters as they are and others as \xNN.
std::string QuoteIdentifier(std::span<const uint8_t> id) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t c : id) {
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Reads one verified model. Methods return messages without the source name; Read() adds it.
class ModelReader {
 public:
  ModelReader(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner)
      : bytes_(bytes),
        owner_(std::move(owner)),
        copy_limit_(kCopyBudgetPerFileByte * bytes.size() + kCopyBudgetBase),
        copy_budget_(copy_limit_) {}

  StatusOr<ir::Graph> Read() {
    EF_RETURN_IF_ERROR(CheckContainer());
    model_ = fb::GetModel(bytes_.data());
    if (model_->version() != kSchemaVersion) {
      return InvalidArgument("schema version " + std::to_string(model_->version()) + ", expected " +
                             std::to_string(kSchemaVersion));
    }
    const auto* subgraphs = model_->subgraphs();
    if (!subgraphs || subgraphs->size() == 0) return InvalidArgument("the model has no subgraphs");

    ir::Graph graph;
    graph.schema_version = static_cast<int32_t>(model_->version());
    graph.subgraph_count = static_cast<int32_t>(subgraphs->size());
    EF_ASSIGN_OR_RETURN(graph.description, Copy(model_->description()));

    const fb::SubGraph& subgraph = *subgraphs->Get(0);
    EF_RETURN_IF_ERROR(ReadTensors(subgraph, &graph));
    EF_ASSIGN_OR_RETURN(graph.inputs, ReadGraphIo(subgraph.inputs(), "input", graph));
    EF_ASSIGN_OR_RETURN(graph.outputs, ReadGraphIo(subgraph.outputs(), "output", graph));
    EF_RETURN_IF_ERROR(ReadOps(subgraph, &graph));
    EF_RETURN_IF_ERROR(ReadMetadata(&graph.metadata));
    return graph;
  }

 private:
  // Step 1 in reader.h: is this a TFLite flatbuffer whose every offset can be followed?
  Status CheckContainer() const {
    if (bytes_.empty()) return InvalidArgument("not a TFLite model (the file is empty)");
    if (bytes_.size() < 8) {
      return InvalidArgument("not a TFLite model (" + std::to_string(bytes_.size()) +
                             " bytes, too short for a flatbuffer)");
    }
    if (!fb::ModelBufferHasIdentifier(bytes_.data())) {
      return InvalidArgument("not a TFLite model (file identifier '" +
                             QuoteIdentifier(bytes_.subspan(4, 4)) + "', expected 'TFL3')");
    }
    flatbuffers::Verifier verifier(bytes_.data(), std::min(bytes_.size(), kMaxFlatbufferBytes));
    if (!fb::VerifyModelBuffer(verifier)) {
      return InvalidArgument(
          "not a TFLite model (flatbuffer verification failed: the file is truncated or "
          "corrupt)");
    }
    return Status::Ok();
  }

  // The bytes of Model.buffers[index]: inside the flatbuffer, or (models over 2 GiB) at a file
  // offset. `user` names who asked, for messages.
  StatusOr<std::span<const uint8_t>> BufferBytes(uint32_t index, const std::string& user) const {
    const auto* buffers = model_->buffers();
    const uint32_t count = buffers ? buffers->size() : 0;
    // Buffer 0 is the empty sentinel; files written by hand sometimes leave out the list.
    if (index == 0 && count == 0) return std::span<const uint8_t>();
    if (index >= count) {
      return InvalidArgument(user + ": buffer index " + std::to_string(index) +
                             " out of range (the model has " + std::to_string(count) + " buffers)");
    }
    const fb::Buffer& buffer = *buffers->Get(index);
    // As in TFLite: an offset above 1 means the data lives outside the flatbuffer.
    if (buffer.offset() > 1) {
      const uint64_t offset = buffer.offset(), size = buffer.size();
      if (offset > bytes_.size() || size > bytes_.size() - offset) {
        return InvalidArgument(user + ": buffer " + std::to_string(index) + " at file offset " +
                               std::to_string(offset) + " with " + std::to_string(size) +
                               " bytes lies outside the " + std::to_string(bytes_.size()) +
                               "-byte file");
      }
      return bytes_.subspan(static_cast<size_t>(offset), static_cast<size_t>(size));
    }
    if (!buffer.data()) return std::span<const uint8_t>();
    return std::span<const uint8_t>(buffer.data()->data(), buffer.data()->size());
  }

  Status ReadTensors(const fb::SubGraph& subgraph, ir::Graph* graph) {
    const auto* tensors = subgraph.tensors();
    if (!tensors) return Status::Ok();
    graph->tensors.resize(tensors->size());
    for (uint32_t i = 0; i < tensors->size(); ++i) {
      EF_RETURN_IF_ERROR(ReadTensor(static_cast<int>(i), *tensors->Get(i), &graph->tensors[i]));
    }
    return Status::Ok();
  }

  Status ReadTensor(int index, const fb::Tensor& in, ir::Tensor* out) {
    EF_ASSIGN_OR_RETURN(out->name, Copy(in.name()));
    const std::string label = TensorLabel(index, out->name);
    const std::optional<DType> dtype = ToDType(in.type());
    if (!dtype) {
      return Unimplemented(label + ": type " + TensorTypeName(in.type()) +
                           " is not supported (edgeforge handles float32, float16, int32, "
                           "uint8, int64, bool, int16 and int8)");
    }
    if (in.sparsity()) return Unimplemented(label + ": sparse tensors are not supported");
    out->dtype = *dtype;
    EF_ASSIGN_OR_RETURN(out->shape, Copy(in.shape()));
    EF_ASSIGN_OR_RETURN(out->shape_signature, Copy(in.shape_signature()));
    out->is_variable = in.is_variable();
    if (const fb::QuantizationParameters* q = in.quantization()) {
      if (q->details_type() != fb::QuantizationDetails::NONE) {
        return Unimplemented(label + ": quantization " +
                             fb::EnumNameQuantizationDetails(q->details_type()) +
                             " is not supported");
      }
      // No scales means "not quantized" (files often keep min/max or zero points alone).
      if (q->scale() && q->scale()->size() > 0) {
        EF_ASSIGN_OR_RETURN(out->quant.scale, Copy(q->scale()));
        EF_ASSIGN_OR_RETURN(out->quant.zero_point, Copy(q->zero_point()));
        out->quant.quantized_dimension = q->quantized_dimension();
      }
    }
    EF_ASSIGN_OR_RETURN(out->data, BufferBytes(in.buffer(), label));
    out->data_owner = out->data.empty() ? nullptr : owner_;
    EF_RETURN_IF_ERROR(CheckTensor(index, *out));
    // Kernels read constants as typed arrays; a misaligned one (legal in a flatbuffer, but
    // no converter writes it) is copied rather than read unaligned.
    if (!out->data.empty() &&
        reinterpret_cast<uintptr_t>(out->data.data()) % DTypeSize(out->dtype) != 0) {
      EF_RETURN_IF_ERROR(Spend(out->data.size()));
      out->SetData(std::vector<uint8_t>(out->data.begin(), out->data.end()));
    }
    return Status::Ok();
  }

  StatusOr<std::vector<int>> ReadGraphIo(const flatbuffers::Vector<int32_t>* indices,
                                         const char* kind, const ir::Graph& graph) {
    EF_ASSIGN_OR_RETURN(std::vector<int> out, Copy(indices));
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] < 0 || static_cast<size_t>(out[i]) >= graph.tensors.size()) {
        return InvalidArgument("subgraph " + std::string(kind) + " " + std::to_string(i) +
                               " is tensor " + std::to_string(out[i]) +
                               ", out of range (the subgraph has " +
                               std::to_string(graph.tensors.size()) + " tensors)");
      }
    }
    return out;
  }

  Status ReadOps(const fb::SubGraph& subgraph, ir::Graph* graph) {
    const auto* ops = subgraph.operators();
    if (!ops) return Status::Ok();
    graph->ops.reserve(ops->size());
    for (uint32_t i = 0; i < ops->size(); ++i) {
      ir::Op op;
      EF_RETURN_IF_ERROR(ReadOp(static_cast<int>(i), *ops->Get(i), *graph, &op));
      graph->ops.push_back(std::move(op));
    }
    return Status::Ok();
  }

  Status ReadOp(int index, const fb::Operator& in, const ir::Graph& graph, ir::Op* out) {
    std::string label = "op " + std::to_string(index);
    const auto* codes = model_->operator_codes();
    const uint32_t code_count = codes ? codes->size() : 0;
    if (in.opcode_index() >= code_count) {
      return InvalidArgument(label + ": opcode_index " + std::to_string(in.opcode_index()) +
                             " out of range (the model has " + std::to_string(code_count) +
                             " operator codes)");
    }
    const fb::OperatorCode& opcode = *codes->Get(in.opcode_index());
    // Files before TF 2.4 only set the byte; later ones set both, the byte saturating at 127.
    const int32_t code = std::max(static_cast<int32_t>(opcode.deprecated_builtin_code()),
                                  static_cast<int32_t>(opcode.builtin_code()));
    if (code < 0) {
      return InvalidArgument(label + ": operator code " + std::to_string(in.opcode_index()) +
                             " has the negative builtin code " + std::to_string(code));
    }
    out->builtin_code = code;
    out->version = opcode.version();
    const bool is_custom = code == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM);
    if (is_custom) {
      if (!opcode.custom_code())
        return InvalidArgument(label + ": CUSTOM op without a custom_code");
      EF_ASSIGN_OR_RETURN(out->custom_code, Copy(opcode.custom_code()));
      label += " (CUSTOM(" + out->custom_code + "))";
    } else {
      const char* name = ir::BuiltinOperatorName(code);
      label += std::string(" (") + (*name ? name : "BUILTIN_" + std::to_string(code)) + ")";
    }

    EF_ASSIGN_OR_RETURN(out->inputs, Copy(in.inputs()));
    EF_ASSIGN_OR_RETURN(out->outputs, Copy(in.outputs()));
    const int tensor_count = static_cast<int>(graph.tensors.size());
    for (size_t i = 0; i < out->inputs.size(); ++i) {
      const int t = out->inputs[i];
      // -1 (ir::kNoTensor) marks an absent optional input, e.g. a convolution without bias.
      if (t < ir::kNoTensor || t >= tensor_count) {
        return InvalidArgument(label + ": input " + std::to_string(i) + " is tensor " +
                               std::to_string(t) + ", out of range (the subgraph has " +
                               std::to_string(tensor_count) + " tensors)");
      }
    }
    for (size_t i = 0; i < out->outputs.size(); ++i) {
      const int t = out->outputs[i];
      if (t < 0 || t >= tensor_count) {
        return InvalidArgument(label + ": output " + std::to_string(i) + " is tensor " +
                               std::to_string(t) + ", out of range (the subgraph has " +
                               std::to_string(tensor_count) + " tensors)");
      }
    }

    if (is_custom) {
      out->type = ir::OpType::kCustom;
      EF_ASSIGN_OR_RETURN(std::span<const uint8_t> options, CustomOptionsBytes(in, label));
      EF_RETURN_IF_ERROR(Spend(options.size()));
      out->options = ir::CustomOptions{std::vector<uint8_t>(options.begin(), options.end())};
      return Status::Ok();
    }
    return ReadBuiltinOptions(in, code, graph, out).WithContext(label);
  }

  // Custom options: in the flatbuffer, or (models over 2 GiB) at a file offset.
  StatusOr<std::span<const uint8_t>> CustomOptionsBytes(const fb::Operator& op,
                                                        const std::string& label) const {
    if (op.large_custom_options_offset() > 1) {
      const uint64_t offset = op.large_custom_options_offset();
      const uint64_t size = op.large_custom_options_size();
      if (offset > bytes_.size() || size > bytes_.size() - offset) {
        return InvalidArgument(label + ": custom options at file offset " + std::to_string(offset) +
                               " with " + std::to_string(size) + " bytes lie outside the " +
                               std::to_string(bytes_.size()) + "-byte file");
      }
      return bytes_.subspan(static_cast<size_t>(offset), static_cast<size_t>(size));
    }
    if (!op.custom_options()) return std::span<const uint8_t>();
    return std::span<const uint8_t>(op.custom_options()->data(), op.custom_options()->size());
  }

  Status ReadMetadata(ir::Metadata* metadata) {
    const auto* entries = model_->metadata();
    if (!entries) return Status::Ok();
    for (const fb::Metadata* entry : *entries) {
      EF_ASSIGN_OR_RETURN(const std::string name, Copy(entry->name()));
      EF_ASSIGN_OR_RETURN(std::span<const uint8_t> bytes,
                          BufferBytes(entry->buffer(), "metadata '" + name + "'"));
      EF_RETURN_IF_ERROR(Spend(bytes.size()));
      EF_RETURN_IF_ERROR(DecodeMetadataEntry(name, bytes, metadata));
    }
    return Status::Ok();
  }

  // A flatbuffer may point any number of tables at one vector or string; copying it for each
  // would turn a small file into an enormous graph. So every copy out of the file is charged
  // to a budget of a few times the file size (real models copy less than their size once).
  Status Spend(uint64_t bytes) {
    if (bytes > copy_budget_) {
      return InvalidArgument(
          "the model refers to the same data so often that reading it would "
          "copy more than " +
          std::to_string(copy_limit_) + " bytes");
    }
    copy_budget_ -= bytes;
    return Status::Ok();
  }

  template <typename T>
  StatusOr<std::vector<T>> Copy(const flatbuffers::Vector<T>* v) {
    if (!v) return std::vector<T>();
    EF_RETURN_IF_ERROR(Spend(uint64_t{v->size()} * sizeof(T)));
    return std::vector<T>(v->begin(), v->end());
  }

  StatusOr<std::string> Copy(const flatbuffers::String* s) {
    if (!s) return std::string();
    EF_RETURN_IF_ERROR(Spend(s->size()));
    return s->str();
  }

  std::span<const uint8_t> bytes_;
  std::shared_ptr<const void> owner_;
  const fb::Model* model_ = nullptr;
  const uint64_t copy_limit_;
  uint64_t copy_budget_;
};

}  // namespace

StatusOr<ir::Graph> ReadModel(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                              const std::string& source_name) {
  if (reinterpret_cast<uintptr_t>(bytes.data()) % kModelAlignment != 0) {
    // Only spans cut out of larger buffers get here; mapped files and vectors are aligned.
    auto copy = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
    bytes = std::span<const uint8_t>(copy->data(), copy->size());
    owner = copy;
  }
  ModelReader reader(bytes, std::move(owner));
  StatusOr<ir::Graph> graph = reader.Read();
  if (!graph.ok()) return graph.status().WithContext(source_name);
  return graph;
}

StatusOr<ir::Graph> ReadModelFile(const std::string& path) {
  EF_ASSIGN_OR_RETURN(std::shared_ptr<const core::MappedFile> file, core::MappedFile::Open(path));
  const std::span<const uint8_t> bytes = file->bytes();
  return ReadModel(bytes, std::move(file), path);
}

}  // namespace edgeforge::tflite
