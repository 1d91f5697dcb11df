// The reader is the security boundary: malformed files must give a clear error that names the
// file and the problem, never a crash. Covers files that are not models, random damage to a
// real model (truncation, bit flips, overwritten bytes and words), and hand-built models that
// break each of the reader's own checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <random>

#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/tflite_schema_generated.h"
#include "tflite/writer.h"

namespace edgeforge {
namespace {

namespace fb = ::tflite;
using testing::TestData;

constexpr char kSource[] = "model.tflite";

// --- a small model built field by field, so each test can break exactly one thing ----------

struct RawTensor {
  std::string name{};
  fb::TensorType type = fb::TensorType::INT8;
  std::vector<int32_t> shape{};
  uint32_t buffer = 0;
  std::vector<float> scale{};
  std::vector<int64_t> zero_point{};
  int32_t quantized_dimension = 0;
  std::vector<int32_t> shape_signature{};
  bool custom_quantization = false;
  bool sparse = false;
};

struct RawBuffer {
  std::optional<std::vector<uint8_t>> data{};
  uint64_t offset = 0;  // > 1: data outside the flatbuffer
  uint64_t size = 0;
};

struct RawOpcode {
  int8_t deprecated_code = 3;  // CONV_2D
  int32_t code = 3;
  std::string custom_code{};
  int32_t version = 1;
};

// Builds an op's options table; returns its union type.
using OptionsMaker =
    std::function<fb::BuiltinOptions(flatbuffers::FlatBufferBuilder&, flatbuffers::Offset<void>*)>;

struct RawOp {
  uint32_t opcode_index = 0;
  std::vector<int32_t> inputs{};
  std::vector<int32_t> outputs{};
  bool conv_options = true;  // Conv2DOptions{SAME, stride, stride} unless make_options is set
  int32_t stride = 1;
  OptionsMaker make_options{};
  std::vector<uint8_t> custom_options{};
  uint64_t large_custom_options_offset = 0, large_custom_options_size = 0;
};

struct RawModel {
  uint32_t version = 3;
  std::vector<RawOpcode> opcodes{};
  std::vector<RawTensor> tensors{};
  std::optional<std::vector<RawBuffer>> buffers{};
  std::vector<RawOp> ops{};
  std::vector<int32_t> inputs{};
  std::vector<int32_t> outputs{};
  std::vector<std::pair<std::string, uint32_t>> metadata{};
  int subgraph_count = 1;

  std::vector<uint8_t> Build() const {
    flatbuffers::FlatBufferBuilder fbb;
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Buffer>>> buffer_vector;
    if (buffers) {
      std::vector<flatbuffers::Offset<fb::Buffer>> offsets;
      for (const RawBuffer& b : *buffers) {
        flatbuffers::Offset<flatbuffers::Vector<uint8_t>> data;
        if (b.data) data = fbb.CreateVector(*b.data);
        offsets.push_back(fb::CreateBuffer(fbb, data, b.offset, b.size));
      }
      buffer_vector = fbb.CreateVector(offsets);
    }
    std::vector<flatbuffers::Offset<fb::Tensor>> tensor_offsets;
    for (const RawTensor& t : tensors) {
      flatbuffers::Offset<fb::QuantizationParameters> quant;
      if (!t.scale.empty() || !t.zero_point.empty() || t.custom_quantization) {
        flatbuffers::Offset<void> details;
        if (t.custom_quantization) details = fb::CreateCustomQuantization(fbb).Union();
        flatbuffers::Offset<flatbuffers::Vector<float>> scale;
        if (!t.scale.empty()) scale = fbb.CreateVector(t.scale);
        flatbuffers::Offset<flatbuffers::Vector<int64_t>> zero_point;
        if (!t.zero_point.empty()) zero_point = fbb.CreateVector(t.zero_point);
        quant = fb::CreateQuantizationParameters(fbb, 0, 0, scale, zero_point,
                                                 t.custom_quantization
                                                     ? fb::QuantizationDetails::CustomQuantization
                                                     : fb::QuantizationDetails::NONE,
                                                 details, t.quantized_dimension);
      }
      flatbuffers::Offset<fb::SparsityParameters> sparsity;
      if (t.sparse) sparsity = fb::CreateSparsityParameters(fbb);
      flatbuffers::Offset<flatbuffers::Vector<int32_t>> signature;
      if (!t.shape_signature.empty()) signature = fbb.CreateVector(t.shape_signature);
      tensor_offsets.push_back(fb::CreateTensor(fbb, fbb.CreateVector(t.shape), t.type, t.buffer,
                                                fbb.CreateString(t.name), quant, false, sparsity,
                                                signature));
    }
    std::vector<flatbuffers::Offset<fb::Operator>> op_offsets;
    for (const RawOp& op : ops) {
      flatbuffers::Offset<void> options;
      fb::BuiltinOptions options_type = fb::BuiltinOptions::NONE;
      if (op.make_options) {
        options_type = op.make_options(fbb, &options);
      } else if (op.conv_options) {
        options = fb::CreateConv2DOptions(fbb, fb::Padding::SAME, op.stride, op.stride).Union();
        options_type = fb::BuiltinOptions::Conv2DOptions;
      }
      flatbuffers::Offset<flatbuffers::Vector<uint8_t>> custom;
      if (!op.custom_options.empty()) custom = fbb.CreateVector(op.custom_options);
      op_offsets.push_back(fb::CreateOperator(
          fbb, op.opcode_index, fbb.CreateVector(op.inputs), fbb.CreateVector(op.outputs),
          options_type, options, custom, fb::CustomOptionsFormat::FLEXBUFFERS, 0, 0,
          op.large_custom_options_offset, op.large_custom_options_size));
    }
    const auto subgraph =
        fb::CreateSubGraph(fbb, fbb.CreateVector(tensor_offsets), fbb.CreateVector(inputs),
                           fbb.CreateVector(outputs), fbb.CreateVector(op_offsets));
    std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs(static_cast<size_t>(subgraph_count),
                                                             subgraph);
    std::vector<flatbuffers::Offset<fb::OperatorCode>> code_offsets;
    for (const RawOpcode& c : opcodes) {
      flatbuffers::Offset<flatbuffers::String> custom;
      if (!c.custom_code.empty()) custom = fbb.CreateString(c.custom_code);
      code_offsets.push_back(fb::CreateOperatorCode(fbb, c.deprecated_code, custom, c.version,
                                                    static_cast<fb::BuiltinOperator>(c.code)));
    }
    std::vector<flatbuffers::Offset<fb::Metadata>> metadata_offsets;
    for (const auto& [name, buffer] : metadata) {
      metadata_offsets.push_back(fb::CreateMetadata(fbb, fbb.CreateString(name), buffer));
    }
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Metadata>>> metadata_vector;
    if (!metadata.empty()) metadata_vector = fbb.CreateVector(metadata_offsets);
    const auto model =
        fb::CreateModel(fbb, version, fbb.CreateVector(code_offsets), fbb.CreateVector(subgraphs),
                        fbb.CreateString("hand-built"), buffer_vector, 0, metadata_vector);
    fb::FinishModelBuffer(fbb, model);
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  }
};

// input [1,4,4,3] int8 -> CONV_2D (weights [8,3,3,3] int8 per channel, bias [8] int32) ->
// output [1,4,4,8] int8. Valid as built.
RawModel ValidConvModel() {
  RawModel m;
  m.opcodes = {RawOpcode{}};
  m.tensors = {
      RawTensor{.name = "input",
                .type = fb::TensorType::INT8,
                .shape = {1, 4, 4, 3},
                .scale = {0.5f},
                .zero_point = {-1}},
      RawTensor{.name = "conv1/weights",
                .type = fb::TensorType::INT8,
                .shape = {8, 3, 3, 3},
                .buffer = 1,
                .scale = std::vector<float>(8, 0.01f),
                .zero_point = std::vector<int64_t>(8, 0)},
      RawTensor{.name = "conv1/bias",
                .type = fb::TensorType::INT32,
                .shape = {8},
                .buffer = 2,
                .scale = std::vector<float>(8, 0.005f),
                .zero_point = std::vector<int64_t>(8, 0)},
      RawTensor{.name = "output",
                .type = fb::TensorType::INT8,
                .shape = {1, 4, 4, 8},
                .scale = {0.25f},
                .zero_point = {3}},
  };
  std::vector<uint8_t> weights(216);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<uint8_t>(i * 7);
  m.buffers = std::vector<RawBuffer>{RawBuffer{}, RawBuffer{.data = weights},
                                     RawBuffer{.data = std::vector<uint8_t>(32, 1)}};
  m.ops = {RawOp{.opcode_index = 0, .inputs = {0, 1, 2}, .outputs = {3}}};
  m.inputs = {0};
  m.outputs = {3};
  return m;
}

StatusOr<ir::Graph> Read(const std::vector<uint8_t>& bytes) {
  auto owned = std::make_shared<const std::vector<uint8_t>>(bytes);
  return tflite::ReadModel(*owned, owned, kSource);
}

// The error message of reading `bytes` (empty, plus a test failure, when it reads).
std::string ReadError(const std::vector<uint8_t>& bytes) {
  auto graph = Read(bytes);
  EXPECT_FALSE(graph.ok()) << "the model unexpectedly read";
  return graph.ok() ? "" : graph.status().message();
}

std::string Expected(const std::string& what) { return std::string(kSource) + ": " + what; }

TEST(TfliteCorrupt, ValidHandBuiltModelReads) {
  auto graph = Read(ValidConvModel().Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops.size(), 1u);
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kConv2D);
  EXPECT_EQ(graph->tensor(1).quant.scale.size(), 8u);
  EXPECT_EQ(graph->description, "hand-built");
}

// --- files that are not models --------------------------------------------------------------

TEST(TfliteCorrupt, FilesThatAreNotFlatbuffers) {
  for (const char* file : {"coral/imagenet_labels.txt", "coral/owl.jpg", "coral/rgb6X4.bmp"}) {
    SCOPED_TRACE(file);
    auto graph = tflite::ReadModelFile(TestData(file));
    ASSERT_FALSE(graph.ok());
    EXPECT_EQ(graph.status().message().rfind(TestData(file) + ": not a TFLite model (", 0), 0u)
        << graph.status().message();
  }
}

TEST(TfliteCorrupt, EmptyAndTinyFiles) {
  testing::TempDir dir;
  testing::WriteBytes(dir.file("empty.tflite"), {});
  auto graph = tflite::ReadModelFile(dir.file("empty.tflite"));
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().message(),
            dir.file("empty.tflite") + ": not a TFLite model (the file is empty)");

  EXPECT_EQ(ReadError({'T', 'F', 'L', '3'}),
            Expected("not a TFLite model (4 bytes, too short for a flatbuffer)"));
}

TEST(TfliteCorrupt, WrongIdentifier) {
  std::vector<uint8_t> bytes = ValidConvModel().Build();
  bytes[7] = '2';
  EXPECT_EQ(ReadError(bytes),
            Expected("not a TFLite model (file identifier 'TFL2', expected 'TFL3')"));
  bytes[4] = 0;
  EXPECT_NE(ReadError(bytes).find("file identifier '\\x00FL2'"), std::string::npos);
}

TEST(TfliteCorrupt, OffsetsOutsideTheFileFailVerification) {
  std::vector<uint8_t> bytes = ValidConvModel().Build();
  bytes[0] = 0xf0;  // root offset far past the end
  bytes[1] = 0xff;
  EXPECT_EQ(ReadError(bytes),
            Expected("not a TFLite model (flatbuffer verification failed: the file is "
                     "truncated or corrupt)"));
}

// --- random damage to a real model ----------------------------------------------------------

class TfliteCorruptRandom : public ::testing::Test {
 protected:
  void SetUp() override {
    original_ = testing::ReadBytes(TestData("coral/mobilenet_v1_0.25_128_quant.tflite"));
    // Bytes outside constant data hold the structure (offsets, vtables, shapes, options):
    // damage there is what exercises the reader, so most mutations aim at them.
    const fb::Model* model = fb::GetModel(original_.data());
    std::vector<bool> is_data(original_.size(), false);
    for (const fb::Buffer* b : *model->buffers()) {
      if (!b->data()) continue;
      const size_t start = static_cast<size_t>(b->data()->data() - original_.data());
      std::fill(is_data.begin() + static_cast<ptrdiff_t>(start),
                is_data.begin() + static_cast<ptrdiff_t>(start + b->data()->size()), true);
    }
    for (size_t i = 0; i < original_.size(); ++i) {
      if (!is_data[i]) structure_.push_back(i);
    }
    ASSERT_GT(structure_.size(), 1000u);
  }

  // Reads `bytes`: either a clear error naming the source or a graph whose indices and
  // constant sizes are consistent (and which the writer handles without crashing).
  void ExpectErrorOrSaneGraph(const std::vector<uint8_t>& bytes) {
    auto owned = std::make_shared<const std::vector<uint8_t>>(bytes);
    auto graph = tflite::ReadModel(*owned, owned, "damaged.tflite");
    if (!graph.ok()) {
      EXPECT_EQ(graph.status().message().rfind("damaged.tflite: ", 0), 0u)
          << graph.status().message();
      EXPECT_GT(graph.status().message().size(), std::string("damaged.tflite: ").size() + 10);
      return;
    }
    ++reads_;
    const ir::Graph& g = *graph;
    for (const ir::Tensor& t : g.tensors) {
      if (t.is_constant()) {
        ASSERT_EQ(t.data.size(), t.byte_size()) << t.name;
      }
    }
    for (const ir::Op& op : g.ops) {
      for (int i : op.inputs) ASSERT_TRUE(i >= -1 && i < static_cast<int>(g.tensors.size()));
      for (int i : op.outputs) ASSERT_TRUE(i >= 0 && i < static_cast<int>(g.tensors.size()));
    }
    for (int i : g.inputs) ASSERT_TRUE(i >= 0 && i < static_cast<int>(g.tensors.size()));
    auto rewritten = tflite::WriteModel(g);
    if (rewritten.ok()) {
      auto reread = Read(*rewritten);
      ASSERT_TRUE(reread.ok()) << "writer output does not read back: " << reread.status().message();
    }
  }

  size_t StructurePosition(std::mt19937& rng) {
    return structure_[std::uniform_int_distribution<size_t>(0, structure_.size() - 1)(rng)];
  }
  size_t AnyPosition(std::mt19937& rng, size_t width = 1) {
    return std::uniform_int_distribution<size_t>(0, original_.size() - width)(rng);
  }

  std::vector<uint8_t> original_;
  std::vector<size_t> structure_;
  int reads_ = 0;
};

TEST_F(TfliteCorruptRandom, Truncations) {
  std::mt19937 rng(20240601);
  std::vector<size_t> lengths = {0, 1, 4, 7, 8, 12, 16, 64, original_.size() - 1};
  for (int i = 0; i < 120; ++i) lengths.push_back(AnyPosition(rng));
  for (size_t length : lengths) {
    SCOPED_TRACE("truncated to " + std::to_string(length) + " bytes (seed 20240601)");
    ExpectErrorOrSaneGraph(std::vector<uint8_t>(
        original_.begin(), original_.begin() + static_cast<ptrdiff_t>(length)));
  }
}

TEST_F(TfliteCorruptRandom, BitFlips) {
  std::mt19937 rng(7);
  std::vector<uint8_t> bytes = original_;
  for (int i = 0; i < 400; ++i) {
    const size_t pos = i % 4 == 0 ? AnyPosition(rng) : StructurePosition(rng);
    const int bit = std::uniform_int_distribution<int>(0, 7)(rng);
    SCOPED_TRACE("flip " + std::to_string(i) + ": bit " + std::to_string(bit) + " of byte " +
                 std::to_string(pos) + " (seed 7)");
    bytes[pos] ^= static_cast<uint8_t>(1u << bit);
    ExpectErrorOrSaneGraph(bytes);
    bytes[pos] = original_[pos];
  }
}

TEST_F(TfliteCorruptRandom, ByteOverwrites) {
  std::mt19937 rng(11);
  const uint8_t specials[] = {0x00, 0xff, 0x7f, 0x80, 0x01};
  std::vector<uint8_t> bytes = original_;
  for (int i = 0; i < 300; ++i) {
    const size_t pos = StructurePosition(rng);
    const uint8_t value =
        i % 2 ? specials[static_cast<size_t>(i / 2) % 5]
              : static_cast<uint8_t>(std::uniform_int_distribution<int>(0, 255)(rng));
    SCOPED_TRACE("overwrite " + std::to_string(i) + ": byte " + std::to_string(pos) + " = " +
                 std::to_string(value) + " (seed 11)");
    bytes[pos] = value;
    ExpectErrorOrSaneGraph(bytes);
    bytes[pos] = original_[pos];
  }
}

TEST_F(TfliteCorruptRandom, WordOverwrites) {
  // Whole 32-bit words: offsets, lengths, indices and shape dimensions get arbitrary values.
  std::mt19937 rng(13);
  const uint32_t specials[] = {0, 1, 0x7fffffff, 0x80000000u, 0xffffffffu, 0x10000, 216, 3};
  std::vector<uint8_t> bytes = original_;
  for (int i = 0; i < 300; ++i) {
    const size_t pos = StructurePosition(rng) & ~size_t{3};
    if (pos + 4 > bytes.size()) continue;
    const uint32_t value =
        i % 2 ? specials[static_cast<size_t>(i / 2) % 8] : static_cast<uint32_t>(rng());
    SCOPED_TRACE("word " + std::to_string(i) + ": bytes " + std::to_string(pos) + ".." +
                 std::to_string(pos + 3) + " = " + std::to_string(value) + " (seed 13)");
    std::memcpy(&bytes[pos], &value, 4);
    ExpectErrorOrSaneGraph(bytes);
    std::copy(original_.begin() + static_cast<ptrdiff_t>(pos),
              original_.begin() + static_cast<ptrdiff_t>(pos + 4),
              bytes.begin() + static_cast<ptrdiff_t>(pos));
  }
  // Plenty of the mutations should still produce a graph: the sanity checks above must run.
  EXPECT_GT(reads_, 10);
}

// --- models that break one of the reader's own checks ----------------------------------------

TEST(TfliteCorrupt, BufferIndexOutOfRange) {
  RawModel m = ValidConvModel();
  m.tensors[1].buffer = 7;
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 1 'conv1/weights': buffer index 7 out of range (the model has 3 "
                     "buffers)"));
}

TEST(TfliteCorrupt, ConstantOfTheWrongSize) {
  RawModel m = ValidConvModel();
  (*m.buffers)[1].data = std::vector<uint8_t>(100);
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 1 'conv1/weights': buffer holds 100 bytes, shape [8,3,3,3] int8 "
                     "needs 216"));
}

TEST(TfliteCorrupt, InconsistentQuantizationArrays) {
  RawModel m = ValidConvModel();
  m.tensors[1].zero_point.pop_back();
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 1 'conv1/weights': quantization has 8 scales but 7 zero points"));

  m = ValidConvModel();
  m.tensors[1].zero_point.clear();
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 1 'conv1/weights': quantization has 8 scales but 0 zero points"));

  m = ValidConvModel();
  m.tensors[1].scale.resize(3);
  m.tensors[1].zero_point.resize(3);
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 1 'conv1/weights': quantization has 3 scales but dimension 0 of "
                     "shape [8,3,3,3] is 8"));

  m = ValidConvModel();
  m.tensors[1].quantized_dimension = 4;
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 1 'conv1/weights': quantized_dimension 4 is outside shape "
                     "[8,3,3,3]"));

  m = ValidConvModel();
  m.tensors[1].scale[2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(ReadError(m.Build()).find("tensor 1 'conv1/weights': quantization scale[2] is nan"),
            std::string::npos);

  m = ValidConvModel();
  m.tensors[0].zero_point = {200};
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 0 'input': quantization zero_point[0] is 200, outside the int8 "
                     "range [-128, 127]"));
}

TEST(TfliteCorrupt, ScalesAloneOrMinMaxAloneMeanNotQuantized) {
  RawModel m = ValidConvModel();
  m.tensors[0].scale.clear();  // zero points without scales
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_TRUE(graph->tensor(0).quant.empty());
}

TEST(TfliteCorrupt, BadOpcodeIndex) {
  RawModel m = ValidConvModel();
  m.ops[0].opcode_index = 5;
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0: opcode_index 5 out of range (the model has 1 operator codes)"));
}

TEST(TfliteCorrupt, TensorIndicesOutOfRange) {
  RawModel m = ValidConvModel();
  m.ops[0].inputs = {0, 9, 2};
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (CONV_2D): input 1 is tensor 9, out of range (the subgraph has 4 "
                     "tensors)"));

  m = ValidConvModel();
  m.ops[0].inputs = {0, -2, 2};
  EXPECT_NE(ReadError(m.Build()).find("op 0 (CONV_2D): input 1 is tensor -2"), std::string::npos);

  m = ValidConvModel();
  m.ops[0].outputs = {-1};  // -1 means "absent", which only inputs may be
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (CONV_2D): output 0 is tensor -1, out of range (the subgraph has 4 "
                     "tensors)"));

  m = ValidConvModel();
  m.inputs = {4};
  EXPECT_EQ(ReadError(m.Build()),
            Expected("subgraph input 0 is tensor 4, out of range (the subgraph has 4 tensors)"));

  m = ValidConvModel();
  m.outputs = {3, -1};
  EXPECT_NE(ReadError(m.Build()).find("subgraph output 1 is tensor -1"), std::string::npos);
}

TEST(TfliteCorrupt, AbsentOptionalInputIsAccepted) {
  RawModel m = ValidConvModel();
  m.ops[0].inputs = {0, 1, -1};  // no bias
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].inputs[2], ir::kNoTensor);
}

TEST(TfliteCorrupt, UnsupportedTensorTypes) {
  RawModel m = ValidConvModel();
  m.tensors[0].type = fb::TensorType::STRING;
  auto graph = Read(m.Build());
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(
      graph.status().message().rfind(Expected("tensor 0 'input': type STRING is not supported"), 0),
      0u)
      << graph.status().message();

  for (auto type : {fb::TensorType::COMPLEX64, fb::TensorType::FLOAT64, fb::TensorType::INT4,
                    fb::TensorType::RESOURCE}) {
    m.tensors[0].type = type;
    EXPECT_NE(ReadError(m.Build()).find(std::string("type ") + fb::EnumNameTensorType(type)),
              std::string::npos);
  }
  m.tensors[0].type = static_cast<fb::TensorType>(100);
  EXPECT_NE(ReadError(m.Build()).find("type unknown type 100 is not supported"), std::string::npos);
}

TEST(TfliteCorrupt, ShapesThatCannotBeRight) {
  RawModel m = ValidConvModel();
  m.tensors[0].shape = {1, -4, 4, 3};
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 0 'input': shape [1,-4,4,3] has a negative dimension"));

  m = ValidConvModel();
  m.tensors[3].shape = {65536, 65536, 65536, 8};
  EXPECT_NE(ReadError(m.Build()).find(
                "tensor 3 'output': shape [65536,65536,65536,8] int8 is larger than"),
            std::string::npos);

  m = ValidConvModel();
  m.tensors[0].shape_signature = {-1, 4, 4};
  EXPECT_NE(
      ReadError(m.Build()).find(
          "tensor 0 'input': shape_signature [-1,4,4] and shape [1,4,4,3] have different ranks"),
      std::string::npos);

  m = ValidConvModel();
  m.tensors[0].shape_signature = {-1, 4, 4, 3};
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->tensor(0).shape_signature, (Shape{-1, 4, 4, 3}));
}

TEST(TfliteCorrupt, UnsupportedQuantizationAndSparsity) {
  RawModel m = ValidConvModel();
  m.tensors[1].custom_quantization = true;
  auto graph = Read(m.Build());
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(graph.status().message(),
            Expected("tensor 1 'conv1/weights': quantization CustomQuantization is not supported"));

  m = ValidConvModel();
  m.tensors[1].sparse = true;
  EXPECT_EQ(ReadError(m.Build()),
            Expected("tensor 1 'conv1/weights': sparse tensors are not supported"));
}

TEST(TfliteCorrupt, ModelLevelProblems) {
  RawModel m = ValidConvModel();
  m.version = 2;
  EXPECT_EQ(ReadError(m.Build()), Expected("schema version 2, expected 3"));

  m = ValidConvModel();
  m.subgraph_count = 0;
  EXPECT_EQ(ReadError(m.Build()), Expected("the model has no subgraphs"));

  m = ValidConvModel();
  m.subgraph_count = 3;
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->subgraph_count, 3);
}

TEST(TfliteCorrupt, OperatorCodeProblems) {
  RawModel m = ValidConvModel();
  m.opcodes[0] = RawOpcode{32, 32, "", 1};
  m.ops[0].conv_options = false;
  EXPECT_EQ(ReadError(m.Build()), Expected("op 0: CUSTOM op without a custom_code"));

  m = ValidConvModel();
  m.opcodes[0] = RawOpcode{-5, -7, "", 1};
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0: operator code 0 has the negative builtin code -5"));

  // A code newer than our schema reads as an unsupported builtin named by its number.
  m = ValidConvModel();
  m.opcodes[0] = RawOpcode{127, 5000, "", 1};
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kUnsupportedBuiltin);
  EXPECT_EQ(ir::OpName(graph->ops[0]), "BUILTIN_5000");

  // Old files: only the byte is set.
  m = ValidConvModel();
  m.opcodes[0] = RawOpcode{3, 0, "", 1};
  graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kConv2D);
}

TEST(TfliteCorrupt, BadOptionsOfOpsWeRun) {
  RawModel m = ValidConvModel();
  m.ops[0].conv_options = false;
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (CONV_2D): missing Conv2DOptions (builtin_options holds NONE)"));

  m = ValidConvModel();
  m.ops[0].stride = 0;
  EXPECT_EQ(ReadError(m.Build()), Expected("op 0 (CONV_2D): stride_w is 0, expected >= 1"));

  m = ValidConvModel();
  m.ops[0].stride = -3;
  EXPECT_EQ(ReadError(m.Build()), Expected("op 0 (CONV_2D): stride_w is -3, expected >= 1"));
}

// One op with code `code` whose options `make` builds, on the conv model's tensors.
RawModel ModelWithOp(int32_t code, OptionsMaker make) {
  RawModel m = ValidConvModel();
  m.opcodes[0] =
      RawOpcode{.deprecated_code = static_cast<int8_t>(std::min(code, 127)), .code = code};
  m.ops[0].make_options = std::move(make);
  return m;
}

TEST(TfliteCorrupt, BadEnumValuesInOptions) {
  RawModel m = ModelWithOp(3, [](auto& fbb, auto* options) {
    *options = fb::CreateConv2DOptions(fbb, fb::Padding::SAME, 1, 1,
                                       static_cast<fb::ActivationFunctionType>(9))
                   .Union();
    return fb::BuiltinOptions::Conv2DOptions;
  });
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (CONV_2D): fused activation 9 is not a TFLite ActivationFunctionType "
                     "(0..5)"));

  m = ModelWithOp(3, [](auto& fbb, auto* options) {
    *options = fb::CreateConv2DOptions(fbb, static_cast<fb::Padding>(5), 1, 1).Union();
    return fb::BuiltinOptions::Conv2DOptions;
  });
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (CONV_2D): padding 5 is neither SAME (0) nor VALID (1)"));

  m = ModelWithOp(3, [](auto& fbb, auto* options) {
    *options = fb::CreateConv2DOptions(fbb, fb::Padding::SAME, 1, 1,
                                       fb::ActivationFunctionType::NONE, 1, 0)
                   .Union();
    return fb::BuiltinOptions::Conv2DOptions;
  });
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (CONV_2D): dilation_h_factor is 0, expected >= 1"));

  m = ModelWithOp(56 /* ARG_MAX */, [](auto& fbb, auto* options) {
    *options = fb::CreateArgMaxOptions(fbb, fb::TensorType::FLOAT32).Union();
    return fb::BuiltinOptions::ArgMaxOptions;
  });
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (ARG_MAX): output_type FLOAT32, expected INT32 or INT64"));

  // Options of another op type: as missing.
  m = ModelWithOp(17 /* MAX_POOL_2D */, [](auto& fbb, auto* options) {
    *options = fb::CreateAddOptions(fbb).Union();
    return fb::BuiltinOptions::AddOptions;
  });
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (MAX_POOL_2D): missing Pool2DOptions (builtin_options holds "
                     "AddOptions)"));
}

TEST(TfliteCorrupt, OptionsTheIrCannotExpressMakeTheOpUnsupported) {
  // Shuffled FULLY_CONNECTED weights: reading it as a plain FULLY_CONNECTED would compute
  // garbage, so it stays an (unsupported) FULLY_CONNECTED that the writer will not rewrite.
  RawModel m = ModelWithOp(9, [](auto& fbb, auto* options) {
    *options =
        fb::CreateFullyConnectedOptions(fbb, fb::ActivationFunctionType::NONE,
                                        fb::FullyConnectedOptionsWeightsFormat::SHUFFLED4x16INT8)
            .Union();
    return fb::BuiltinOptions::FullyConnectedOptions;
  });
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kUnsupportedBuiltin);
  EXPECT_EQ(ir::OpName(graph->ops[0]), "FULLY_CONNECTED");
  auto written = tflite::WriteModel(*graph);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.status().message().find("op 0 (FULLY_CONNECTED)"), std::string::npos)
      << written.status().message();

  m = ModelWithOp(3, [](auto& fbb, auto* options) {
    *options =
        fb::CreateConv2DOptions(fbb, fb::Padding::SAME, 1, 1, fb::ActivationFunctionType::NONE, 1,
                                1, fb::TensorType::INT64)
            .Union();
    return fb::BuiltinOptions::Conv2DOptions;
  });
  graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kUnsupportedBuiltin);

  // pot_scale_int16 = false only matters for int16 inputs.
  auto add_without_pot_scale = [](auto& fbb, auto* options) {
    *options = fb::CreateAddOptions(fbb, fb::ActivationFunctionType::RELU, false).Union();
    return fb::BuiltinOptions::AddOptions;
  };
  m = ModelWithOp(0, add_without_pot_scale);
  graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kAdd);
  EXPECT_EQ(graph->ops[0].opts<ir::ElementwiseOptions>().activation, ir::Activation::kRelu);
  m.tensors[0].type = fb::TensorType::INT16;
  m.tensors[0].zero_point = {0};
  graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kUnsupportedBuiltin);
  EXPECT_EQ(ir::OpName(graph->ops[0]), "ADD");
}

TEST(TfliteCorrupt, PassThroughBuiltinsKeepTheirOptions) {
  RawModel m = ModelWithOp(82 /* REDUCE_MAX */, [](auto& fbb, auto* options) {
    *options = fb::CreateReducerOptions(fbb, true).Union();
    return fb::BuiltinOptions::ReducerOptions;
  });
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].type, ir::OpType::kUnsupportedBuiltin);
  EXPECT_EQ(ir::OpName(graph->ops[0]), "REDUCE_MAX");
  EXPECT_EQ(graph->ops[0].opts<ir::ReducerOptions>().keep_dims, true);
  auto written = tflite::WriteModel(*graph);
  ASSERT_TRUE(written.ok()) << written.status().message();
  auto reread = Read(*written);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(ir::DescribeDifference(*graph, *reread), "");

  // SPLIT_V with a split count that cannot be right: read, but not written back.
  m = ModelWithOp(102 /* SPLIT_V */, [](auto& fbb, auto* options) {
    *options = fb::CreateSplitVOptions(fbb, 0).Union();
    return fb::BuiltinOptions::SplitVOptions;
  });
  graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_TRUE(std::holds_alternative<std::monostate>(graph->ops[0].options));
  written = tflite::WriteModel(*graph);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.status().message().find("op 0 (SPLIT_V)"), std::string::npos);
}

TEST(TfliteCorrupt, BuffersOutsideTheFlatbuffer) {
  // Data after the flatbuffer, found by file offset (how models over 2 GiB store weights).
  RawModel m = ValidConvModel();
  std::vector<uint8_t> trailer(216);
  for (size_t i = 0; i < trailer.size(); ++i) trailer[i] = static_cast<uint8_t>(255 - i);
  (*m.buffers)[1] = RawBuffer{.offset = 2, .size = 216};  // placeholder offset, same encoded size
  const size_t flatbuffer_size = m.Build().size();
  (*m.buffers)[1].offset = flatbuffer_size;
  std::vector<uint8_t> bytes = m.Build();
  ASSERT_EQ(bytes.size(), flatbuffer_size);
  bytes.insert(bytes.end(), trailer.begin(), trailer.end());
  auto graph = Read(bytes);
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  const ir::Tensor& w = graph->tensor(1);
  EXPECT_TRUE(std::equal(w.data.begin(), w.data.end(), trailer.begin(), trailer.end()));

  bytes.resize(bytes.size() - 1);
  EXPECT_EQ(ReadError(bytes),
            Expected("tensor 1 'conv1/weights': buffer 1 at file offset " +
                     std::to_string(flatbuffer_size) + " with 216 bytes lies outside the " +
                     std::to_string(bytes.size()) + "-byte file"));

  m = ValidConvModel();
  (*m.buffers)[1] = RawBuffer{.offset = 0xffffffffffffff00ull, .size = 0x1000};
  EXPECT_NE(ReadError(m.Build()).find("lies outside the"), std::string::npos);
}

TEST(TfliteCorrupt, CustomOptionsOutsideTheFlatbuffer) {
  RawModel m = ValidConvModel();
  m.opcodes[0] = RawOpcode{32, 32, "my-op", 1};
  m.ops[0].conv_options = false;
  m.ops[0].large_custom_options_offset = 2;
  m.ops[0].large_custom_options_size = 5;
  const size_t flatbuffer_size = m.Build().size();
  m.ops[0].large_custom_options_offset = flatbuffer_size;
  std::vector<uint8_t> bytes = m.Build();
  ASSERT_EQ(bytes.size(), flatbuffer_size);
  for (uint8_t b : {9, 8, 7, 6, 5}) bytes.push_back(b);
  auto graph = Read(bytes);
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->ops[0].opts<ir::CustomOptions>().bytes, (std::vector<uint8_t>{9, 8, 7, 6, 5}));

  bytes.resize(bytes.size() - 2);
  EXPECT_NE(ReadError(bytes).find("op 0 (CUSTOM(my-op)): custom options at file offset"),
            std::string::npos);
}

TEST(TfliteCorrupt, MetadataProblems) {
  RawModel m = ValidConvModel();
  m.metadata = {{"edgeforge_labels", 9}};
  EXPECT_EQ(ReadError(m.Build()),
            Expected("metadata 'edgeforge_labels': buffer index 9 out of range (the model has 3 "
                     "buffers)"));

  m = ValidConvModel();
  const std::string text = "mean=1,abc;std=2";
  m.buffers->push_back(RawBuffer{.data = std::vector<uint8_t>(text.begin(), text.end())});
  m.metadata = {{"edgeforge_preprocess", 3}};
  EXPECT_EQ(ReadError(m.Build()),
            Expected("metadata 'edgeforge_preprocess': 'abc' is not a number"));

  m = ValidConvModel();
  const std::string good = "mean=1,2.5;std=0.5;future=7";
  m.buffers->push_back(RawBuffer{.data = std::vector<uint8_t>(good.begin(), good.end())});
  m.metadata = {{"edgeforge_preprocess", 3}, {"other", 0}};
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->metadata.input_mean, (std::vector<float>{1.0f, 2.5f}));
  EXPECT_EQ(graph->metadata.input_std, (std::vector<float>{0.5f}));
  ASSERT_EQ(graph->metadata.extra.size(), 1u);
  EXPECT_EQ(graph->metadata.extra[0].first, "other");
}

TEST(TfliteCorrupt, SharedDataCannotBlowUpTheCopy) {
  // 3000 metadata entries all naming one 100 KB buffer: a 100 KB file that would copy 300 MB.
  RawModel m = ValidConvModel();
  m.buffers->push_back(RawBuffer{.data = std::vector<uint8_t>(100000, 7)});
  for (int i = 0; i < 3000; ++i) m.metadata.emplace_back("blob", 3);
  const std::string message = ReadError(m.Build());
  EXPECT_EQ(message.rfind(Expected("the model refers to the same data so often that reading it "
                                   "would copy more than "),
                          0),
            0u)
      << message;

  // RESHAPE options listing more dimensions than any tensor has.
  m = ModelWithOp(22 /* RESHAPE */, [](auto& fbb, auto* options) {
    *options =
        fb::CreateReshapeOptions(fbb, fbb.CreateVector(std::vector<int32_t>(1000, 1))).Union();
    return fb::BuiltinOptions::ReshapeOptions;
  });
  EXPECT_EQ(ReadError(m.Build()),
            Expected("op 0 (RESHAPE): new_shape has 1000 entries, more than 64"));
}

TEST(TfliteCorrupt, ModelWithoutBuffersList) {
  // Tensors point at buffer 0 and the file has no buffers at all (hand-written models do it).
  RawModel m = ValidConvModel();
  m.buffers.reset();
  m.tensors[1].buffer = 0;
  m.tensors[2].buffer = 0;
  auto graph = Read(m.Build());
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_FALSE(graph->tensor(1).is_constant());

  m.tensors[1].buffer = 1;
  EXPECT_NE(ReadError(m.Build()).find("buffer index 1 out of range (the model has 0 buffers)"),
            std::string::npos);
}

}  // namespace
}  // namespace edgeforge
