// Whole-stack robustness: corrupted copies of a real model go through everything a user's
// command would run (read, verify, prepare every kernel, invoke). Each must either work or fail
// with a Status naming the model — never crash (this suite also runs under ASan+UBSan).
#include <gtest/gtest.h>

#include <random>

#include "edgeforge/interpreter.h"
#include "test_util.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::TestData;

// Loads, prepares and (when that works) invokes a model. Returns the error message, or "" on
// success.
std::string LoadAndRun(std::vector<uint8_t> bytes, const std::string& name) {
  auto model = Model::FromBuffer(std::move(bytes), name);
  if (!model.ok()) return model.status().message();
  auto interp = Interpreter::Create(model.value());
  if (!interp.ok()) return interp.status().message();
  for (size_t i = 0; i < interp.value()->num_inputs(); ++i) {
    auto in = interp.value()->input_bytes(i);
    for (size_t k = 0; k < in.size(); ++k) in[k] = static_cast<uint8_t>(k * 7);
  }
  Status s = interp.value()->Invoke();
  return s.ok() ? "" : s.message();
}

class RuntimeFuzz : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { original_ = new std::vector<uint8_t>(ReadBytes(TestData("coral/mobilenet_v1_0.25_128_quant.tflite"))); }
  static void TearDownTestSuite() { delete original_; }
  static std::vector<uint8_t>* original_;
};
std::vector<uint8_t>* RuntimeFuzz::original_ = nullptr;

TEST_F(RuntimeFuzz, OriginalRuns) { EXPECT_EQ(LoadAndRun(*original_, "m.tflite"), ""); }

TEST_F(RuntimeFuzz, TruncationsFailCleanly) {
  // The file ends with bytes no table refers to (padding, unreferenced data): cutting only
  // those leaves a valid model, which loads and runs as in the TFLite runtime. Every other cut
  // must fail with a message naming the file.
  std::mt19937 rng(7);
  int failed = 0;
  for (int trial = 0; trial < 60; ++trial) {
    size_t cut = rng() % original_->size();
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::vector<uint8_t> bytes(original_->begin(), original_->begin() + static_cast<long>(cut));
    std::string err = LoadAndRun(bytes, "cut.tflite");
    if (err.empty()) continue;
    ++failed;
    EXPECT_NE(err.find("cut.tflite"), std::string::npos) << err;
  }
  EXPECT_GE(failed, 50);
}

// Mutations land where the structure lives: flatbuffer tables, vectors of shapes, indices and
// quantization parameters, which sit outside the big weight buffers. We mutate positions
// anywhere, but weight bytes only change numbers, so most trials target the structure.
TEST_F(RuntimeFuzz, MutationsNeverCrash) {
  std::mt19937 rng(2024);
  const size_t n = original_->size();
  int loaded = 0, rejected = 0;
  for (int trial = 0; trial < 120; ++trial) {
    std::vector<uint8_t> bytes = *original_;
    int flips = 1 + static_cast<int>(rng() % 4);
    std::string what;
    for (int f = 0; f < flips; ++f) {
      // 3 of 4 mutations in the first or last 16 KB (tables and metadata), the rest anywhere.
      size_t pos = (rng() % 4 == 0) ? rng() % n : (rng() % 2 ? rng() % 16384 : n - 1 - rng() % 16384);
      if (rng() % 2) {
        bytes[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
      } else {
        bytes[pos] = static_cast<uint8_t>(rng());
      }
      what += std::to_string(pos) + " ";
    }
    SCOPED_TRACE("trial " + std::to_string(trial) + " mutated bytes at " + what);
    std::string err = LoadAndRun(bytes, "mutant.tflite");
    if (err.empty()) {
      ++loaded;
    } else {
      ++rejected;
      EXPECT_NE(err.find("mutant.tflite"), std::string::npos) << err;
    }
  }
  EXPECT_GT(rejected, 0);
  RecordProperty("loaded", loaded);
}

}  // namespace
}  // namespace edgeforge
