// Float zoo models for the quantization tests: random weights and random batch-norm statistics,
// folded into inference form and written as .tflite once per test binary.
//
// Random networks are not trained ones: their logits reach the hundreds (the softmax is
// one-hot) and they amplify small perturbations layer after layer. Batch-norm statistics
// re-estimated on photos (every layer normalised) made that worse, not better: float16 weight
// rounding (5e-4) then moved the logits by 2-6 %. With the statistics below, float16 stays
// within 1e-2 of float.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ir/training_passes.h"
#include "models/zoo.h"
#include "quant_test_graphs.h"
#include "tflite/writer.h"

namespace edgeforge::testing {

struct ZooCase {
  std::string architecture;
  int image_size = 32;
  int channels = 3;
};

inline std::string CaseName(const ZooCase& c) {
  return c.architecture + " " + std::to_string(c.image_size) + "x" + std::to_string(c.image_size) + "x" +
         std::to_string(c.channels);
}

// `g` cut after the op that writes `tensor`, which becomes the only output.
inline ir::Graph OutputAt(const ir::Graph& g, int tensor) {
  ir::Graph cut = g;
  for (size_t i = 0; i < cut.ops.size(); ++i) {
    const auto& outs = cut.ops[i].outputs;
    if (std::find(outs.begin(), outs.end(), tensor) != outs.end()) {
      cut.ops.resize(i + 1);
      break;
    }
  }
  cut.outputs = {tensor};
  return cut;
}

// Freshly initialised BN statistics (mean 0, variance 1, gamma 1, beta 0) fold into nothing;
// random ones make folding and the activation ranges non-trivial, as after training.
inline void RandomizeBatchNorm(ir::Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> gamma(0.5f, 1.5f), shift(-0.5f, 0.5f), variance(0.25f, 2.0f);
  for (const ir::Op& op : g.ops) {
    if (op.type != ir::OpType::kBatchNorm) continue;
    const size_t c = g.tensor(op.inputs[1]).values<float>().size();
    std::vector<float> gm(c), bt(c), mn(c), vr(c);
    for (size_t i = 0; i < c; ++i) {
      gm[i] = gamma(rng);
      bt[i] = shift(rng);
      mn[i] = shift(rng);
      vr[i] = variance(rng);
    }
    g.tensor(op.inputs[1]).SetValues(gm);
    g.tensor(op.inputs[2]).SetValues(bt);
    g.tensor(op.inputs[3]).SetValues(mn);
    g.tensor(op.inputs[4]).SetValues(vr);
  }
}

// A fresh classifier (fan-in initialised) gives 10 near-equal logits, whose top-1 any rounding
// flips; a trained one spreads them over several units. Scaling its weights by 10 does that
// (the MnasNet reference's own +-1/sqrt(10) initial range), so top-1 agreement means something.
inline void SpreadLogits(ir::Graph& g) {
  for (const ir::Op& op : g.ops) {
    if (op.type != ir::OpType::kFullyConnected) continue;
    ir::Tensor& w = g.tensor(op.inputs[1]);
    const std::span<const float> old = w.values<float>();
    std::vector<float> values(old.begin(), old.end());
    for (float& v : values) v *= 10;
    w.SetValues(values);
  }
}

// The float inference-form .tflite of `c` (10 classes), built once per test binary.
inline std::string RandomFloatModel(const ZooCase& c) {
  static TempDir cache;
  static std::map<std::string, std::string> built;
  const std::string name = CaseName(c);
  if (auto it = built.find(name); it != built.end()) return it->second;

  models::ModelOptions options;
  options.image_size = c.image_size;
  options.channels = c.channels;
  options.num_classes = 10;
  options.seed = 7;
  auto training = models::BuildModel(c.architecture, options);
  EXPECT_TRUE(training.ok()) << training.status().message();
  if (!training.ok()) return "";
  RandomizeBatchNorm(*training, 11);
  SpreadLogits(*training);
  auto inference = ir::ToInferenceForm(*training);
  EXPECT_TRUE(inference.ok()) << inference.status().message();
  if (!inference.ok()) return "";
  const std::string path = cache.file(c.architecture + "_" + std::to_string(c.image_size) + "_" +
                                      std::to_string(c.channels) + ".tflite");
  Status written = tflite::WriteModelFile(*inference, path);
  EXPECT_TRUE(written.ok()) << written.message();
  built[name] = path;
  return path;
}

}  // namespace edgeforge::testing
