// jpeg-js's pixel reconstruction, re-derived from its decoder.js (jpeg-js 0.4.4) and checked
// byte for byte against jpeg-js itself on the Coral and all flowers-mini photos and on
// generated files: baseline and progressive; 4:4:4, 4:2:0, 4:2:2, 4:4:0, 4:1:1, 4:1:0 and
// unusual (3x1 / 2x1 / 1x1) sampling; restart markers; grayscale; Adobe CMYK and YCCK;
// 16-bit quantization tables and extreme coefficients that make its 32-bit arithmetic wrap.
// See jpeg_reconstruct.h for the outline.
//
// Speed without changing a byte: flat (DC-only) blocks are one value; other blocks go through
// int32 SIMD lanes where the CPU has AVX2 and their values provably cannot overflow
// (jpeg_reconstruct_avx2.cc); YCbCr -> RGB is exact fixed point over contiguous upsampled rows.
// tests/jpeg_reconstruct_test.cc checks each against the plain formulas.
#include "data/jpeg_reconstruct.h"

#include <array>
#include <cstring>

#include "core/check.h"
#include "core/cpu_features.h"
#include "data/jpeg_idct.h"

namespace edgeforge::data {
namespace {

// ---------------------------------------------------------------------------------------
// IDCT (arithmetic in jpeg_idct.h).
using jpeg_idct::JsArithmetic;
using jpeg_idct::kColumnPass;
using jpeg_idct::kRowPass;
using jpeg_idct::PassScaling;
using jpeg_idct::RoundingShift;
using jpeg_idct::WrapTo32;

// One 8-point inverse DCT in place on v[0], v[step], ..., v[7 * step], as jpeg-js runs it: the
// shortcut where the AC terms are zero, else the general butterfly.
template <PassScaling pass>
void InverseDct8(int32_t* v, int step) {
  int32_t x[8];
  for (int i = 0; i < 8; ++i) x[i] = v[i * step];
  if ((x[1] | x[2] | x[3] | x[4] | x[5] | x[6] | x[7]) == 0) {
    const int32_t flat = jpeg_idct::DcOnly<pass, JsArithmetic>(x[0]);
    for (int i = 0; i < 8; ++i) v[i * step] = flat;
    return;
  }
  int32_t out[8];
  jpeg_idct::Butterfly<pass, JsArithmetic>(x, out);
  for (int i = 0; i < 8; ++i) v[i * step] = out[i];
}

uint8_t ClampToByte(int32_t v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); }

// ---------------------------------------------------------------------------------------
// Colour conversion. jpeg-js computes in double and stores into a Uint8Array, which truncates.

// clampTo8bit: clamps but does not round.
double ClampTo255(double v) { return v < 0 ? 0 : v > 255 ? 255 : v; }
uint8_t TruncateToByte(double v) { return static_cast<uint8_t>(static_cast<int>(v)); }

// The chroma terms `k * (chroma - 128)` of jpeg-js's YCbCr -> RGB, each one double product,
// tabulated. Only the YCCK path computes in double; 3-component images use the fixed-point
// equivalent further down.
//
// Compilers may fuse a product and a sum into one FMA (GCC does by default where the target
// has one, e.g. AArch64), rounding once instead of twice. Checked exhaustively over every
// input (all Y, Cb, Cr; all ink, black): that never changes an output byte of these formulas,
// so the results do not depend on build flags.
struct ChromaTerms {
  std::array<double, 256> red_from_cr, green_from_cb, green_from_cr, blue_from_cb;
};

const ChromaTerms& Chroma() {
  static const ChromaTerms terms = [] {
    ChromaTerms t;
    for (int v = 0; v < 256; ++v) {
      const double centred = v - 128;
      t.red_from_cr[v] = 1.402 * centred;
      t.green_from_cb[v] = 0.3441363 * centred;
      t.green_from_cr[v] = 0.71413636 * centred;
      t.blue_from_cb[v] = 1.772 * centred;
    }
    return t;
  }();
  return terms;
}

// Unclamped-to-byte (but clamped to [0, 255]) RGB of one YCbCr sample, in jpeg-js's order of
// operations.
struct RgbDouble {
  double r, g, b;
};
RgbDouble YCbCrToRgb(int y, int cb, int cr) {
  const ChromaTerms& t = Chroma();
  return {ClampTo255(y + t.red_from_cr[cr]),
          ClampTo255((y - t.green_from_cb[cb]) - t.green_from_cr[cr]),
          ClampTo255(y + t.blue_from_cb[cb])};
}

// jpeg-js's CMYK -> RGB (copyToImageData), on its intermediate bytes: `ink` is 255 - (what the
// file means by ink), `black` likewise. 255 - clamp(ink * (1 - black/255) + black), truncated.
uint8_t InkToRgb(int ink, int black) {
  const double coverage = 1 - black / 255.0;
  return TruncateToByte(255 - ClampTo255(ink * coverage + black));
}

// For each output coordinate 0..size-1, the sample jpeg-js picks in a plane with this sampling
// factor: `0 | (x * (sampling / max_sampling) * 1)`, in double, truncated.
std::vector<int> SampleIndices(int size, int sampling, int max_sampling, int plane_size) {
  const double scale = static_cast<double>(sampling) / max_sampling;
  std::vector<int> indices(size);
  for (int i = 0; i < size; ++i) {
    indices[i] = static_cast<int>(i * scale);
    EF_CHECK_LT(indices[i], plane_size);
  }
  return indices;
}

// Hands out one plane's samples for each output row, already upsampled to the frame's width,
// so the colour conversion runs over contiguous rows. A full-resolution plane's rows are used
// in place; a subsampled plane's row is upsampled once and reused by the output rows that pick
// the same source row (both rows of a 4:2:0 pair).
class UpsampledRows {
 public:
  UpsampledRows(const ReferencePlane& plane, const ReferenceFrame& frame)
      : plane_(&plane),
        column_(SampleIndices(frame.width, plane.sampling_h, frame.max_sampling_h, plane.width)),
        row_(SampleIndices(frame.height, plane.sampling_v, frame.max_sampling_v, plane.height)),
        full_width_(plane.sampling_h == frame.max_sampling_h) {
    if (!full_width_) upsampled_.resize(static_cast<size_t>(frame.width));
  }

  const uint8_t* Row(int y) {
    const uint8_t* source = plane_->samples.data() + static_cast<size_t>(row_[y]) * plane_->width;
    if (full_width_) return source;
    if (row_[y] != cached_row_) {
      for (size_t x = 0; x < upsampled_.size(); ++x) upsampled_[x] = source[column_[x]];
      cached_row_ = row_[y];
    }
    return upsampled_.data();
  }

 private:
  const ReferencePlane* plane_;
  std::vector<int> column_;
  std::vector<int> row_;
  bool full_width_;
  int cached_row_ = -1;
  std::vector<uint8_t> upsampled_;
};

// jpeg-js's YCbCr -> RGB in 32-bit fixed point with 22 fraction bits:
//   R = clamp((Y * 2^22 + (Cr - 128) * round(1.402 * 2^22)) >> 22), likewise G and B.
// An arithmetic right shift is a floor, and for a value clamped to [0, 255] truncation toward
// zero is a floor too, so these give jpeg-js's bytes wherever the fixed-point sum lands on the
// same side of every integer as jpeg-js's double expression. That was checked exhaustively, over
// all 2^24 (Y, Cb, Cr) (the test ColourConversionIsExactOverAllInputs keeps checking it): with
// these constants no byte differs. (With 20 fraction bits 437 green values differ; float32
// arithmetic gets 345 wrong.) The sums stay inside int32: at most 255 * 2^22 + 127 * 1.772 *
// 2^22 < 2.03e9 < 2^31.
constexpr int kColorFractionBits = 22;
constexpr double kColorOne = 1 << kColorFractionBits;
constexpr int32_t FixedColorConstant(double k) {
  return static_cast<int32_t>(k < 0 ? k * kColorOne - 0.5 : k * kColorOne + 0.5);
}
constexpr int32_t kRedFromCr = FixedColorConstant(1.402);
constexpr int32_t kGreenFromCb = FixedColorConstant(-0.3441363);
constexpr int32_t kGreenFromCr = FixedColorConstant(-0.71413636);
constexpr int32_t kBlueFromCb = FixedColorConstant(1.772);

inline uint8_t FixedToByte(int32_t v) {
  const int32_t whole = v >> kColorFractionBits;
  return static_cast<uint8_t>(whole < 0 ? 0 : whole > 255 ? 255 : whole);
}

}  // namespace

void ReferenceYCbCrToRgbRow(const uint8_t* luma, const uint8_t* blue_chroma,
                            const uint8_t* red_chroma, int count, uint8_t* rgb) {
  // Planar first: simple loops that the compiler vectorizes; then one interleaving pass. (An
  // AVX2 build of the same loops measured no faster.)
  constexpr int kChunk = 256;
  uint8_t red[kChunk], green[kChunk], blue[kChunk];
  for (int begin = 0; begin < count; begin += kChunk) {
    const int n = count - begin < kChunk ? count - begin : kChunk;
    const uint8_t* y = luma + begin;
    const uint8_t* cb = blue_chroma + begin;
    const uint8_t* cr = red_chroma + begin;
    for (int x = 0; x < n; ++x) {
      const int32_t scaled_luma = int32_t{y[x]} << kColorFractionBits;
      const int32_t blue_diff = int32_t{cb[x]} - 128;
      const int32_t red_diff = int32_t{cr[x]} - 128;
      red[x] = FixedToByte(scaled_luma + red_diff * kRedFromCr);
      green[x] = FixedToByte(scaled_luma + blue_diff * kGreenFromCb + red_diff * kGreenFromCr);
      blue[x] = FixedToByte(scaled_luma + blue_diff * kBlueFromCb);
    }
    uint8_t* out = rgb + size_t{3} * begin;
    for (int x = 0; x < n; ++x) {
      out[3 * x] = red[x];
      out[3 * x + 1] = green[x];
      out[3 * x + 2] = blue[x];
    }
  }
}

int ReferenceBlockCount(int image_size, int sampling, int max_sampling) {
  const int64_t full_blocks = (int64_t{image_size} + 7) / 8;
  return static_cast<int>((full_blocks * sampling + max_sampling - 1) / max_sampling);
}

void ReferenceInverseDct(const int16_t* coefficients, const uint16_t* quant_steps, uint8_t* out,
                         size_t stride) {
  // A block whose AC coefficients are all zero (the commonest kind in photos: smooth areas,
  // most chroma) takes the shortcut in every row and every column of both passes, so its
  // samples are one value, computed once. No int32 wrap is skipped: the same two shortcut
  // formulas, with the same 64-bit evaluation.
  uint32_t ac_bits = 0;
  for (int i = 1; i < 64; ++i) ac_bits |= static_cast<uint16_t>(coefficients[i]);
  if (ac_bits == 0) {
    const int32_t dc = WrapTo32(int64_t{coefficients[0]} * quant_steps[0]);
    const int32_t value = jpeg_idct::DcOnly<kColumnPass, JsArithmetic>(
        jpeg_idct::DcOnly<kRowPass, JsArithmetic>(dc));
    const uint8_t sample = ClampToByte(128 + RoundingShift(value, 4));
    for (int y = 0; y < 8; ++y) std::memset(out + y * stride, sample, 8);
    return;
  }
  static const bool avx2 = core::IsaAvailable(core::Isa::kAvx2);
  if (avx2 && jpeg_idct::InverseDctInt32Avx2(coefficients, quant_steps, out, stride)) return;
  ReferenceInverseDctExact(coefficients, quant_steps, out, stride);
}

void ReferenceInverseDctExact(const int16_t* coefficients, const uint16_t* quant_steps,
                              uint8_t* out, size_t stride) {
  std::array<int32_t, 64> block;
  // Dequantized into an Int32Array (the product of a 16-bit coefficient and step fits).
  for (int i = 0; i < 64; ++i) block[i] = WrapTo32(int64_t{coefficients[i]} * quant_steps[i]);
  for (int row = 0; row < 8; ++row) InverseDct8<kRowPass>(&block[row * 8], 1);
  for (int column = 0; column < 8; ++column) InverseDct8<kColumnPass>(&block[column], 8);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      out[y * stride + x] = ClampToByte(128 + RoundingShift(block[y * 8 + x], 4));
    }
  }
}

void ApplyApp14Segment(std::span<const uint8_t> payload, AdobeMarker* adobe) {
  static constexpr uint8_t kSignature[6] = {'A', 'd', 'o', 'b', 'e', 0};
  if (payload.size() < sizeof kSignature ||
      std::memcmp(payload.data(), kSignature, sizeof kSignature) != 0) {
    return;
  }
  adobe->present = true;
  adobe->transform = payload.size() > 11 ? payload[11] : 0;
}

bool ReferenceSupportsComponents(int component_count, const AdobeMarker& adobe) {
  return component_count == 1 || component_count == 3 || (component_count == 4 && adobe.present);
}

StatusOr<Image> ReferenceColorConvert(const ReferenceFrame& frame, const std::string& source_name) {
  const int components = static_cast<int>(frame.planes.size());
  if (!ReferenceSupportsComponents(components, frame.adobe)) {
    return Unimplemented(source_name + ": the reference JPEG decoder does not decode " +
                         std::to_string(components) + "-component images" +
                         (components == 4 ? " without an Adobe marker" : ""));
  }
  std::vector<UpsampledRows> rows;
  rows.reserve(frame.planes.size());
  for (const ReferencePlane& plane : frame.planes) {
    EF_CHECK_EQ(plane.samples.size(), static_cast<size_t>(plane.width) * plane.height);
    rows.emplace_back(plane, frame);
  }

  Image image;
  image.width = frame.width;
  image.height = frame.height;
  image.channels = components == 1 ? 1 : 3;
  image.pixels.resize(static_cast<size_t>(frame.width) * frame.height * image.channels);
  const size_t row_bytes = static_cast<size_t>(frame.width) * image.channels;
  for (int y = 0; y < frame.height; ++y) {
    uint8_t* out = image.pixels.data() + row_bytes * y;
    if (components == 1) {
      std::memcpy(out, rows[0].Row(y), row_bytes);
      continue;
    }
    const uint8_t* c0 = rows[0].Row(y);
    const uint8_t* c1 = rows[1].Row(y);
    const uint8_t* c2 = rows[2].Row(y);
    if (components == 3) {
      // jpeg-js applies YCbCr -> RGB to every 3-component image: its colorTransform default is
      // true and an Adobe marker can only set it to true.
      ReferenceYCbCrToRgbRow(c0, c1, c2, frame.width, out);
      continue;
    }
    // 4 components with an Adobe marker: Adobe stores CMYK inverted (255 = no ink). jpeg-js
    // first makes the bytes (255 - C, 255 - M, 255 - Y, 255 - K) of the stored samples (YCCK:
    // of C, M, Y from the inverse YCbCr transform, computed in double as 255 - clamped value),
    // then blends ink and black. Rare, so left in jpeg-js's double arithmetic.
    const uint8_t* c3 = rows[3].Row(y);
    const bool ycck = frame.adobe.transform != 0;
    for (int x = 0; x < frame.width; ++x) {
      int ink[3];
      if (ycck) {
        const RgbDouble rgb = YCbCrToRgb(c0[x], c1[x], c2[x]);
        const double cmy[3] = {255 - rgb.r, 255 - rgb.g, 255 - rgb.b};
        for (int c = 0; c < 3; ++c) ink[c] = TruncateToByte(255 - cmy[c]);
      } else {
        ink[0] = 255 - c0[x];
        ink[1] = 255 - c1[x];
        ink[2] = 255 - c2[x];
      }
      const int black = 255 - c3[x];
      for (int c = 0; c < 3; ++c) *out++ = InkToRgb(ink[c], black);
    }
  }
  return image;
}

}  // namespace edgeforge::data
