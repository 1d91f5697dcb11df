// Writing models: read -> write -> read gives the same graph for every Coral model, the file
// layout follows the format's conventions, metadata round-trips, and graphs the writer cannot
// reproduce faithfully are refused with a message naming the culprit.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/tflite_schema_generated.h"
#include "tflite/writer.h"
#include "tflite_test_graphs.h"

namespace edgeforge {
namespace {

using testing::TestData;

ir::Graph ReadFile(const std::string& relative) {
  auto graph = tflite::ReadModelFile(TestData(relative));
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  return graph.ok() ? std::move(graph).value() : ir::Graph{};
}

// Writes `g` and reads the bytes back.
StatusOr<ir::Graph> WriteAndRead(const ir::Graph& g) {
  auto bytes = tflite::WriteModel(g);
  if (!bytes.ok()) return bytes.status();
  auto owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes).value());
  return tflite::ReadModel(*owned, owned, "rewritten");
}

std::string WriteError(const ir::Graph& g) {
  auto bytes = tflite::WriteModel(g);
  EXPECT_FALSE(bytes.ok()) << "writing unexpectedly succeeded";
  return bytes.ok() ? "" : bytes.status().message();
}

TEST(TfliteWriter, RoundTripsEveryCoralModel) {
  const std::vector<std::string> models = {
      "coral/mobilenet_v1_0.25_128_quant.tflite",
      "coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite",
      "coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite",
      "coral/mobilenet_v2_1.0_224_quant.tflite",
      "coral/tf2_mobilenet_v2_1.0_224_ptq.tflite",
      "coral/invalid/model_invoking_error.tflite",
  };
  for (const std::string& model : models) {
    SCOPED_TRACE(model);
    ir::Graph original = ReadFile(model);
    auto reread = WriteAndRead(original);
    ASSERT_TRUE(reread.ok()) << reread.status().message();
    EXPECT_EQ(ir::DescribeDifference(original, *reread), "");
    // And a second generation is byte-identical to the first.
    auto first = tflite::WriteModel(original);
    auto second = tflite::WriteModel(*reread);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_TRUE(*first == *second);
  }
}

TEST(TfliteWriter, LstmModelIsRefusedNamingTheOp) {
  // The LSTM's options (cell clip, time major, ...) have no place in the IR: writing the op
  // without them would change the model, so the writer says so instead.
  ir::Graph g = ReadFile("coral/keras_lstm_mnist_ptq.tflite");
  const std::string message = WriteError(g);
  EXPECT_NE(message.find("op 1 (UNIDIRECTIONAL_SEQUENCE_LSTM)"), std::string::npos) << message;
  EXPECT_NE(message.find("cannot write"), std::string::npos) << message;
}

TEST(TfliteWriter, FileLayoutFollowsTheFormat) {
  ir::Graph g = ReadFile("coral/mobilenet_v1_0.25_128_quant.tflite");
  auto bytes = tflite::WriteModel(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  ASSERT_TRUE(::tflite::ModelBufferHasIdentifier(bytes->data()));
  flatbuffers::Verifier verifier(bytes->data(), bytes->size());
  ASSERT_TRUE(::tflite::VerifyModelBuffer(verifier));
  const ::tflite::Model* model = ::tflite::GetModel(bytes->data());
  EXPECT_EQ(model->version(), 3u);
  ASSERT_EQ(model->subgraphs()->size(), 1u);

  // Buffer 0: the empty sentinel. Then one buffer per constant, then one per metadata entry.
  size_t constants = 0;
  for (const ir::Tensor& t : g.tensors) constants += t.is_constant();
  const auto* buffers = model->buffers();
  ASSERT_EQ(buffers->size(), 1 + constants + g.metadata.extra.size());
  EXPECT_TRUE(!buffers->Get(0)->data() || buffers->Get(0)->data()->size() == 0);
  std::set<uint32_t> used;
  for (const ::tflite::Tensor* t : *model->subgraphs()->Get(0)->tensors()) {
    if (t->buffer() == 0) continue;
    EXPECT_TRUE(used.insert(t->buffer()).second) << "buffer shared: " << t->buffer();
    const auto* data = buffers->Get(t->buffer())->data();
    ASSERT_NE(data, nullptr);
    EXPECT_EQ((data->data() - bytes->data()) % 16, 0) << t->name()->str();
  }
  EXPECT_EQ(used.size(), constants);

  // Operator codes: one per (code, version), both code fields set.
  const auto* codes = model->operator_codes();
  ASSERT_EQ(codes->size(), 5u);  // CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, RESHAPE, SOFTMAX
  for (const ::tflite::OperatorCode* code : *codes) {
    EXPECT_EQ(static_cast<int32_t>(code->deprecated_builtin_code()),
              static_cast<int32_t>(code->builtin_code()));
  }
  ASSERT_NE(model->metadata(), nullptr);
  EXPECT_EQ(model->metadata()->Get(0)->name()->str(), "min_runtime_version");
}

TEST(TfliteWriter, HandBuiltGraphRoundTrips) {
  ir::Graph g = testing::AllOpsFloatGraph();
  auto reread = WriteAndRead(g);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(ir::DescribeDifference(g, *reread), "");
  // Pass-through builtins come back as kUnsupportedBuiltin with their code and options.
  std::set<std::string> names;
  for (const ir::Op& op : reread->ops) {
    if (op.type == ir::OpType::kUnsupportedBuiltin) names.insert(ir::OpName(op));
  }
  EXPECT_EQ(names, (std::set<std::string>{"DIV", "RELU_0_TO_1", "TRANSPOSE", "SUM"}));
}

TEST(TfliteWriter, CodesAbove127UseThePlaceholderByte) {
  ir::Graph g = testing::AllOpsFloatGraph();
  auto bytes = tflite::WriteModel(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  const ::tflite::Model* model = ::tflite::GetModel(bytes->data());
  bool found = false;
  for (const ::tflite::OperatorCode* code : *model->operator_codes()) {
    if (code->builtin_code() != ::tflite::BuiltinOperator::RELU_0_TO_1) continue;
    found = true;
    EXPECT_EQ(code->deprecated_builtin_code(), 127);
  }
  EXPECT_TRUE(found);
}

TEST(TfliteWriter, MetadataRoundTrips) {
  ir::Graph g = testing::AllOpsFloatGraph();
  g.metadata.name = "flowers";
  g.metadata.description = "MnasNet-A1 transfer-learned on flowers";
  g.metadata.labels = {"daisy", "dandelion", "", "roses", "tulips"};
  g.metadata.input_mean = {127.5f, 127.5f, 0.1f};
  g.metadata.input_std = {127.5f, 1e-7f, 3.3333333f};
  g.metadata.extra = {{"min_runtime_version", {'1', '.', '1', '4', 0}}, {"blob", {0, 1, 2, 255}}};
  auto reread = WriteAndRead(g);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(ir::DescribeDifference(g, *reread), "");
  EXPECT_EQ(reread->metadata, g.metadata);

  // A single empty label is still one label.
  g.metadata.labels = {""};
  reread = WriteAndRead(g);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(reread->metadata.labels, std::vector<std::string>{""});
}

TEST(TfliteWriter, MetadataEntriesAreReadableByName) {
  ir::Graph g = testing::AllOpsFloatGraph();
  g.metadata.labels = {"cat", "dog"};
  g.metadata.input_mean = {127.5f, 127.5f, 127.5f};
  g.metadata.input_std = {127.5f, 127.5f, 127.5f};
  auto bytes = tflite::WriteModel(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  const ::tflite::Model* model = ::tflite::GetModel(bytes->data());
  std::map<std::string, std::string> entries;
  for (const ::tflite::Metadata* m : *model->metadata()) {
    const auto* data = model->buffers()->Get(m->buffer())->data();
    entries[m->name()->str()] = std::string(data->begin(), data->end());
  }
  EXPECT_EQ(entries["edgeforge_labels"], "cat\ndog");
  EXPECT_EQ(entries["edgeforge_preprocess"], "mean=127.5,127.5,127.5;std=127.5,127.5,127.5");
}

TEST(TfliteWriter, WriteModelFileThenReadModelFile) {
  testing::TempDir dir;
  ir::Graph g = ReadFile("coral/mobilenet_v1_0.25_128_quant.tflite");
  const std::string path = dir.file("v1.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(g, path).ok());
  auto reread = tflite::ReadModelFile(path);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(ir::DescribeDifference(g, *reread), "");

  Status bad = tflite::WriteModelFile(g, dir.file("no_such_dir/v1.tflite"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("no_such_dir/v1.tflite"), std::string::npos) << bad.message();
}

TEST(TfliteWriter, RefusesTrainingOnlyOps) {
  ir::Graph g = testing::AllOpsFloatGraph();
  g.ops[2].type = ir::OpType::kBatchNorm;
  g.ops[2].options = ir::BatchNormOptions{};
  std::string message = WriteError(g);
  EXPECT_NE(message.find("op 2 (BATCH_NORM)"), std::string::npos) << message;
  EXPECT_NE(message.find("training-only"), std::string::npos) << message;

  g = testing::AllOpsFloatGraph();
  g.ops[5].type = ir::OpType::kDropout;
  g.ops[5].options = ir::DropoutOptions{};
  message = WriteError(g);
  EXPECT_NE(message.find("op 5 (DROPOUT)"), std::string::npos) << message;
}

TEST(TfliteWriter, RefusesBuiltinsWhoseOptionsWereNotKept) {
  ir::Graph g = testing::AllOpsFloatGraph();
  g.ops[0].type = ir::OpType::kUnsupportedBuiltin;
  g.ops[0].builtin_code = 36;  // GATHER: options (axis, batch_dims) not kept
  g.ops[0].options = std::monostate{};
  std::string message = WriteError(g);
  EXPECT_NE(message.find("op 0 (GATHER)"), std::string::npos) << message;

  // A pass-through builtin holding the wrong options struct.
  g = testing::AllOpsFloatGraph();
  for (ir::Op& op : g.ops) {
    if (op.type == ir::OpType::kUnsupportedBuiltin && op.builtin_code == 74) {
      op.options = ir::SplitOptions{2};
    }
  }
  message = WriteError(g);
  EXPECT_NE(message.find("(SUM)"), std::string::npos) << message;
  EXPECT_NE(message.find("ReducerOptions"), std::string::npos) << message;
}

TEST(TfliteWriter, RefusesInconsistentTensors) {
  ir::Graph g = testing::AllOpsFloatGraph();
  g.tensors[1].SetData(std::vector<uint8_t>(100));
  EXPECT_EQ(WriteError(g),
            "cannot write model: tensor 1 'conv/weights': buffer holds 100 bytes, shape "
            "[4,3,3,3] float32 needs 432");

  g = testing::AllOpsFloatGraph();
  g.tensors[1].quant.scale = {0.5f, 0.25f, 0.125f};
  g.tensors[1].quant.zero_point = {0, 0};
  EXPECT_NE(
      WriteError(g).find("tensor 1 'conv/weights': quantization has 3 scales but 2 zero points"),
      std::string::npos);

  g = testing::AllOpsFloatGraph();
  g.tensors[1].quant.scale = {0.5f, 0.25f, 0.125f};
  g.tensors[1].quant.zero_point = {0, 0, 0};
  g.tensors[1].quant.quantized_dimension = 0;  // dimension 0 is 4, not 3
  EXPECT_NE(WriteError(g).find("3 scales but dimension 0 of shape [4,3,3,3] is 4"),
            std::string::npos);

  g = testing::AllOpsFloatGraph();
  g.tensors[0].shape = {1, -8, 8, 3};
  EXPECT_NE(WriteError(g).find("tensor 0 'input': shape [1,-8,8,3] has a negative dimension"),
            std::string::npos);
}

TEST(TfliteWriter, RefusesBrokenOpsAndGraphs) {
  ir::Graph g = testing::AllOpsFloatGraph();
  g.ops[0].inputs[1] = 999;
  std::string message = WriteError(g);
  EXPECT_NE(message.find("op 0 (CONV_2D): input 1 is tensor 999, out of range"), std::string::npos)
      << message;

  g = testing::AllOpsFloatGraph();
  g.ops[0].outputs[0] = ir::kNoTensor;
  message = WriteError(g);
  EXPECT_NE(message.find("op 0 (CONV_2D): output 0 is tensor -1"), std::string::npos) << message;

  g = testing::AllOpsFloatGraph();
  g.ops[0].options = ir::Pool2DOptions{};
  message = WriteError(g);
  EXPECT_NE(message.find("op 0 (CONV_2D): options are not Conv2DOptions"), std::string::npos)
      << message;

  g = testing::AllOpsFloatGraph();
  g.ops[0].opts<ir::Conv2DOptions>().stride_h = 0;
  message = WriteError(g);
  EXPECT_NE(message.find("op 0 (CONV_2D): stride_h is 0, expected >= 1"), std::string::npos)
      << message;

  g = testing::AllOpsFloatGraph();
  g.ops[0].type = ir::OpType::kCustom;
  g.ops[0].custom_code = "";
  g.ops[0].options = std::monostate{};
  message = WriteError(g);
  EXPECT_NE(message.find("custom op without a name"), std::string::npos) << message;

  g = testing::AllOpsFloatGraph();
  g.subgraph_count = 3;
  message = WriteError(g);
  EXPECT_NE(message.find("3 subgraphs"), std::string::npos) << message;

  g = testing::AllOpsFloatGraph();
  g.outputs.push_back(12345);
  message = WriteError(g);
  EXPECT_NE(message.find("output 2 is tensor 12345"), std::string::npos) << message;

  g = testing::AllOpsFloatGraph();
  g.metadata.labels = {"a\nb"};
  message = WriteError(g);
  EXPECT_NE(message.find("label 0 contains a line break"), std::string::npos) << message;

  g = testing::AllOpsFloatGraph();
  g.metadata.extra = {{"edgeforge_labels", {}}};
  message = WriteError(g);
  EXPECT_NE(message.find("reserves"), std::string::npos) << message;
}

TEST(TfliteWriter, CustomOpsKeepTheirOptionsBytes) {
  ir::Graph g = testing::AllOpsFloatGraph();
  ir::Op custom;
  custom.type = ir::OpType::kCustom;
  custom.custom_code = "my-op";
  custom.version = 2;
  custom.inputs = {g.outputs[0]};
  custom.outputs = {testing::AddActivation(g, "custom_out", DType::kFloat32, {1, 5})};
  custom.options = ir::CustomOptions{{1, 2, 3, 0, 255}};
  g.ops.push_back(custom);
  auto reread = WriteAndRead(g);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(ir::DescribeDifference(g, *reread), "");
  EXPECT_EQ(reread->ops.back().opts<ir::CustomOptions>().bytes,
            (std::vector<uint8_t>{1, 2, 3, 0, 255}));
  EXPECT_EQ(reread->ops.back().version, 2);
}

TEST(TfliteWriter, DescribeDifferenceNamesTheFirstDifference) {
  ir::Graph a = testing::AllOpsFloatGraph();
  ir::Graph b = a;
  EXPECT_EQ(ir::DescribeDifference(a, b), "");
  b.tensors[1].SetValues(std::vector<float>(108, 0.0f));
  EXPECT_NE(ir::DescribeDifference(a, b).find("tensor 1 'conv/weights': data byte 0"),
            std::string::npos);
  b = a;
  b.ops[0].opts<ir::Conv2DOptions>().stride_w = 2;
  EXPECT_NE(ir::DescribeDifference(a, b).find("op 0 (CONV_2D): options"), std::string::npos);
  b = a;
  b.metadata.labels = {"x"};
  EXPECT_NE(ir::DescribeDifference(a, b).find("metadata labels"), std::string::npos);
  b = a;
  b.tensors[0].quant.scale = {1.0f};
  b.tensors[0].quant.zero_point = {0};
  EXPECT_NE(ir::DescribeDifference(a, b).find("tensor 0 'input': quantization"), std::string::npos);
}

}  // namespace
}  // namespace edgeforge
