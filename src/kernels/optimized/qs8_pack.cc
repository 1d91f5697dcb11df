#include "kernels/optimized/qs8_pack.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"
#include "core/cpu_features.h"

namespace edgeforge::kernels::optimized {

namespace {

// The signed value of a stored 8-bit element.
inline int32_t ElementValue(uint8_t raw, bool is_uint8) {
  return is_uint8 ? static_cast<int32_t>(raw) : static_cast<int32_t>(static_cast<int8_t>(raw));
}

// Wrapping int32 arithmetic (the reference's int64 sum truncated to 32 bits).
inline int32_t WrapToInt32(uint32_t v) { return static_cast<int32_t>(v); }

}  // namespace

void PackQs8Weights(Qs8Format format, int32_t kp, bool signed_a, const Qs8Operands& operands,
                    int32_t n, int32_t k, const uint8_t* weights, const int32_t* bias,
                    Qs8PackedWeights* packed) {
  EF_CHECK_GE(kp, k);
  EF_CHECK_GT(n, 0);
  Qs8PackedWeights& p = *packed;
  p.format = format;
  p.n = n;
  p.k = k;
  p.kp = kp;
  p.panels = (n + kPanelWidth - 1) / kPanelWidth;
  p.column_bias.assign(static_cast<size_t>(p.panels) * kPanelWidth, 0);
  for (int32_t c = 0; c < n; ++c) p.column_bias[static_cast<size_t>(c)] = bias ? bias[c] : 0;

  const int32_t zw = operands.filter_zero_point;
  if (format == Qs8Format::kI16) {
    // panel[k/2][16][2] of w - zw.
    EF_CHECK_EQ(kp % 2, 0);
    p.panel_stride = static_cast<size_t>(kp) * kPanelWidth * sizeof(int16_t);
    p.b.Resize(p.panel_stride * static_cast<size_t>(p.panels));
    int16_t* b = p.b.as<int16_t>();
    for (int32_t c = 0; c < n; ++c) {
      int16_t* panel = b + static_cast<size_t>(c / kPanelWidth) * kp * kPanelWidth;
      const int32_t lane = c % kPanelWidth;
      for (int32_t t = 0; t < k; ++t) {
        const int32_t v = ElementValue(weights[static_cast<int64_t>(c) * k + t], operands.is_uint8) - zw;
        panel[(t / 2) * kPanelWidth * 2 + lane * 2 + t % 2] = static_cast<int16_t>(v);
      }
    }
    p.a_xor = 0;
    p.a_zero_point = operands.input_zero_point;
    p.row_correction_factor = 0;
    return;
  }

  // kC4: panel[k/4][16][4] of s8 b, with w - zw = b + c.
  EF_CHECK_EQ(kp % 4, 0);
  p.a_signed = signed_a && !operands.is_uint8;
  const bool shift_a = !operands.is_uint8 && !p.a_signed;
  p.a_xor = shift_a ? 0x80 : 0;
  p.a_zero_point = operands.input_zero_point + (shift_a ? 128 : 0);
  bool fits = true;
  for (int64_t i = 0; i < static_cast<int64_t>(n) * k && fits; ++i) {
    const int32_t v = ElementValue(weights[i], operands.is_uint8) - zw;
    fits = v >= -128 && v <= 127;
  }
  // b = w - zw when that fits, else the raw weight as s8 (uint8: w - 128) plus c.
  const int32_t raw_offset = operands.is_uint8 ? 128 : 0;
  p.row_correction_factor = fits ? 0 : raw_offset - zw;
  const int32_t b_offset = fits ? zw : raw_offset;

  p.panel_stride = static_cast<size_t>(kp) * kPanelWidth;
  p.b.Resize(p.panel_stride * static_cast<size_t>(p.panels));
  int8_t* b = p.b.as<int8_t>();
  for (int32_t c = 0; c < n; ++c) {
    int8_t* panel = b + static_cast<size_t>(c / kPanelWidth) * p.panel_stride;
    const int32_t lane = c % kPanelWidth;
    uint32_t b_sum = 0;
    for (int32_t t = 0; t < k; ++t) {
      const int32_t v = ElementValue(weights[static_cast<int64_t>(c) * k + t], operands.is_uint8) - b_offset;
      panel[(t / 4) * kPanelWidth * 4 + lane * 4 + t % 4] = static_cast<int8_t>(v);
      b_sum += static_cast<uint32_t>(v);
    }
    uint32_t& bias_c = reinterpret_cast<uint32_t&>(p.column_bias[static_cast<size_t>(c)]);
    bias_c -= static_cast<uint32_t>(p.a_zero_point) * b_sum;
  }
}

namespace {

// One row of A in the kC4 domain: a = x ^ a_xor, padded taps za, padded K zero.
struct C4Writer {
  uint8_t a_xor;
  uint8_t pad;
  void Copy(const uint8_t* src, int32_t count, uint8_t* dst) const {
    for (int32_t i = 0; i < count; ++i) dst[i] = static_cast<uint8_t>(src[i] ^ a_xor);
  }
  void Fill(int32_t count, uint8_t* dst) const { std::memset(dst, pad, static_cast<size_t>(count)); }
  void Zero(int32_t count, uint8_t* dst) const { std::memset(dst, 0, static_cast<size_t>(count)); }
};

// One row of A in the kI16 domain: x - zx, padded taps and padded K zero.
struct I16Writer {
  bool is_uint8;
  int32_t zero_point;
  void Copy(const uint8_t* src, int32_t count, int16_t* dst) const {
    if (is_uint8) {
      for (int32_t i = 0; i < count; ++i) dst[i] = static_cast<int16_t>(src[i] - zero_point);
    } else {
      for (int32_t i = 0; i < count; ++i) {
        dst[i] = static_cast<int16_t>(static_cast<int8_t>(src[i]) - zero_point);
      }
    }
  }
  void Fill(int32_t count, int16_t* dst) const { std::memset(dst, 0, sizeof(int16_t) * count); }
  void Zero(int32_t count, int16_t* dst) const { std::memset(dst, 0, sizeof(int16_t) * count); }
};

// Gathers the im2col row of output pixel `at` (taps in (ky, kx, ic) order, the filter's) into
// dst[0, kp).
template <typename T, typename Writer>
void GatherRow(const ConvGeometry& g, const uint8_t* input, const OutputPixelCursor& at,
               int32_t kp, const Writer& writer, T* dst) {
  const int32_t iy0 = at.iy0(g);
  const int32_t ix0 = at.ix0(g);
  const uint8_t* image = input + static_cast<int64_t>(at.batch) * g.in_h * g.in_w * g.in_c;
  const int32_t row_taps = g.k_w * g.in_c;
  // With no dilation, a filter row that lies inside the image is one contiguous input run.
  const bool whole_rows = g.dilation_w == 1 && ix0 >= 0 && ix0 + g.k_w <= g.in_w;
  T* out = dst;
  for (int32_t ky = 0; ky < g.k_h; ++ky) {
    const int32_t iy = iy0 + ky * g.dilation_h;
    if (iy < 0 || iy >= g.in_h) {
      writer.Fill(row_taps, out);
      out += row_taps;
      continue;
    }
    const uint8_t* line = image + static_cast<int64_t>(iy) * g.in_w * g.in_c;
    if (whole_rows) {
      writer.Copy(line + static_cast<int64_t>(ix0) * g.in_c, row_taps, out);
      out += row_taps;
      continue;
    }
    for (int32_t kx = 0; kx < g.k_w; ++kx) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      if (ix < 0 || ix >= g.in_w) {
        writer.Fill(g.in_c, out);
      } else {
        writer.Copy(line + static_cast<int64_t>(ix) * g.in_c, g.in_c, out);
      }
      out += g.in_c;
    }
  }
  writer.Zero(kp - g.k(), out);
}

}  // namespace

void PackQs8Rows(const ConvGeometry& g, const Qs8PackedWeights& w, const Qs8Operands& operands,
                 const uint8_t* input, int64_t m_begin, int64_t m_end, void* a, size_t a_stride,
                 int32_t* row_correction) {
  auto* out = static_cast<uint8_t*>(a);
  OutputPixelCursor at(g, m_begin);
  if (w.format == Qs8Format::kI16) {
    const I16Writer writer{operands.is_uint8, operands.input_zero_point};
    for (int64_t m = m_begin; m < m_end; ++m, out += a_stride, at.Advance(g)) {
      auto* row = reinterpret_cast<int16_t*>(out);
      if (g.is_pointwise()) {
        writer.Copy(input + m * g.in_c, g.in_c, row);
        writer.Zero(w.kp - g.in_c, row + g.in_c);
      } else {
        GatherRow(g, input, at, w.kp, writer, row);
      }
    }
    return;
  }
  const C4Writer writer{w.a_xor, static_cast<uint8_t>(w.a_zero_point)};
  const int32_t k = g.k();
  if (g.is_pointwise() && w.kp == k && a_stride == static_cast<size_t>(k) &&
      w.row_correction_factor == 0) {
    // Consecutive input rows are consecutive packed rows: one pass over the block.
    writer.Copy(input + m_begin * k, static_cast<int32_t>((m_end - m_begin) * k), out);
    return;
  }
  for (int64_t m = m_begin; m < m_end; ++m, out += a_stride, at.Advance(g)) {
    if (g.is_pointwise()) {
      writer.Copy(input + m * g.in_c, g.in_c, out);
      writer.Zero(w.kp - g.in_c, out + g.in_c);
    } else {
      GatherRow(g, input, at, w.kp, writer, out);
    }
    if (w.row_correction_factor != 0) {
      uint32_t sum = 0;
      for (int32_t t = 0; t < k; ++t) {
        sum += w.a_signed ? static_cast<uint32_t>(static_cast<int8_t>(out[t])) : out[t];
      }
      const uint32_t centered = sum - static_cast<uint32_t>(k) * static_cast<uint32_t>(w.a_zero_point);
      row_correction[m - m_begin] =
          WrapToInt32(centered * static_cast<uint32_t>(w.row_correction_factor));
    }
  }
}

Qs8PackRowsFn BestQs8PackRows(Qs8Format format) {
  if (format == Qs8Format::kC4 && core::IsaAvailable(core::Isa::kAvx512)) return PackQs8RowsC4Avx512;
  return PackQs8Rows;
}

}  // namespace edgeforge::kernels::optimized
