// Optimized ADD / SUB (kernels/optimized/vadd.h) against the reference kernels: lengths around
// the 16/64-element vector steps and the thread grain, scalar operands, scale ratios at both
// ends of XNNPACK's accepted range, extreme zero points, fused activations, every ISA and
// 1, 2, 3 threads. 8-bit results identical; float32 identical too (same single operation).
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/optimized/vadd.h"
#include "kernels/reference/elementwise.h"

namespace edgeforge::kernels::optimized {
namespace {

namespace kr = reference;

constexpr core::Isa kAllIsas[] = {core::Isa::kPortable, core::Isa::kAvx2, core::Isa::kAvx512,
                                  core::Isa::kAvx512Vnni, core::Isa::kAmx};

struct VaddCase {
  int64_t count = 100;
  bool a_scalar = false, b_scalar = false;
  kr::AddOrSub op = kr::AddOrSub::kAdd;
  float sa = 0.02f, sb = 0.03f, so = 0.05f;
  int za = 3, zb = -7, zo = 1;
  kr::FusedActivation act = kr::FusedActivation::kNone;
  uint32_t seed = 1;

  std::string Describe() const {
    std::ostringstream os;
    os << "count=" << count << (a_scalar ? " a-scalar" : "") << (b_scalar ? " b-scalar" : "")
       << (op == kr::AddOrSub::kAdd ? " ADD" : " SUB") << " sa=" << sa << " sb=" << sb
       << " so=" << so << " za=" << za << " zb=" << zb << " zo=" << zo
       << " act=" << static_cast<int>(act) << " seed=" << seed;
    return os.str();
  }
};

template <typename T>
void TestQuantized(VaddCase c) {
  constexpr bool is_uint8 = std::is_same_v<T, uint8_t>;
  constexpr int qmin = is_uint8 ? 0 : -128, qmax = is_uint8 ? 255 : 127;
  if (is_uint8) {
    c.za += 128, c.zb += 128, c.zo += 128;
    c.za = std::min(std::max(c.za, 0), 255), c.zb = std::min(std::max(c.zb, 0), 255),
    c.zo = std::min(std::max(c.zo, 0), 255);
  }
  SCOPED_TRACE(c.Describe() + (is_uint8 ? " uint8" : " int8"));
  std::mt19937 rng(c.seed);
  std::uniform_int_distribution<int> dist(qmin, qmax);
  std::vector<T> a(static_cast<size_t>(c.a_scalar ? 1 : c.count)), b(static_cast<size_t>(c.b_scalar ? 1 : c.count));
  for (T& v : a) v = static_cast<T>(dist(rng));
  for (T& v : b) v = static_cast<T>(dist(rng));
  const kr::BinaryQuantization q{c.sa, c.za, c.sb, c.zb, c.so, c.zo};
  ASSERT_TRUE(kr::XnnpackAddSupportsScales(q));
  const kr::XnnpackAddParams params = kr::MakeXnnpackAddParams(c.op, q, c.act, qmin, qmax);
  const Shape out_shape{static_cast<int32_t>(c.count)};
  const kr::BroadcastLayout layout = kr::MakeBroadcastLayout(
      Shape{static_cast<int32_t>(a.size())}, Shape{static_cast<int32_t>(b.size())}, out_shape);
  std::vector<T> expected(static_cast<size_t>(c.count));
  if constexpr (is_uint8) {
    kr::AddXnnpackUint8(layout, params, a.data(), b.data(), expected.data());
  } else {
    kr::AddXnnpackInt8(layout, params, a.data(), b.data(), expected.data());
  }
  for (core::Isa isa : kAllIsas) {
    if (!core::IsaAvailable(isa)) continue;
    for (int threads : {1, 2, 3}) {
      SCOPED_TRACE(std::string("isa=") + core::IsaName(isa) + " threads=" + std::to_string(threads) +
                   " kernel=" + QuantizedVaddKernelName(isa, is_uint8));
      core::ThreadPool pool(threads);
      std::vector<T> got(expected.size(), T{0x55});
      Q8VaddProblem problem;
      problem.is_uint8 = is_uint8;
      problem.a = a.data();
      problem.a_is_scalar = c.a_scalar;
      problem.b = b.data();
      problem.b_is_scalar = c.b_scalar;
      problem.output = got.data();
      problem.count = c.count;
      RunQuantizedVadd(params, problem, isa, pool);
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(static_cast<int>(got[i]), static_cast<int>(expected[i])) << "element " << i;
      }
    }
  }
}

std::vector<VaddCase> Cases() {
  std::vector<VaddCase> cases;
  uint32_t seed = 1;
  for (int64_t count : {1, 15, 16, 17, 63, 64, 65, 200, 16384 + 77, 3 * 16384 + 5}) {
    VaddCase c;
    c.count = count;
    c.seed = seed++;
    cases.push_back(c);
  }
  VaddCase c;
  c.count = 1000;
  c.op = kr::AddOrSub::kSub;
  c.seed = seed++;
  cases.push_back(c);
  c.a_scalar = true;
  c.seed = seed++;
  cases.push_back(c);
  c.a_scalar = false;
  c.b_scalar = true;
  c.op = kr::AddOrSub::kAdd;
  c.seed = seed++;
  cases.push_back(c);
  // Ratios at the ends of [2^-10, 2^8): shifts 12 and 30.
  c = VaddCase{};
  c.count = 333;
  c.sa = 1.0f / 1024.0f, c.sb = 1.0f / 1024.0f, c.so = 1.0f;
  c.seed = seed++;
  cases.push_back(c);
  c.sa = 255.0f, c.sb = 3.0f, c.so = 1.0f;
  c.seed = seed++;
  cases.push_back(c);
  for (int z : {-128, 127}) {
    c = VaddCase{};
    c.count = 257;
    c.za = z, c.zb = -z - 1, c.zo = z;
    c.act = kr::FusedActivation::kRelu6;
    c.seed = seed++;
    cases.push_back(c);
  }
  c = VaddCase{};
  c.count = 129;
  c.act = kr::FusedActivation::kReluN1To1;
  c.so = 0.01f;
  c.seed = seed++;
  cases.push_back(c);
  return cases;
}

TEST(KernelsDwVadd, Int8MatchesReference) {
  for (const VaddCase& c : Cases()) TestQuantized<int8_t>(c);
}

TEST(KernelsDwVadd, Uint8MatchesReference) {
  for (const VaddCase& c : Cases()) TestQuantized<uint8_t>(c);
}

TEST(KernelsDwVadd, Float32MatchesReference) {
  for (const VaddCase& c : Cases()) {
    SCOPED_TRACE(c.Describe());
    std::mt19937 rng(c.seed);
    std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
    std::vector<float> a(static_cast<size_t>(c.a_scalar ? 1 : c.count)), b(static_cast<size_t>(c.b_scalar ? 1 : c.count));
    for (float& v : a) v = dist(rng);
    for (float& v : b) v = dist(rng);
    const kr::FloatRange clamp = kr::FloatActivationRange(c.act);
    const kr::BroadcastLayout layout = kr::MakeBroadcastLayout(
        Shape{static_cast<int32_t>(a.size())}, Shape{static_cast<int32_t>(b.size())},
        Shape{static_cast<int32_t>(c.count)});
    std::vector<float> expected(static_cast<size_t>(c.count));
    kr::AddSubFloat32(c.op, layout, clamp, a.data(), b.data(), expected.data());
    for (int threads : {1, 2, 3}) {
      core::ThreadPool pool(threads);
      std::vector<float> got(expected.size(), 1234.0f);
      F32VaddProblem problem;
      problem.a = a.data();
      problem.a_is_scalar = c.a_scalar;
      problem.b = b.data();
      problem.b_is_scalar = c.b_scalar;
      problem.output = got.data();
      problem.count = c.count;
      problem.subtract = c.op == kr::AddOrSub::kSub;
      RunFloatVadd(clamp, problem, pool);
      ASSERT_EQ(got, expected) << "threads=" << threads;
    }
  }
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
