// The "reference" JPEG pixel reconstruction: from entropy-decoded DCT coefficients to 8-bit
// pixels with exactly the arithmetic of jpeg-js 0.4.4 (npm; derived from pdf.js), the decoder
// that made the TFLite golden inputs. libjpeg-turbo still parses the file and decodes the
// Huffman / progressive data (jpeg_decoder.cc); only the steps where decoders legitimately
// differ are ours:
//
//   1. dequantize and inverse-transform each 8x8 block with jpeg-js's fixed-point IDCT
//      (Loeffler-Ligtenberg-Moschytz, 12-bit constants, its own roundings and clamp);
//   2. lay each component out as jpeg-js does: a plane of blocks_across x blocks_down blocks,
//      whose counts follow jpeg-js's formula (ReferenceBlockCount), not libjpeg's;
//   3. upsample by picking the nearest-lower sample (no interpolation);
//   4. convert YCbCr -> RGB in double precision, clamp, truncate toward zero; grayscale as is;
//      4-component (Adobe) CMYK / YCCK with jpeg-js's formulas.
//
// jpeg-js does its arithmetic on JavaScript numbers: sums and products are exact (they stay far
// below 2^53) and each `>>` or store into an Int32Array first wraps the value to 32 bits. We do
// the same with 64-bit intermediates and explicit wrapping, so even absurd coefficients in a
// hostile file give jpeg-js's bytes, with no signed overflow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/image.h"
#include "edgeforge/status.h"

namespace edgeforge::data {

// How many 8x8 blocks jpeg-js keeps for a component along one axis: for an image `image_size`
// samples long and sampling factor `sampling` out of the frame's largest `max_sampling`,
// ceil(ceil(image_size / 8) * sampling / max_sampling). libjpeg's own count,
// ceil(image_size * sampling / (8 * max_sampling)), is the same for the usual factors (1, 2, 4)
// but can be one smaller for unusual ones (e.g. 2 of 3); the extra block then comes from the MCU
// padding, which libjpeg's coefficient arrays include. The count never exceeds the MCU-padded
// size.
int ReferenceBlockCount(int image_size, int sampling, int max_sampling);

// Dequantizes one block (64 coefficients and 64 quantization steps, both in natural row-major
// order, as libjpeg stores them) and inverse-transforms it as jpeg-js does; writes 8 rows of 8
// samples to `out`, rows `stride` bytes apart.
void ReferenceInverseDct(const int16_t* coefficients, const uint16_t* quant_steps, uint8_t* out,
                         size_t stride);

// The same without ReferenceInverseDct's shortcut for flat (DC-only) blocks: every row and
// column through jpeg-js's per-row / per-column code. The specification the shortcut is tested
// against.
void ReferenceInverseDctExact(const int16_t* coefficients, const uint16_t* quant_steps,
                              uint8_t* out, size_t stride);

// One component's samples at its own resolution: blocks_across * 8 x blocks_down * 8, blocks
// from ReferenceBlockCount (so the right and bottom edges hold the padding samples of the last
// blocks).
struct ReferencePlane {
  int sampling_h = 1;
  int sampling_v = 1;
  int width = 0;
  int height = 0;
  std::vector<uint8_t> samples;  // width * height, row-major
};

// What jpeg-js knows of an Adobe APP14 marker. `transform` is the colour transform code
// (0: none, 1: YCbCr, 2: YCCK); only whether it is zero matters.
struct AdobeMarker {
  bool present = false;
  int transform = 0;
};

// Applies one APP14 segment's payload (the bytes after the length field) the way jpeg-js
// reads it: the payload must start with "Adobe\0" or it is ignored; a later match replaces an
// earlier one; a payload too short to hold the transform byte counts as transform 0.
void ApplyApp14Segment(std::span<const uint8_t> payload, AdobeMarker* adobe);

// A frame ready for colour conversion: its size, the largest sampling factors and one plane per
// component in frame order.
struct ReferenceFrame {
  int width = 0;
  int height = 0;
  int max_sampling_h = 1;
  int max_sampling_v = 1;
  std::vector<ReferencePlane> planes;
  AdobeMarker adobe;
};

// Whether jpeg-js decodes a frame with this many components and this Adobe marker: 1 (gray),
// 3 (always treated as YCbCr) or 4 with an Adobe marker (CMYK, or YCCK when its transform is
// non-zero). jpeg-js refuses every other case.
bool ReferenceSupportsComponents(int component_count, const AdobeMarker& adobe);

// jpeg-js's YCbCr -> RGB (Y + 1.402 (Cr - 128), ... in double, clamped to [0, 255], truncated)
// for `count` pixels given as three sample rows; writes interleaved RGB. Computed in fixed point
// that gives the same bytes for every input (see the .cc).
void ReferenceYCbCrToRgbRow(const uint8_t* luma, const uint8_t* blue_chroma,
                            const uint8_t* red_chroma, int count, uint8_t* rgb);

// Upsamples and colour-converts `frame` into an image: 1 channel for gray, 3 (RGB) otherwise.
// The frame must satisfy ReferenceSupportsComponents.
StatusOr<Image> ReferenceColorConvert(const ReferenceFrame& frame, const std::string& source_name);

}  // namespace edgeforge::data
