// jpeg-js's pixel reconstruction, re-derived from its decoder.js (jpeg-js 0.4.4) and checked
// byte for byte against jpeg-js itself on the Coral and all flowers-mini photos and on
// generated files: baseline and progressive; 4:4:4, 4:2:0, 4:2:2, 4:4:0, 4:1:1, 4:1:0 and
// unusual (3x1 / 2x1 / 1x1) sampling; restart markers; grayscale; Adobe CMYK and YCCK;
// 16-bit quantization tables and extreme coefficients that make its 32-bit arithmetic wrap.
// See jpeg_reconstruct.h for the outline.
#include "data/jpeg_reconstruct.h"

#include <array>
#include <cstring>

#include "core/check.h"

namespace edgeforge::data {
namespace {

// ---------------------------------------------------------------------------------------
// IDCT. jpeg-js's constants: round(4096 * the trigonometric value).
constexpr int64_t kCos1 = 4017;       // cos(pi/16)
constexpr int64_t kSin1 = 799;        // sin(pi/16)
constexpr int64_t kCos3 = 3406;       // cos(3pi/16)
constexpr int64_t kSin3 = 2276;       // sin(3pi/16)
constexpr int64_t kCos6 = 1567;       // cos(6pi/16)
constexpr int64_t kSin6 = 3784;       // sin(6pi/16)
constexpr int64_t kSqrt2 = 5793;      // sqrt(2)
constexpr int64_t kHalfSqrt2 = 2896;  // sqrt(2) / 2

// JavaScript's ToInt32: the value modulo 2^32, as a signed 32-bit integer.
inline int32_t WrapTo32(int64_t value) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(value)));
}

// `(value + 2^(shift-1)) >> shift` as JavaScript evaluates it: the exact sum, wrapped to 32 bits,
// then an arithmetic shift. Every rounding in jpeg-js's IDCT has this form.
inline int32_t RoundingShift(int64_t value, int shift) {
  return WrapTo32(value + (int64_t{1} << (shift - 1))) >> shift;
}

// The two passes run the same butterfly with different scaling: the row pass leaves its
// results 16 times too large (8-bit rounding shifts, odd inputs scaled by 16), so 4 fraction
// bits survive to the final `>> 4`; the column pass uses 12-bit shifts throughout. An input
// whose AC terms are all zero takes a shortcut with its own rounding, which is why it is not
// simply the general formula with zeros.
struct PassScaling {
  int scale_shift;     // for the sqrt(2) scalings and the first (cos6, sin6) rotation
  int odd_left_shift;  // applied to inputs 3 and 5
  int dc_only_shift;   // for the all-AC-zero shortcut: (sqrt2 * dc + round) >> dc_only_shift
};
constexpr PassScaling kRowPass{8, 4, 10};
constexpr PassScaling kColumnPass{12, 0, 14};

// One 8-point inverse DCT in place on v[0], v[step], ..., v[7 * step]. (A template so the
// shifts are constants.)
template <PassScaling pass>
void InverseDct8(int32_t* v, int step) {
  const int32_t x0 = v[0], x1 = v[step], x2 = v[2 * step], x3 = v[3 * step];
  const int32_t x4 = v[4 * step], x5 = v[5 * step], x6 = v[6 * step], x7 = v[7 * step];
  if ((x1 | x2 | x3 | x4 | x5 | x6 | x7) == 0) {
    const int32_t flat = RoundingShift(kSqrt2 * x0, pass.dc_only_shift);
    for (int i = 0; i < 8; ++i) v[i * step] = flat;
    return;
  }
  constexpr int s = pass.scale_shift;

  // Even half: inputs 0, 4, 2, 6.
  const int32_t e0 = RoundingShift(kSqrt2 * x0, s);
  const int32_t e4 = RoundingShift(kSqrt2 * x4, s);
  const int32_t even_sum = RoundingShift(int64_t{e0} + e4, 1);
  const int32_t even_diff = RoundingShift(int64_t{e0} - e4, 1);
  const int32_t rot_a = RoundingShift(x2 * kCos6 - x6 * kSin6, s);
  const int32_t rot_b = RoundingShift(x2 * kSin6 + x6 * kCos6, s);
  const int32_t t0 = RoundingShift(int64_t{even_sum} + rot_b, 1);
  const int32_t t3 = RoundingShift(int64_t{even_sum} - rot_b, 1);
  const int32_t t1 = RoundingShift(int64_t{even_diff} + rot_a, 1);
  const int32_t t2 = RoundingShift(int64_t{even_diff} - rot_a, 1);

  // Odd half: inputs 1, 7, 3, 5.
  const int32_t o_diff = RoundingShift(kHalfSqrt2 * (int64_t{x1} - x7), s);
  const int32_t o_sum = RoundingShift(kHalfSqrt2 * (int64_t{x1} + x7), s);
  const int32_t o3 = WrapTo32(int64_t{x3} * (int64_t{1} << pass.odd_left_shift));
  const int32_t o5 = WrapTo32(int64_t{x5} * (int64_t{1} << pass.odd_left_shift));
  const int32_t a = RoundingShift(int64_t{o_diff} + o5, 1);
  const int32_t b = RoundingShift(int64_t{o_diff} - o5, 1);
  const int32_t c = RoundingShift(int64_t{o_sum} + o3, 1);
  const int32_t d = RoundingShift(int64_t{o_sum} - o3, 1);
  const int32_t u4 = RoundingShift(a * kCos3 - c * kSin3, 12);
  const int32_t u7 = RoundingShift(a * kSin3 + c * kCos3, 12);
  const int32_t u5 = RoundingShift(d * kCos1 - b * kSin1, 12);
  const int32_t u6 = RoundingShift(d * kSin1 + b * kCos1, 12);

  // Stored into an Int32Array by jpeg-js: wrapped.
  v[0] = WrapTo32(int64_t{t0} + u7);
  v[7 * step] = WrapTo32(int64_t{t0} - u7);
  v[1 * step] = WrapTo32(int64_t{t1} + u6);
  v[6 * step] = WrapTo32(int64_t{t1} - u6);
  v[2 * step] = WrapTo32(int64_t{t2} + u5);
  v[5 * step] = WrapTo32(int64_t{t2} - u5);
  v[3 * step] = WrapTo32(int64_t{t3} + u4);
  v[4 * step] = WrapTo32(int64_t{t3} - u4);
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
  // Planar first: simple loops that the compiler vectorizes; then one interleaving pass.
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
