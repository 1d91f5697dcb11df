// The recipe pieces against hand-computed values in double: TF's RMSProp (mean square starting at
// 1), SGD with Nesterov momentum, AdamW, weight decay skipping batch norm and frozen parameters,
// optimizer state round trips, the EMA with TF's num_updates decay, the learning-rate schedule
// and label-smoothed cross-entropy.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "train/ema.h"
#include "train/graph_module.h"
#include "train/loss.h"
#include "train/lr_schedule.h"
#include "train/optimizer.h"

namespace edgeforge::train {
namespace {

// Two scalar-valued parameters: a weight and a batch-norm gamma; plus a frozen one.
std::vector<Parameter> ScalarParameters() {
  std::vector<Parameter> params(3);
  const char* names[] = {"w", "bn/gamma", "frozen"};
  const double values[] = {0.5, 2.0, -1.0};
  for (int i = 0; i < 3; ++i) {
    params[i].name = names[i];
    params[i].value = torch::full({1}, values[i], torch::kFloat64).requires_grad_(true);
  }
  params[1].is_batch_norm = true;
  params[2].trainable = false;
  return params;
}

void SetGradients(std::vector<Parameter>& params, const std::vector<double>& grads) {
  for (size_t i = 0; i < params.size(); ++i) {
    params[i].value.mutable_grad() = torch::full({1}, grads[i], torch::kFloat64);
  }
}

double Value(const Parameter& p) { return p.value.item<double>(); }

TEST(TrainRecipe, RmsPropMatchesTfUpdateRule) {
  std::vector<Parameter> params = ScalarParameters();
  OptimizerOptions o;  // rmsprop, decay 0.9, momentum 0.9, epsilon 1e-3, weight decay 1e-5
  o.weight_decay = 0.1;  // large enough to see
  auto opt = Optimizer::Create(o, &params);
  const std::vector<std::vector<double>> grads = {{0.3, -0.2, 5.0}, {-0.1, 0.4, 5.0}};
  const double lrs[] = {0.01, 0.02};
  // By hand: ms0 = 1, mom0 = 0; g includes wd * w except for batch norm.
  double w = 0.5, w_ms = 1, w_mom = 0, gamma = 2.0, g_ms = 1, g_mom = 0;
  for (int step = 0; step < 2; ++step) {
    SetGradients(params, grads[step]);
    opt->Step(lrs[step]);
    const double gw = grads[step][0] + 0.1 * w;
    w_ms = 0.9 * w_ms + 0.1 * gw * gw;
    w_mom = 0.9 * w_mom + lrs[step] * gw / std::sqrt(w_ms + 1e-3);
    w -= w_mom;
    const double gg = grads[step][1];
    g_ms = 0.9 * g_ms + 0.1 * gg * gg;
    g_mom = 0.9 * g_mom + lrs[step] * gg / std::sqrt(g_ms + 1e-3);
    gamma -= g_mom;
    EXPECT_NEAR(Value(params[0]), w, 1e-12) << "step " << step;
    EXPECT_NEAR(Value(params[1]), gamma, 1e-12) << "step " << step;
    EXPECT_EQ(Value(params[2]), -1.0) << "frozen parameters never move";
  }
}

TEST(TrainRecipe, SgdNesterovAndPlainMomentum) {
  for (bool nesterov : {true, false}) {
    std::vector<Parameter> params = ScalarParameters();
    OptimizerOptions o;
    o.kind = OptimizerKind::kSgd;
    o.nesterov = nesterov;
    o.weight_decay = 0.01;
    auto opt = Optimizer::Create(o, &params);
    double w = 0.5, accum = 0, gamma = 2.0, gamma_accum = 0;
    for (int step = 0; step < 3; ++step) {
      const double g0 = 0.3 - 0.2 * step, g1 = 0.1 * step;
      SetGradients(params, {g0, g1, 1.0});
      opt->Step(0.1);
      const double gw = g0 + 0.01 * w;
      accum = 0.9 * accum + gw;
      w -= nesterov ? 0.1 * (gw + 0.9 * accum) : 0.1 * accum;
      gamma_accum = 0.9 * gamma_accum + g1;
      gamma -= nesterov ? 0.1 * (g1 + 0.9 * gamma_accum) : 0.1 * gamma_accum;
      EXPECT_NEAR(Value(params[0]), w, 1e-12) << "nesterov " << nesterov << " step " << step;
      EXPECT_NEAR(Value(params[1]), gamma, 1e-12) << "nesterov " << nesterov << " step " << step;
    }
    EXPECT_EQ(Value(params[2]), -1.0);
  }
}

TEST(TrainRecipe, AdamWDecoupledDecayAndBiasCorrection) {
  std::vector<Parameter> params = ScalarParameters();
  OptimizerOptions o;
  o.kind = OptimizerKind::kAdamW;
  o.epsilon = 1e-8;
  o.weight_decay = 0.05;
  auto opt = Optimizer::Create(o, &params);
  double w = 0.5, m = 0, v = 0, gamma = 2.0, gm = 0, gv = 0;
  for (int t = 1; t <= 3; ++t) {
    const double g0 = 0.3 * t - 0.5, g1 = -0.2 * t;
    SetGradients(params, {g0, g1, 1.0});
    const double lr = 0.01 * t;
    opt->Step(lr);
    w *= 1 - lr * 0.05;
    m = 0.9 * m + 0.1 * g0;
    v = 0.999 * v + 0.001 * g0 * g0;
    w -= lr * (m / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
    gm = 0.9 * gm + 0.1 * g1;
    gv = 0.999 * gv + 0.001 * g1 * g1;
    gamma -= lr * (gm / (1 - std::pow(0.9, t))) / (std::sqrt(gv / (1 - std::pow(0.999, t))) + 1e-8);
    EXPECT_NEAR(Value(params[0]), w, 1e-12) << "step " << t;
    EXPECT_NEAR(Value(params[1]), gamma, 1e-12) << "batch norm: no decay; step " << t;
  }
  EXPECT_EQ(Value(params[2]), -1.0);
}

TEST(TrainRecipe, OptimizerStateRoundTripContinuesIdentically) {
  for (OptimizerKind kind : {OptimizerKind::kRmsProp, OptimizerKind::kSgd, OptimizerKind::kAdamW}) {
    std::vector<Parameter> a = ScalarParameters(), b = ScalarParameters();
    OptimizerOptions o;
    o.kind = kind;
    auto opt_a = Optimizer::Create(o, &a);
    SetGradients(a, {0.3, -0.2, 0});
    opt_a->Step(0.1);
    // b: the same weights, a fresh optimizer loaded from a's state (copies, as a checkpoint).
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (auto& [name, t] : opt_a->State()) state.emplace_back(name, t.clone());
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < a.size(); ++i) b[i].value.copy_(a[i].value);
    }
    auto opt_b = Optimizer::Create(o, &b);
    ASSERT_TRUE(opt_b->LoadState(state).ok());
    SetGradients(a, {0.1, 0.5, 0});
    SetGradients(b, {0.1, 0.5, 0});
    opt_a->Step(0.05);
    opt_b->Step(0.05);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(Value(a[i]), Value(b[i])) << a[i].name;
    state.pop_back();
    EXPECT_FALSE(opt_b->LoadState(state).ok()) << "a missing slot is an error";
  }
  EXPECT_TRUE(ParseOptimizerKind("adamw").ok());
  auto bad = ParseOptimizerKind("adam");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'adam'"), std::string::npos);
}

// The fused CPU loops and the composed ATen ops (used on other devices and for unusual
// layouts; here forced by a gradient with other strides) compute the same updates.
TEST(TrainRecipe, FusedAndComposedUpdatesAgree) {
  for (OptimizerKind kind : {OptimizerKind::kRmsProp, OptimizerKind::kSgd, OptimizerKind::kAdamW}) {
    at::Generator gen = at::detail::createCPUGenerator(3);
    torch::Tensor start = torch::randn({3, 4}, gen, torch::kFloat64);
    std::vector<Parameter> fused(2), composed(2);
    for (int i = 0; i < 2; ++i) {
      fused[i].name = composed[i].name = "p" + std::to_string(i);
      fused[i].is_batch_norm = composed[i].is_batch_norm = (i == 1);
      fused[i].value = start.clone().requires_grad_(true);
      composed[i].value = start.clone().requires_grad_(true);
    }
    OptimizerOptions o;
    o.kind = kind;
    o.weight_decay = 0.02;
    auto a = Optimizer::Create(o, &fused);
    auto b = Optimizer::Create(o, &composed);
    for (int step = 0; step < 3; ++step) {
      torch::Tensor g = torch::randn({3, 4}, gen, torch::kFloat64);
      for (int i = 0; i < 2; ++i) {
        fused[i].value.mutable_grad() = g.clone();
        composed[i].value.mutable_grad() = g.t().contiguous().t();  // same values, other strides
      }
      a->Step(0.01);
      b->Step(0.01);
    }
    for (int i = 0; i < 2; ++i) {
      EXPECT_LE((fused[i].value - composed[i].value).abs().max().item<double>(), 1e-12)
          << "kind " << static_cast<int>(kind) << " parameter " << i;
      EXPECT_GT((fused[i].value - start).abs().max().item<double>(), 1e-4) << "it moved";
    }
  }
}

TEST(TrainRecipe, RmsPropSkipsParametersWithoutGradient) {
  std::vector<Parameter> params = ScalarParameters();
  auto opt = Optimizer::Create(OptimizerOptions{}, &params);
  opt->Step(0.1);  // no gradients yet
  EXPECT_EQ(Value(params[0]), 0.5);
}

// conv 1x1 (no bias) -> BATCH_NORM: two parameters and two buffers.
ir::Graph TinyGraph() {
  ir::Graph g;
  auto add = [&](const std::string& name, Shape shape, std::vector<float> values) {
    ir::Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    if (!values.empty()) t.SetValues(values);
    return g.AddTensor(std::move(t));
  };
  const int x = add("input", {1, 2, 2, 2}, {});
  const int w = add("conv/w", {2, 1, 1, 2}, {1, 0, 0, 1});
  const int c = add("conv", {1, 2, 2, 2}, {});
  const int gamma = add("bn/gamma", {2}, {1, 1}), beta = add("bn/beta", {2}, {0, 0});
  const int mean = add("bn/moving_mean", {2}, {0, 0}), var = add("bn/moving_variance", {2}, {1, 1});
  const int y = add("bn", {1, 2, 2, 2}, {});
  ir::Op conv;
  conv.type = ir::OpType::kConv2D;
  conv.inputs = {x, w, ir::kNoTensor};
  conv.outputs = {c};
  conv.options = ir::Conv2DOptions{};
  g.AddOp(conv);
  ir::Op bn;
  bn.type = ir::OpType::kBatchNorm;
  bn.inputs = {c, gamma, beta, mean, var};
  bn.outputs = {y};
  bn.options = ir::BatchNormOptions{};
  g.AddOp(bn);
  g.inputs = {x};
  g.outputs = {y};
  return g;
}

TEST(TrainRecipe, WeightAverageFollowsTfNumUpdates) {
  auto module = GraphModule::Create(TinyGraph(), torch::kCPU, torch::kFloat64);
  ASSERT_TRUE(module.ok()) << module.status().message();
  GraphModule& m = **module;
  WeightAverage ema(&m, 0.9999);
  torch::Tensor beta = m.parameters()[2].value;  // bn/beta, starts at 0
  ASSERT_EQ(m.parameters()[2].name, "bn/beta");
  double shadow = 0;
  for (int64_t step = 1; step <= 3; ++step) {
    {
      torch::NoGradGuard no_grad;
      beta.fill_(static_cast<double>(step));
    }
    ema.Update(step);
    const double decay = std::min(0.9999, (1.0 + step) / (10.0 + step));
    shadow -= (1 - decay) * (shadow - step);
  }
  auto state = ema.State();
  ASSERT_EQ(state.size(), 5u);  // 3 parameters + 2 buffers
  EXPECT_EQ(state[2].first, "bn/beta/ema");
  EXPECT_EQ(state[3].first, "bn/moving_mean/ema");
  EXPECT_NEAR(state[2].second[0].item<double>(), shadow, 1e-12);

  ema.SwapIn();
  EXPECT_NEAR(beta[0].item<double>(), shadow, 1e-12) << "averages in the module";
  EXPECT_NEAR(ema.State()[2].second[0].item<double>(), shadow, 1e-12) << "state while swapped";
  ema.SwapIn();  // idempotent
  ema.SwapOut();
  EXPECT_EQ(beta[0].item<double>(), 3.0) << "live weights back";

  // LoadState into a fresh average over the same module.
  WeightAverage other(&m, 0.9999);
  ASSERT_TRUE(other.LoadState(state).ok());
  EXPECT_NEAR(other.State()[2].second[0].item<double>(), shadow, 1e-12);
  state.pop_back();
  EXPECT_FALSE(other.LoadState(state).ok());
}

TEST(TrainRecipe, LearningRateWarmupStaircaseAndCosine) {
  LrSchedule s;  // 0.016 per 256, warm-up 5 epochs, x0.97 every 2.4 epochs
  s.batch_size = 128;
  EXPECT_DOUBLE_EQ(s.peak(), 0.008);
  EXPECT_DOUBLE_EQ(s.At(0), 0);
  EXPECT_DOUBLE_EQ(s.At(2.5), 0.004);
  EXPECT_NEAR(s.At(4.999), 0.008 * 4.999 / 5, 1e-15);
  // Decay counts from epoch 0, as the MnasNet reference: at epoch 5, floor(5 / 2.4) = 2 stairs.
  EXPECT_NEAR(s.At(5.0), 0.008 * 0.97 * 0.97, 1e-15);
  EXPECT_NEAR(s.At(7.19), 0.008 * 0.97 * 0.97, 1e-15);
  EXPECT_NEAR(s.At(7.2), 0.008 * std::pow(0.97, 3), 1e-15);
  // An epoch reached as step / steps_per_epoch lands on the new stair exactly at the boundary.
  EXPECT_NEAR(s.At(720.0 / 100.0), 0.008 * std::pow(0.97, 3), 1e-15);
  EXPECT_NEAR(s.At(24.0), 0.008 * std::pow(0.97, 10), 1e-15);

  LrSchedule c;
  c.cosine = true;
  c.total_epochs = 100;
  c.warmup_epochs = 0;
  EXPECT_DOUBLE_EQ(c.At(0), 0.016);
  EXPECT_NEAR(c.At(50), 0.008, 1e-15);
  EXPECT_NEAR(c.At(100), 0, 1e-15);
  EXPECT_NEAR(c.At(150), 0, 1e-15) << "stays at 0 past the end";
  c.warmup_epochs = 5;
  EXPECT_NEAR(c.At(1), 0.016 / 5, 1e-15);
  EXPECT_NEAR(c.At(25), 0.5 * 0.016 * (1 + std::cos(M_PI / 4)), 1e-15);
}

TEST(TrainRecipe, SmoothedCrossEntropyMatchesHandComputation) {
  torch::Tensor logits = torch::tensor({{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}}, torch::kFloat64).requires_grad_(true);
  torch::Tensor labels = torch::tensor({1, 0}, torch::kInt64);
  const double s = 0.1;
  torch::Tensor loss = SmoothedCrossEntropy(logits, labels, s);
  // By hand: target = onehot * 0.9 + 0.1 / 3; loss_i = -sum_j target_j * log softmax_j.
  const double rows[2][3] = {{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}};
  const int label[2] = {1, 0};
  double expected = 0;
  double grad[2][3];
  for (int i = 0; i < 2; ++i) {
    double sum = 0;
    for (double v : rows[i]) sum += std::exp(v);
    for (int j = 0; j < 3; ++j) {
      const double target = (j == label[i] ? 0.9 : 0.0) + s / 3;
      expected -= target * (rows[i][j] - std::log(sum)) / 2;
      grad[i][j] = (std::exp(rows[i][j]) / sum - target) / 2;  // d loss / d logit
    }
  }
  EXPECT_NEAR(loss.item<double>(), expected, 1e-12);
  loss.backward();
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(logits.grad()[i][j].item<double>(), grad[i][j], 1e-12);
  }
  // Soft / one-hot targets give the same value.
  torch::Tensor one_hot = torch::tensor({{0.0, 1.0, 0.0}, {1.0, 0.0, 0.0}}, torch::kFloat64);
  EXPECT_NEAR(SmoothedCrossEntropy(logits, one_hot, s).item<double>(), expected, 1e-12);
  // Without smoothing: plain cross-entropy.
  EXPECT_NEAR(SmoothedCrossEntropy(logits, labels, 0).item<double>(),
              torch::nn::functional::cross_entropy(logits, labels).item<double>(), 1e-12);
}

}  // namespace
}  // namespace edgeforge::train
