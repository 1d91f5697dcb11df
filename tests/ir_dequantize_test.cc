// The float counterpart of a quantized model: it must load and run in the TFLite runtime,
// agree with it to float rounding, and classify like the quantized model.
#include "ir/dequantize_pass.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "edgeforge/interpreter.h"
#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::RunShell;
using testing::TempDir;
using testing::TestData;
using testing::WriteBytes;

std::vector<float> FloatsOf(const std::vector<uint8_t>& bytes) {
  std::vector<float> f(bytes.size() / 4);
  std::memcpy(f.data(), bytes.data(), f.size() * 4);
  return f;
}

TEST(IrDequantize, Tf2MobileNetV2MatchesTfliteAndClassifiesTheSame) {
  auto graph = tflite::ReadModelFile(TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"));
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  auto floated = ir::DequantizeGraph(graph.value());
  ASSERT_TRUE(floated.ok()) << floated.status().message();
  for (const ir::Op& op : floated->ops) {
    EXPECT_NE(op.type, ir::OpType::kQuantize);
    EXPECT_NE(op.type, ir::OpType::kDequantize);
  }
  for (const ir::Tensor& t : floated->tensors) {
    if (t.dtype != DType::kInt32) {
      EXPECT_EQ(t.dtype, DType::kFloat32) << t.name;
    }
  }
  TempDir tmp;
  const std::string path = tmp.file("float.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(floated.value(), path).ok());

  // The quantized input stood for real = s * (q - z); feed the float model exactly that.
  auto pixels = ReadBytes(TestData("golden/tf2_mobilenet_v2_1.0_224_ptq__cat.in.bin"));
  const ir::Tensor& qin = graph->tensor(graph->inputs[0]);
  std::vector<float> real(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) {
    real[i] = qin.quant.scale[0] * static_cast<float>(pixels[i] - qin.quant.zero_point[0]);
  }
  std::vector<uint8_t> in_bytes(real.size() * 4);
  std::memcpy(in_bytes.data(), real.data(), in_bytes.size());
  WriteBytes(tmp.file("in.bin"), in_bytes);
  EXPECT_EQ(floated->metadata.input_mean[0], 127.0f);

  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto interp = Interpreter::Create(model.value());
  ASSERT_TRUE(interp.ok()) << interp.status().message();
  ASSERT_TRUE(interp.value()->SetInput(0, in_bytes).ok());
  ASSERT_TRUE(interp.value()->Invoke().ok());
  std::vector<float> ours = interp.value()->OutputAsFloat(0);
  EXPECT_EQ(TopK(ours, 1)[0].index, 286);  // Egyptian cat, as the int8 golden

  const std::string oracle = std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs";
  ASSERT_TRUE(std::filesystem::exists(oracle)) << "TFLite oracle missing: run scripts/test.sh, which installs it";
  auto r = RunShell("node " + oracle + " " + path + " " + tmp.file("in.bin") + " " + tmp.file("out.bin"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<float> theirs = FloatsOf(ReadBytes(tmp.file("out.bin")));
  ASSERT_EQ(theirs.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_NEAR(ours[i], theirs[i], 1e-4f) << "class " << i;
}

}  // namespace
}  // namespace edgeforge
