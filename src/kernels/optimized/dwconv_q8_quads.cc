// The plan of the quads depthwise kernels (layout: dwconv_q8_quads.h): packing in Create,
// per-task row ring and padding in Run; the vector work is in qs8_dwconv_64c4__*.cc.
#include "kernels/optimized/dwconv_q8_quads_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <vector>

#include "kernels/optimized/dwconv_q8_quads.h"

namespace edgeforge::kernels::optimized {

namespace {

using dw::AlignedBytes;
using dw::RoundUp64;
namespace quads = dwconv_quads;

// Largest lcm(64, C) accepted: the packed weights repeat with that period.
constexpr int64_t kMaxPeriod = 1 << 16;
// Largest packed weight size accepted (odd channel counts with large kernels); beyond it the
// portable plan runs.
constexpr int64_t kMaxPackedBytes = 16 << 20;

class QuadsDepthwise final : public QuantizedDepthwiseConv {
 public:
  QuadsDepthwise(const QuantizedDepthwiseSpec& spec, bool vnni, int num_threads);

  const char* name() const override {
    if (is_uint8_) return vnni_ ? "qu8_dwconv_64c4__avx512vnni" : "qu8_dwconv_64c4__avx512";
    return vnni_ ? "qs8_dwconv_64c4__avx512vnni" : "qs8_dwconv_64c4__avx512";
  }
  size_t scratch_bytes() const override { return task_scratch_bytes_ * split_.tasks(); }
  void Run(const void* input, void* output, void* scratch, core::ThreadPool& pool) const override;

 private:
  void RunTask(int32_t task, const uint8_t* input, uint8_t* output, uint8_t* scratch) const;

  DepthwiseGeometry g_;
  bool is_uint8_;
  bool vnni_;
  uint8_t input_xor_;  // 0x80 for int8 (x + 128), 0 for uint8
  uint8_t pad_byte_;   // the input zero point as the kernel sees it
  int32_t groups_ = 1;
  int32_t sets_ = 1;
  int32_t patterns_ = 1;
  int32_t chunks_ = 0;  // per output row
  int32_t span_ = 1;    // input rows one output row reads: (kh - 1) * dh + 1
  int64_t row_elements_ = 0;
  int64_t padded_rows_ = 0;  // padded input rows per batch that any output row reads
  size_t pattern_weight_bytes_ = 0;
  AlignedBytes weights_, bias_, scale_;
  float max_scaled_ = 0.0f;
  int32_t zero_point_ = 0;
  int32_t qmin_ = 0;
  int32_t qmax_ = 0;
  bool clamp_in_float_ = true;
  // Tap slot k (kx = k, 4 per group): phase and column offset (in columns of the phase).
  std::vector<int32_t> tap_phase_, tap_column_;
  dw::WorkSplit split_;
  int32_t max_task_chunks_ = 0;
  // Scratch of one task: slot keys, then the phases, then the ring of quad rows.
  int32_t phase_columns_ = 0;
  size_t phase_bytes_ = 0;
  size_t keys_bytes_ = 0;
  size_t ring_group_stride_ = 0;
  size_t task_scratch_bytes_ = 0;
};

QuadsDepthwise::QuadsDepthwise(const QuantizedDepthwiseSpec& spec, bool vnni, int num_threads)
    : g_(spec.geometry), is_uint8_(spec.is_uint8), vnni_(vnni) {
  const int32_t C = g_.channels;
  const int32_t kh = g_.kernel_h, kw = g_.kernel_w;
  input_xor_ = is_uint8_ ? 0 : 0x80;
  const int32_t input_offset = is_uint8_ ? 0 : 128;
  pad_byte_ = static_cast<uint8_t>(spec.input_zero_point + input_offset);
  groups_ = (kw + 3) / 4;
  span_ = (kh - 1) * g_.dilation_h + 1;
  patterns_ = C / std::gcd(C, quads::kChunk);
  row_elements_ = static_cast<int64_t>(g_.out_w) * C;
  chunks_ = static_cast<int32_t>((row_elements_ + quads::kChunk - 1) / quads::kChunk);
  padded_rows_ = static_cast<int64_t>(g_.out_h - 1) * g_.stride_h + span_;

  // Effective weights w - z_w and their split into int8 sets.
  const int64_t taps = static_cast<int64_t>(kh) * kw;
  std::vector<int32_t> w_eff(static_cast<size_t>(taps * C));
  for (int64_t i = 0; i < taps * C; ++i) {
    const int32_t raw = is_uint8_ ? static_cast<const uint8_t*>(spec.filter)[i]
                                  : static_cast<const int8_t*>(spec.filter)[i];
    w_eff[static_cast<size_t>(i)] = raw - spec.filter_zero_point;
  }
  sets_ = 1;
  for (int32_t w : w_eff) {
    int32_t needed = 1;
    for (int32_t rest = w; rest > 127 || rest < -128; ++needed) rest -= rest > 0 ? 127 : -128;
    sets_ = std::max(sets_, needed);
  }
  // Part `set` of w: the greedy split clamp(w, -128, 127), then what is left, and so on.
  auto part = [](int32_t w, int32_t set) {
    for (int32_t s = 0;; ++s) {
      const int32_t p = std::min(std::max(w, -128), 127);
      if (s == set) return p;
      w -= p;
    }
  };

  // Folded bias: bias - (z_in + offset) * sum(w_eff), modulo 2^32 like the int32 accumulator.
  std::vector<int32_t> folded(static_cast<size_t>(C));
  for (int32_t c = 0; c < C; ++c) {
    int64_t sum_w = 0;
    for (int64_t t = 0; t < taps; ++t) sum_w += w_eff[static_cast<size_t>(t * C + c)];
    const int64_t b = (spec.bias != nullptr ? spec.bias[c] : 0) -
                      static_cast<int64_t>(spec.input_zero_point + input_offset) * sum_w;
    folded[static_cast<size_t>(c)] = static_cast<int32_t>(static_cast<uint32_t>(b));
  }

  const size_t quad_vector_bytes = vnni_ ? 64 : 128;
  pattern_weight_bytes_ =
      static_cast<size_t>(kh) * groups_ * sets_ * 4 * quad_vector_bytes;
  weights_ = AlignedBytes(pattern_weight_bytes_ * patterns_);
  bias_ = AlignedBytes(sizeof(int32_t) * quads::kChunk * patterns_);
  scale_ = AlignedBytes(sizeof(float) * quads::kChunk * patterns_);
  for (int32_t p = 0; p < patterns_; ++p) {
    for (int32_t k = 0; k < 4; ++k) {
      for (int32_t i = 0; i < 16; ++i) {
        const int64_t position = static_cast<int64_t>(p) * quads::kChunk + 16 * (i / 4) + 4 * k + i % 4;
        const int32_t c = static_cast<int32_t>(position % C);
        const size_t lane = static_cast<size_t>(p) * quads::kChunk + 16 * k + i;
        bias_.as<int32_t>()[lane] = folded[static_cast<size_t>(c)];
        scale_.as<float>()[lane] = spec.output.scale[c];
        for (int32_t ky = 0; ky < kh; ++ky) {
          for (int32_t gr = 0; gr < groups_; ++gr) {
            for (int32_t s = 0; s < sets_; ++s) {
              const size_t block = static_cast<size_t>(p) * pattern_weight_bytes_ +
                                   ((static_cast<size_t>(ky) * groups_ + gr) * sets_ + s) * 4 *
                                       quad_vector_bytes +
                                   k * quad_vector_bytes;
              for (int32_t j = 0; j < 4; ++j) {
                const int32_t kx = 4 * gr + j;
                const int32_t w =
                    kx < kw ? part(w_eff[static_cast<size_t>((ky * kw + kx) * C + c)], s) : 0;
                if (vnni_) {
                  weights_.as<int8_t>()[block + 4 * i + j] = static_cast<int8_t>(w);
                } else {
                  // (w0, w2) pairs, then (w1, w3) pairs 64 bytes later.
                  int16_t* pairs = reinterpret_cast<int16_t*>(weights_.as<uint8_t>() + block);
                  pairs[(j % 2) * 32 + 2 * i + j / 2] = static_cast<int16_t>(w);
                }
              }
            }
          }
        }
      }
    }
  }
  max_scaled_ = static_cast<float>(spec.output.max - spec.output.zero_point);
  zero_point_ = spec.output.zero_point;
  qmin_ = spec.output.min;
  qmax_ = spec.output.max;
  // The float upper clamp only guards _mm512_cvtps_epi32 against overflow: drop it when no
  // accumulator can reach it (|acc| <= |bias| + 255 * sum|w - z_w|, then times the scale).
  clamp_in_float_ = false;
  for (int32_t c = 0; c < C; ++c) {
    double bound = spec.bias != nullptr ? std::abs(static_cast<double>(spec.bias[c])) : 0.0;
    for (int64_t t = 0; t < taps; ++t) bound += 255.0 * std::abs(w_eff[static_cast<size_t>(t * C + c)]);
    if (!(bound < 2147483648.0 && bound * spec.output.scale[c] < 1073741824.0)) clamp_in_float_ = true;
  }

  const int32_t slots = 4 * groups_;
  int32_t max_column = 0;
  for (int32_t k = 0; k < slots; ++k) {
    const int32_t offset = k * g_.dilation_w;
    tap_phase_.push_back(offset % g_.stride_w);
    tap_column_.push_back(offset / g_.stride_w);
    max_column = std::max(max_column, offset / g_.stride_w);
  }
  const int64_t phase_elements = static_cast<int64_t>(chunks_) * quads::kChunk +
                                 static_cast<int64_t>(max_column) * C;
  phase_columns_ = static_cast<int32_t>((phase_elements + C - 1) / C);
  // + 64: strided fills copy whole vectors past a column's end (see the fill kernel).
  phase_bytes_ = RoundUp64(static_cast<size_t>(phase_columns_) * C + 64);

  split_ = dw::ChooseWorkSplit(static_cast<int64_t>(g_.batches) * g_.out_h, chunks_, num_threads);
  max_task_chunks_ = static_cast<int32_t>((chunks_ + split_.chunk_parts - 1) / split_.chunk_parts);
  keys_bytes_ = RoundUp64(sizeof(int64_t) * span_);
  ring_group_stride_ = static_cast<size_t>(max_task_chunks_) * quads::kChunkQuadBytes;
  task_scratch_bytes_ = keys_bytes_ + phase_bytes_ * g_.stride_w +
                        static_cast<size_t>(span_) * groups_ * ring_group_stride_;
}

void QuadsDepthwise::RunTask(int32_t task, const uint8_t* input, uint8_t* output,
                             uint8_t* scratch) const {
  const int64_t total_rows = static_cast<int64_t>(g_.batches) * g_.out_h;
  const dw::Range rows = dw::PartOf(total_rows, split_.row_parts, task / split_.chunk_parts);
  const dw::Range chunks = dw::PartOf(chunks_, split_.chunk_parts, task % split_.chunk_parts);
  if (rows.begin >= rows.end || chunks.begin >= chunks.end) return;
  const int32_t task_chunks = static_cast<int32_t>(chunks.end - chunks.begin);

  int64_t* keys = reinterpret_cast<int64_t*>(scratch);
  uint8_t* phases = scratch + keys_bytes_;
  uint8_t* ring = phases + phase_bytes_ * g_.stride_w;
  const size_t ring_row_bytes = static_cast<size_t>(groups_) * ring_group_stride_;
  for (int32_t s = 0; s < span_; ++s) keys[s] = -1;

  const int32_t C = g_.channels;
  const int64_t in_row_bytes = static_cast<int64_t>(g_.in_w) * C;
  const uint8_t* sources[4 * quads::kMaxKernel];
  const uint8_t* quad_rows[quads::kMaxKernel];

  for (int64_t r = rows.begin; r < rows.end; ++r) {
    const int64_t batch = r / g_.out_h;
    const int32_t oy = static_cast<int32_t>(r % g_.out_h);
    for (int32_t ky = 0; ky < g_.kernel_h; ++ky) {
      const int64_t padded_row = static_cast<int64_t>(oy) * g_.stride_h + ky * g_.dilation_h;
      const int32_t slot = static_cast<int32_t>(padded_row % span_);
      uint8_t* quads_row = ring + slot * ring_row_bytes;
      quad_rows[ky] = quads_row;
      const int64_t key = batch * padded_rows_ + padded_row;
      if (keys[slot] == key) continue;
      keys[slot] = key;
      const int64_t iy = padded_row - g_.pad_top;
      if (iy < 0 || iy >= g_.in_h) {
        for (int32_t gr = 0; gr < groups_; ++gr) {
          std::memset(quads_row + gr * ring_group_stride_, pad_byte_,
                      static_cast<size_t>(task_chunks) * quads::kChunkQuadBytes);
        }
        continue;
      }
      quads::FillPhasesArgs fill;
      fill.input_row = input + (batch * g_.in_h + iy) * in_row_bytes;
      fill.in_w = g_.in_w;
      fill.channels = C;
      fill.stride = g_.stride_w;
      fill.pad_left = g_.pad_left;
      fill.phase_columns = phase_columns_;
      fill.phase_bytes = phase_bytes_;
      fill.xor_mask = input_xor_;
      fill.pad_byte = pad_byte_;
      fill.phases = phases;
      quads::qs8_dwconv_fill_phases__avx512(fill);
      for (int32_t k = 0; k < 4 * groups_; ++k) {
        sources[k] = phases + tap_phase_[static_cast<size_t>(k)] * phase_bytes_ +
                     static_cast<int64_t>(tap_column_[static_cast<size_t>(k)]) * C +
                     chunks.begin * quads::kChunk;
      }
      quads::PackQuadsArgs pack;
      pack.sources = sources;
      pack.groups = groups_;
      pack.chunks = task_chunks;
      pack.quads = quads_row;
      pack.group_stride = ring_group_stride_;
      quads::qs8_dwconv_pack_quads__avx512(pack);
    }
    quads::RowArgs args;
    args.rows = quad_rows;
    args.group_stride = ring_group_stride_;
    args.kernel_h = g_.kernel_h;
    args.groups = groups_;
    args.sets = sets_;
    args.chunk_begin = static_cast<int32_t>(chunks.begin);
    args.chunk_end = static_cast<int32_t>(chunks.end);
    args.patterns = patterns_;
    args.weights = weights_.as<uint8_t>();
    args.pattern_weight_bytes = pattern_weight_bytes_;
    args.bias = bias_.as<int32_t>();
    args.scale = scale_.as<float>();
    args.max_scaled = max_scaled_;
    args.zero_point = zero_point_;
    args.qmin = qmin_;
    args.qmax = qmax_;
    args.clamp_in_float = clamp_in_float_;
    args.is_uint8 = is_uint8_;
    args.row_elements = row_elements_;
    args.output_row = output + r * row_elements_;
    if (vnni_) {
      quads::qs8_dwconv_64c4__avx512vnni(args);
    } else {
      quads::qs8_dwconv_64c4__avx512(args);
    }
  }
}

void QuadsDepthwise::Run(const void* input, void* output, void* scratch,
                         core::ThreadPool& pool) const {
  const auto* in = static_cast<const uint8_t*>(input);
  auto* out = static_cast<uint8_t*>(output);
  auto* base = static_cast<uint8_t*>(scratch);
  pool.ParallelFor(split_.tasks(), 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      RunTask(static_cast<int32_t>(t), in, out, base + t * task_scratch_bytes_);
    }
  });
}

}  // namespace

std::unique_ptr<QuantizedDepthwiseConv> CreateQuadsDepthwise(const QuantizedDepthwiseSpec& spec,
                                                             core::Isa isa, int num_threads) {
  const DepthwiseGeometry& g = spec.geometry;
  if (!dw::AtLeast(isa, core::Isa::kAvx512)) return nullptr;
  if (g.depth_multiplier != 1) return nullptr;
  if (spec.output.scheme != reference::OutputStage::Scheme::kXnnpackFloatScale) return nullptr;
  if (g.kernel_h > quads::kMaxKernel || g.kernel_w > quads::kMaxKernel) return nullptr;
  const int64_t period = static_cast<int64_t>(g.channels) / std::gcd(g.channels, quads::kChunk) *
                         quads::kChunk;
  if (period > kMaxPeriod) return nullptr;
  // Packed weights: per 64-position pattern, kh x groups x 4 quad vectors (x sets, x2 without VNNI).
  const int64_t packed = period / quads::kChunk * g.kernel_h * ((g.kernel_w + 3) / 4) * 4 * 128;
  if (packed > kMaxPackedBytes) return nullptr;
  return std::make_unique<QuadsDepthwise>(spec, dw::AtLeast(isa, core::Isa::kAvx512Vnni),
                                          num_threads);
}

}  // namespace edgeforge::kernels::optimized
