// Decoding: BMP variants built here byte by byte, PNG variants written with libpng, JPEGs
// written with libjpeg and the real photos in testdata; the reference (jpeg-js) JPEG
// reconstruction against the parrot goldens and values computed by jpeg-js; colour modes;
// ImageToTensor.
// clang-format off
// jpeglib.h uses size_t and FILE without including their headers.
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>
// clang-format on
#include <gtest/gtest.h>
#include <png.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "data/jpeg_reconstruct.h"
#include "edgeforge/image.h"
#include "test_util.h"

namespace edgeforge {
namespace {

using testing::TestData;

// A width x height image whose pixels are a fixed pseudo-random pattern.
Image MakeImage(int width, int height, int channels, uint32_t seed) {
  std::mt19937 rng(seed);
  Image image{width, height, channels, {}};
  image.pixels.resize(static_cast<size_t>(width) * height * channels);
  for (auto& p : image.pixels) p = static_cast<uint8_t>(rng() & 0xFF);
  return image;
}

// ---------------------------------------------------------------------------------------
// BMP writer for the tests.

void PutU16(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  b[at] = v & 0xFF;
  b[at + 1] = (v >> 8) & 0xFF;
}
void PutU32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = (v >> (8 * i)) & 0xFF;
}

struct BmpSpec {
  int bits_per_pixel = 24;  // 1, 4, 8, 24, 32
  bool top_down = false;
  uint32_t header_size = 40;  // 12, 40, 124
  bool bitfields = false;     // 32-bit only
  uint32_t masks[3] = {0x00FF0000, 0x0000FF00, 0x000000FF};
  std::vector<uint8_t> palette_rgb;  // for <= 8 bits
};

// Encodes `image` (RGB, or palette indices in a 1-channel image for <= 8 bits).
std::vector<uint8_t> EncodeBmp(const Image& image, const BmpSpec& spec) {
  const int bpp = spec.bits_per_pixel;
  const size_t stride = ((static_cast<size_t>(image.width) * bpp + 31) / 32) * 4;
  const bool core = spec.header_size == 12;
  const size_t entry = core ? 3 : 4;
  const size_t palette_bytes = (spec.palette_rgb.size() / 3) * entry;
  const size_t masks_after_header = (spec.bitfields && spec.header_size == 40) ? 12 : 0;
  const size_t offset = 14 + spec.header_size + masks_after_header + palette_bytes;
  std::vector<uint8_t> b(offset + stride * image.height, 0);
  b[0] = 'B';
  b[1] = 'M';
  PutU32(b, 2, static_cast<uint32_t>(b.size()));
  PutU32(b, 10, static_cast<uint32_t>(offset));
  PutU32(b, 14, spec.header_size);
  if (core) {
    PutU16(b, 18, image.width);
    PutU16(b, 20, image.height);
    PutU16(b, 22, 1);
    PutU16(b, 24, bpp);
  } else {
    PutU32(b, 18, image.width);
    PutU32(b, 22, spec.top_down ? -image.height : image.height);
    PutU16(b, 26, 1);
    PutU16(b, 28, bpp);
    PutU32(b, 30, spec.bitfields ? 3 : 0);
    PutU32(b, 34, static_cast<uint32_t>(stride * image.height));
    PutU32(b, 46, static_cast<uint32_t>(spec.palette_rgb.size() / 3));
    // Right after the 40-byte header, or inside a longer one: byte 54 either way.
    if (spec.bitfields) {
      for (int i = 0; i < 3; ++i) PutU32(b, 54 + 4 * i, spec.masks[i]);
    }
  }
  const size_t palette_at = 14 + spec.header_size + masks_after_header;
  for (size_t i = 0; i < spec.palette_rgb.size() / 3; ++i) {
    b[palette_at + i * entry + 0] = spec.palette_rgb[i * 3 + 2];
    b[palette_at + i * entry + 1] = spec.palette_rgb[i * 3 + 1];
    b[palette_at + i * entry + 2] = spec.palette_rgb[i * 3 + 0];
  }
  for (int y = 0; y < image.height; ++y) {
    const int stored = spec.top_down ? y : image.height - 1 - y;
    uint8_t* row = b.data() + offset + stored * stride;
    for (int x = 0; x < image.width; ++x) {
      const uint8_t* p = &image.pixels[(static_cast<size_t>(y) * image.width + x) * image.channels];
      if (bpp <= 8) {
        const int per_byte = 8 / bpp;
        row[x / per_byte] |= p[0] << (8 - bpp * (x % per_byte + 1));
      } else if (spec.bitfields) {
        uint32_t v = 0;
        for (int c = 0; c < 3; ++c) {
          const uint32_t mask = spec.masks[c];
          v |= (uint32_t{p[c]} << __builtin_ctz(mask)) & mask;  // 8-bit masks only
        }
        PutU32(b, row - b.data() + x * 4, v);
      } else {
        row[x * (bpp / 8) + 0] = p[2];
        row[x * (bpp / 8) + 1] = p[1];
        row[x * (bpp / 8) + 2] = p[0];
        if (bpp == 32) row[x * 4 + 3] = 0x7F;  // ignored "alpha" byte
      }
    }
  }
  return b;
}

Image Decoded(const std::vector<uint8_t>& bytes, const std::string& name,
              ColorMode mode = ColorMode::kRgb, JpegDecoding decoding = JpegDecoding::kReference) {
  StatusOr<Image> image = DecodeImage(bytes, name, mode, decoding);
  EXPECT_TRUE(image.ok()) << image.status().message();
  return image.ok() ? *image : Image{};
}

TEST(DataImageBmp, Coral6x4PixelsAreKnown) {
  StatusOr<Image> image = LoadImage(TestData("coral/rgb6X4.bmp"));
  ASSERT_TRUE(image.ok()) << image.status().message();
  // 4 wide, 6 tall, bottom-up 24-bit. Top half: magenta, magenta, green, green; bottom half:
  // black, black, white, white.
  ASSERT_EQ(image->width, 4);
  ASSERT_EQ(image->height, 6);
  ASSERT_EQ(image->channels, 3);
  const uint8_t magenta[3] = {255, 0, 255}, green[3] = {0, 255, 0};
  const uint8_t black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 4; ++x) {
      const uint8_t* want = y < 3 ? (x < 2 ? magenta : green) : (x < 2 ? black : white);
      const uint8_t* got = &image->pixels[(y * 4 + x) * 3];
      EXPECT_TRUE(got[0] == want[0] && got[1] == want[1] && got[2] == want[2])
          << "pixel (" << x << ", " << y << ")";
    }
  }
}

TEST(DataImageBmp, CoralMnistNineIsEightBitGray) {
  StatusOr<Image> gray = LoadImage(TestData("coral/mnist_nine.bmp"), ColorMode::kGray);
  ASSERT_TRUE(gray.ok()) << gray.status().message();
  ASSERT_EQ(gray->width, 28);
  ASSERT_EQ(gray->height, 28);
  ASSERT_EQ(gray->channels, 1);
  // Bottom-up: the second stored row is image row 26.
  EXPECT_EQ(gray->pixels[26 * 28 + 13], 0x5d);
  EXPECT_EQ(gray->pixels[26 * 28 + 14], 0xc8);
  EXPECT_EQ(gray->pixels[26 * 28 + 15], 0x3f);
  EXPECT_EQ(gray->pixels[0], 0);
  StatusOr<Image> rgb = LoadImage(TestData("coral/mnist_nine.bmp"));
  ASSERT_TRUE(rgb.ok());
  ASSERT_EQ(rgb->channels, 3);
  for (size_t i = 0; i < gray->pixels.size(); ++i) {
    ASSERT_EQ(rgb->pixels[i * 3], gray->pixels[i]);
    ASSERT_EQ(rgb->pixels[i * 3 + 1], gray->pixels[i]);
    ASSERT_EQ(rgb->pixels[i * 3 + 2], gray->pixels[i]);
  }
}

TEST(DataImageBmp, AllCoralPhotos) {
  struct Photo {
    const char* file;
    int width, height;
  };
  const Photo photos[] = {{"coral/bird.bmp", 512, 343},
                          {"coral/cat.bmp", 512, 341},
                          {"coral/grace_hopper.bmp", 512, 600},
                          {"coral/sunflower.bmp", 512, 340},
                          {"coral/imprinting/cat_test_0.bmp", 512, 768},
                          {"coral/imprinting/cat_train_0.bmp", 512, 475},
                          {"coral/imprinting/dog_test_0.bmp", 512, 340},
                          {"coral/imprinting/dog_train_0.bmp", 512, 341},
                          {"coral/imprinting/hotdog_test_0.bmp", 512, 384},
                          {"coral/imprinting/hotdog_train_0.bmp", 512, 512},
                          {"coral/imprinting/hotdog_train_1.bmp", 512, 341}};
  for (const Photo& photo : photos) {
    SCOPED_TRACE(photo.file);
    StatusOr<Image> image = LoadImage(TestData(photo.file));
    ASSERT_TRUE(image.ok()) << image.status().message();
    EXPECT_EQ(image->width, photo.width);
    EXPECT_EQ(image->height, photo.height);
    EXPECT_EQ(image->channels, 3);
  }
}

TEST(DataImageBmp, TrueColorVariantsRoundTrip) {
  uint32_t seed = 1;
  for (int bpp : {24, 32}) {
    for (bool top_down : {false, true}) {
      for (int width : {1, 2, 3, 5, 7, 8}) {
        for (int height : {1, 2, 3}) {
          SCOPED_TRACE("bpp " + std::to_string(bpp) + " top_down " + std::to_string(top_down) +
                       " size " + std::to_string(width) + "x" + std::to_string(height) + " seed " +
                       std::to_string(seed));
          const Image want = MakeImage(width, height, 3, seed++);
          BmpSpec spec;
          spec.bits_per_pixel = bpp;
          spec.top_down = top_down;
          EXPECT_EQ(Decoded(EncodeBmp(want, spec), "variant.bmp"), want);
        }
      }
    }
  }
}

TEST(DataImageBmp, BitfieldsAndHeaderVersions) {
  const Image want = MakeImage(5, 3, 3, 42);
  for (uint32_t header_size : {40u, 124u}) {
    SCOPED_TRACE("header " + std::to_string(header_size));
    BmpSpec spec;
    spec.bits_per_pixel = 32;
    spec.bitfields = true;
    spec.header_size = header_size;
    EXPECT_EQ(Decoded(EncodeBmp(want, spec), "bitfields.bmp"), want);
    // Unusual channel order: R in the low byte, B in the high one.
    spec.masks[0] = 0x000000FF;
    spec.masks[1] = 0x0000FF00;
    spec.masks[2] = 0xFF000000;
    spec.top_down = true;
    EXPECT_EQ(Decoded(EncodeBmp(want, spec), "bitfields_rgba.bmp"), want);
  }
  // The OS/2 12-byte core header with 24-bit pixels.
  BmpSpec core;
  core.header_size = 12;
  EXPECT_EQ(Decoded(EncodeBmp(want, core), "core.bmp"), want);
}

TEST(DataImageBmp, BitfieldsWiderAndNarrowerThanEightBits) {
  // 10-10-10 masks keep the top 8 bits; 5-5-5 masks scale v * 255 / 31, rounded.
  BmpSpec spec;
  spec.bits_per_pixel = 32;
  spec.bitfields = true;
  spec.top_down = true;
  spec.masks[0] = 0x3FF00000;
  spec.masks[1] = 0x000FFC00;
  spec.masks[2] = 0x000003FF;
  const Image placeholder{2, 1, 3, std::vector<uint8_t>(6, 0)};
  std::vector<uint8_t> ten = EncodeBmp(placeholder, spec);
  const size_t pixels_at = ten.size() - 8;
  PutU32(ten, pixels_at, (1023u << 20) | (512u << 10) | 3u);
  PutU32(ten, pixels_at + 4, (4u << 20) | (1u << 10) | 1020u);
  EXPECT_EQ(Decoded(ten, "bits10.bmp").pixels, (std::vector<uint8_t>{255, 128, 0, 1, 0, 255}));

  spec.masks[0] = 0x7C00;
  spec.masks[1] = 0x03E0;
  spec.masks[2] = 0x001F;
  std::vector<uint8_t> five = EncodeBmp(placeholder, spec);
  PutU32(five, pixels_at, (31u << 10) | (16u << 5) | 0u);
  PutU32(five, pixels_at + 4, (1u << 10) | (15u << 5) | 30u);
  // 16 * 255 / 31 = 131.6 -> 132; 1 -> 8.2 -> 8; 15 -> 123.4 -> 123; 30 -> 246.8 -> 247.
  EXPECT_EQ(Decoded(five, "bits5.bmp").pixels, (std::vector<uint8_t>{255, 132, 0, 8, 123, 247}));
}

TEST(DataImageBmp, PalettizedOneFourEightBit) {
  for (int bpp : {1, 4, 8}) {
    for (int width : {1, 3, 9, 17}) {
      SCOPED_TRACE("bpp " + std::to_string(bpp) + " width " + std::to_string(width));
      const int colors = 1 << bpp;
      std::mt19937 rng(bpp * 100 + width);
      BmpSpec spec;
      spec.bits_per_pixel = bpp;
      for (int i = 0; i < colors * 3; ++i) spec.palette_rgb.push_back(rng() & 0xFF);
      Image indices{width, 3, 1, {}};
      for (int i = 0; i < width * 3; ++i) indices.pixels.push_back(rng() % colors);
      Image want{width, 3, 3, {}};
      for (uint8_t index : indices.pixels) {
        for (int c = 0; c < 3; ++c) want.pixels.push_back(spec.palette_rgb[index * 3 + c]);
      }
      EXPECT_EQ(Decoded(EncodeBmp(indices, spec), "palette.bmp"), want);
    }
  }
}

TEST(DataImageBmp, GrayPaletteDecodesToOneChannel) {
  BmpSpec spec;
  spec.bits_per_pixel = 8;
  for (int i = 0; i < 256; ++i) spec.palette_rgb.insert(spec.palette_rgb.end(), 3, 255 - i);
  const Image indices = MakeImage(6, 4, 1, 7);
  Image want = indices;
  for (auto& p : want.pixels) p = 255 - p;
  EXPECT_EQ(Decoded(EncodeBmp(indices, spec), "gray.bmp", ColorMode::kGray), want);
}

// ---------------------------------------------------------------------------------------
// PNG writer for the tests (libpng, into memory).

struct PngSpec {
  int width = 0;
  int height = 0;
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<png_color> palette;
  std::vector<png_byte> transparency;  // tRNS for palettes
};

PngSpec Spec(int width, int height, int color_type, int bit_depth) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.color_type = color_type;
  spec.bit_depth = bit_depth;
  return spec;
}

void AppendToVector(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

// `rows` hold the samples exactly as PNG stores them (16-bit samples big-endian).
std::vector<uint8_t> EncodePng(const PngSpec& spec, std::vector<std::vector<uint8_t>> rows) {
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, AppendToVector, nullptr);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) {
    png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  }
  if (!spec.transparency.empty()) {
    png_set_tRNS(png, info, spec.transparency.data(), static_cast<int>(spec.transparency.size()),
                 nullptr);
  }
  png_write_info(png, info);
  std::vector<png_bytep> pointers;
  for (auto& row : rows) pointers.push_back(row.data());
  png_write_image(png, pointers.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

// 8-bit rows from an interleaved image.
std::vector<std::vector<uint8_t>> RowsOf(const Image& image) {
  std::vector<std::vector<uint8_t>> rows;
  const size_t row_bytes = static_cast<size_t>(image.width) * image.channels;
  for (int y = 0; y < image.height; ++y) {
    rows.emplace_back(image.pixels.begin() + y * row_bytes,
                      image.pixels.begin() + (y + 1) * row_bytes);
  }
  return rows;
}

TEST(DataImagePng, RgbAndInterlacedRgb) {
  const Image want = MakeImage(13, 7, 3, 3);
  for (bool interlaced : {false, true}) {
    SCOPED_TRACE("interlaced " + std::to_string(interlaced));
    PngSpec spec = Spec(13, 7, PNG_COLOR_TYPE_RGB, 8);
    spec.interlaced = interlaced;
    EXPECT_EQ(Decoded(EncodePng(spec, RowsOf(want)), "rgb.png"), want);
  }
}

TEST(DataImagePng, GrayEightBitIsOneChannelNatively) {
  const Image gray = MakeImage(9, 5, 1, 4);
  const std::vector<uint8_t> png = EncodePng(Spec(9, 5, PNG_COLOR_TYPE_GRAY, 8), RowsOf(gray));
  EXPECT_EQ(Decoded(png, "gray.png", ColorMode::kGray), gray);
  const Image rgb = Decoded(png, "gray.png");
  ASSERT_EQ(rgb.channels, 3);
  for (size_t i = 0; i < gray.pixels.size(); ++i) {
    ASSERT_EQ(rgb.pixels[i * 3 + 0], gray.pixels[i]);
    ASSERT_EQ(rgb.pixels[i * 3 + 1], gray.pixels[i]);
    ASSERT_EQ(rgb.pixels[i * 3 + 2], gray.pixels[i]);
  }
}

TEST(DataImagePng, GrayOneBitScalesToFullRange) {
  // 10 pixels wide: 1010101010 then 0000011111, packed MSB first.
  std::vector<std::vector<uint8_t>> rows = {{0xAA, 0x80}, {0x07, 0xC0}};
  const Image image =
      Decoded(EncodePng(Spec(10, 2, PNG_COLOR_TYPE_GRAY, 1), rows), "bits.png", ColorMode::kGray);
  const std::vector<uint8_t> want = {255, 0, 255, 0, 255, 0,   255, 0,   255, 0,
                                     0,   0, 0,   0, 0,   255, 255, 255, 255, 255};
  EXPECT_EQ(image.pixels, want);
}

TEST(DataImagePng, PaletteWithTransparencyBecomesRgb) {
  PngSpec spec = Spec(5, 2, PNG_COLOR_TYPE_PALETTE, 4);
  spec.palette = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}};
  spec.transparency = {0, 128};  // dropped: transparency is not blended
  // 4-bit indices, two per byte: row 0 = 0 1 2 1 0, row 1 = 2 2 2 2 1.
  std::vector<std::vector<uint8_t>> rows = {{0x01, 0x21, 0x00}, {0x22, 0x22, 0x10}};
  const Image image = Decoded(EncodePng(spec, rows), "palette.png");
  const std::vector<uint8_t> want = {10, 20, 30, 40, 50, 60, 70, 80, 90, 40, 50, 60, 10, 20, 30,
                                     70, 80, 90, 70, 80, 90, 70, 80, 90, 70, 80, 90, 40, 50, 60};
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, want);
}

TEST(DataImagePng, RgbaDropsAlpha) {
  const Image rgba = MakeImage(6, 4, 4, 5);
  const Image image =
      Decoded(EncodePng(Spec(6, 4, PNG_COLOR_TYPE_RGB_ALPHA, 8), RowsOf(rgba)), "rgba.png");
  ASSERT_EQ(image.channels, 3);
  for (size_t i = 0; i < 24; ++i) {
    for (int c = 0; c < 3; ++c) ASSERT_EQ(image.pixels[i * 3 + c], rgba.pixels[i * 4 + c]);
  }
}

TEST(DataImagePng, SixteenBitKeepsTheHighByte) {
  // RGB 16-bit and gray+alpha 16-bit: samples big-endian, high byte = value.
  const Image high = MakeImage(3, 2, 3, 6);
  const Image low = MakeImage(3, 2, 3, 60);
  std::vector<std::vector<uint8_t>> rows(2);
  for (int y = 0; y < 2; ++y) {
    for (int i = 0; i < 9; ++i) {
      rows[y].push_back(high.pixels[y * 9 + i]);
      rows[y].push_back(low.pixels[y * 9 + i]);
    }
  }
  EXPECT_EQ(Decoded(EncodePng(Spec(3, 2, PNG_COLOR_TYPE_RGB, 16), rows), "rgb16.png"), high);

  std::vector<std::vector<uint8_t>> gray_alpha = {{0x12, 0xFF, 0xAB, 0xCD, 0xFE, 0x01, 0, 0}};
  const Image gray = Decoded(EncodePng(Spec(2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 16), gray_alpha),
                             "ga16.png", ColorMode::kGray);
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{0x12, 0xFE}));
}

TEST(DataImagePng, ColourToGrayUsesBt601Luma) {
  Image rgb{4, 1, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255}};
  const Image gray = Decoded(EncodePng(Spec(4, 1, PNG_COLOR_TYPE_RGB, 8), RowsOf(rgb)), "rgb.png",
                             ColorMode::kGray);
  // (19595 R + 38470 G + 7471 B + 32768) >> 16
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{76, 150, 29, 255}));
}

// ---------------------------------------------------------------------------------------
// JPEG writer for the tests (libjpeg into memory).

struct JpegSpec {
  int width = 0;
  int height = 0;
  J_COLOR_SPACE space = JCS_RGB;  // of the samples
  int components = 3;
  int quality = 90;
  bool progressive = false;
  int luma_h = 1;  // sampling factors of the first component; the others are 1x1
  int luma_v = 1;
  bool adobe_marker = true;  // libjpeg's default for CMYK / YCCK / RGB
};

std::vector<uint8_t> EncodeJpeg(const std::vector<uint8_t>& samples, const JpegSpec& spec) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr error;
  cinfo.err = jpeg_std_error(&error);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = spec.width;
  cinfo.image_height = spec.height;
  cinfo.input_components = spec.components;
  cinfo.in_color_space = spec.space;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, spec.quality, TRUE);
  for (int c = 0; c < cinfo.num_components; ++c) {
    cinfo.comp_info[c].h_samp_factor = c == 0 ? spec.luma_h : 1;
    cinfo.comp_info[c].v_samp_factor = c == 0 ? spec.luma_v : 1;
  }
  if (!spec.adobe_marker) cinfo.write_Adobe_marker = FALSE;
  if (spec.progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(samples.data()) +
                   static_cast<size_t>(cinfo.next_scanline) * spec.width * spec.components;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> out(buffer, buffer + size);
  free(buffer);
  return out;
}

// 4:4:4 (no chroma subsampling).
std::vector<uint8_t> EncodeJpeg(const std::vector<uint8_t>& samples, int width, int height,
                                J_COLOR_SPACE space, int components, int quality,
                                bool progressive = false) {
  return EncodeJpeg(samples, {width, height, space, components, quality, progressive});
}

// libjpeg's own decode with its default settings, independently of edgeforge.
Image LibjpegDecode(const std::vector<uint8_t>& jpeg, J_COLOR_SPACE out_space) {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr error;
  cinfo.err = jpeg_std_error(&error);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, jpeg.data(), jpeg.size());
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = out_space;
  jpeg_start_decompress(&cinfo);
  Image image{static_cast<int>(cinfo.output_width),
              static_cast<int>(cinfo.output_height),
              cinfo.output_components,
              {}};
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * image.channels);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = image.pixels.data() +
                   static_cast<size_t>(cinfo.output_scanline) * image.width * image.channels;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return image;
}

// A smooth image (JPEG's best case) so the round trip error is small.
Image SmoothImage(int width, int height) {
  Image image{width, height, 3, {}};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      image.pixels.push_back(static_cast<uint8_t>(x * 255 / (width - 1)));
      image.pixels.push_back(static_cast<uint8_t>(y * 255 / (height - 1)));
      image.pixels.push_back(static_cast<uint8_t>(128 + (x - y) / 4));
    }
  }
  return image;
}

int MaxAbsDiff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  EXPECT_EQ(a.size(), b.size());
  int worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

TEST(DataImageJpeg, RoundTripOfASmoothImage) {
  const Image want = SmoothImage(37, 21);
  const std::vector<uint8_t> jpeg = EncodeJpeg(want.pixels, 37, 21, JCS_RGB, 3, 98);
  const Image got = Decoded(jpeg, "smooth.jpg");
  ASSERT_EQ(got.width, 37);
  ASSERT_EQ(got.height, 21);
  ASSERT_EQ(got.channels, 3);
  EXPECT_LE(MaxAbsDiff(got.pixels, want.pixels), 6);
}

TEST(DataImageJpeg, ProgressiveDecodesLikeBaseline) {
  // Same quantization tables, so the same coefficients: identical pixels, whatever the chroma
  // subsampling and the pixel reconstruction.
  const Image source = MakeImage(41, 23, 3, 8);
  for (JpegDecoding decoding : {JpegDecoding::kReference, JpegDecoding::kLibjpegTurbo}) {
    for (auto [h, v] : {std::pair{1, 1}, {2, 2}, {2, 1}, {1, 2}}) {
      SCOPED_TRACE("decoding " + std::to_string(static_cast<int>(decoding)) + " luma sampling " +
                   std::to_string(h) + "x" + std::to_string(v));
      JpegSpec spec{41, 23, JCS_RGB, 3, 90, false, h, v};
      const StatusOr<Image> baseline =
          DecodeImage(EncodeJpeg(source.pixels, spec), "b.jpg", ColorMode::kRgb, decoding);
      spec.progressive = true;
      const StatusOr<Image> progressive =
          DecodeImage(EncodeJpeg(source.pixels, spec), "p.jpg", ColorMode::kRgb, decoding);
      ASSERT_TRUE(baseline.ok()) << baseline.status().message();
      ASSERT_TRUE(progressive.ok()) << progressive.status().message();
      EXPECT_EQ(*baseline, *progressive);
    }
  }
}

TEST(DataImageJpeg, SubsampledRoundTripOfASmoothImage) {
  const Image want = SmoothImage(37, 21);
  for (auto [h, v] : {std::pair{2, 2}, {2, 1}, {1, 2}}) {
    SCOPED_TRACE("luma sampling " + std::to_string(h) + "x" + std::to_string(v));
    const Image got =
        Decoded(EncodeJpeg(want.pixels, {37, 21, JCS_RGB, 3, 98, false, h, v}), "smooth.jpg");
    ASSERT_EQ(got.width, 37);
    ASSERT_EQ(got.height, 21);
    // Chroma is upsampled by repeating samples (no interpolation): measured 9 for 4:2:0.
    EXPECT_LE(MaxAbsDiff(got.pixels, want.pixels), 10);
  }
}

TEST(DataImageJpeg, GrayscaleJpegIsOneChannelNatively) {
  std::vector<uint8_t> samples;
  for (int i = 0; i < 16 * 8; ++i) samples.push_back(static_cast<uint8_t>(i * 2));
  const std::vector<uint8_t> jpeg = EncodeJpeg(samples, 16, 8, JCS_GRAYSCALE, 1, 100);
  const Image gray = Decoded(jpeg, "gray.jpg", ColorMode::kGray);
  ASSERT_EQ(gray.channels, 1);
  EXPECT_LE(MaxAbsDiff(gray.pixels, samples), 3);
  const Image rgb = Decoded(jpeg, "gray.jpg");
  ASSERT_EQ(rgb.channels, 3);
  for (size_t i = 0; i < gray.pixels.size(); ++i) ASSERT_EQ(rgb.pixels[i * 3 + 1], gray.pixels[i]);
}

TEST(DataImageJpeg, AdobeCmykBecomesRgb) {
  // libjpeg writes CMYK with an Adobe marker; Adobe's convention stores 255 for "no ink".
  // Stored (C, M, Y, K) = (255, 0, 255, 255): no cyan, full magenta, no yellow, no black.
  std::vector<uint8_t> samples;
  for (int i = 0; i < 16 * 16; ++i) samples.insert(samples.end(), {255, 0, 255, 255});
  const Image rgb = Decoded(EncodeJpeg(samples, 16, 16, JCS_CMYK, 4, 100), "cmyk.jpg");
  ASSERT_EQ(rgb.channels, 3);
  std::vector<uint8_t> magenta;
  for (int i = 0; i < 16 * 16; ++i) magenta.insert(magenta.end(), {255, 0, 255});
  EXPECT_LE(MaxAbsDiff(rgb.pixels, magenta), 2);
}

TEST(DataImageJpeg, CoralPhotos) {
  struct Photo {
    const char* file;
    int width, height;
  };
  for (const Photo& photo : {Photo{"coral/parrot.jpg", 512, 929}, Photo{"coral/owl.jpg", 512, 384},
                             Photo{"coral/hot_dog.jpg", 512, 384}}) {
    SCOPED_TRACE(photo.file);
    StatusOr<Image> image = LoadImage(TestData(photo.file));
    ASSERT_TRUE(image.ok()) << image.status().message();
    EXPECT_EQ(image->width, photo.width);
    EXPECT_EQ(image->height, photo.height);
    EXPECT_EQ(image->channels, 3);
    EXPECT_EQ(image->pixels.size(), size_t{3} * photo.width * photo.height);
  }
}

// ---------------------------------------------------------------------------------------
// The reference reconstruction (JpegDecoding::kReference): jpeg-js 0.4.4's arithmetic.

TEST(DataImageJpegReference, ParrotGoldenInputsAreReproducedExactly) {
  // The golden inputs were made by decoding parrot.jpg with jpeg-js and resizing bilinearly:
  // the default decode must give them byte for byte (libjpeg-turbo's pixels do not).
  StatusOr<Image> parrot = LoadImage(TestData("coral/parrot.jpg"));
  ASSERT_TRUE(parrot.ok()) << parrot.status().message();
  StatusOr<Image> libjpeg =
      LoadImage(TestData("coral/parrot.jpg"), ColorMode::kRgb, JpegDecoding::kLibjpegTurbo);
  ASSERT_TRUE(libjpeg.ok()) << libjpeg.status().message();
  const std::pair<const char*, int> goldens[] = {
      {"mobilenet_v2_1.0_224_quant", 224},
      {"tf2_mobilenet_v2_1.0_224_ptq", 224},
      {"mobilenet_v1_0.25_128_quant", 128},
      {"mobilenet_v1_1.0_224_quant_embedding_extractor", 224}};
  for (const auto& [model, size] : goldens) {
    SCOPED_TRACE(model);
    const std::vector<uint8_t> golden =
        testing::ReadBytes(TestData(std::string("golden/") + model + "__parrot.in.bin"));
    const Image resized = ResizeBilinear(*parrot, size, size);
    ASSERT_EQ(resized.pixels.size(), golden.size());
    EXPECT_EQ(resized.pixels, golden);
    EXPECT_NE(ResizeBilinear(*libjpeg, size, size).pixels, golden);
  }
}

TEST(DataImageJpegReference, LibjpegTurboOptionIsLibjpegsOwnDecode) {
  for (const char* file : {"coral/parrot.jpg", "coral/owl.jpg"}) {
    SCOPED_TRACE(file);
    const std::vector<uint8_t> jpeg = testing::ReadBytes(TestData(file));
    const Image libjpeg = Decoded(jpeg, file, ColorMode::kRgb, JpegDecoding::kLibjpegTurbo);
    EXPECT_EQ(libjpeg, LibjpegDecode(jpeg, JCS_RGB));
    // The two reconstructions are close but not the same.
    const Image reference = Decoded(jpeg, file);
    EXPECT_NE(reference.pixels, libjpeg.pixels);
    EXPECT_LE(MaxAbsDiff(reference.pixels, libjpeg.pixels), 16);
  }
}

TEST(DataImageJpegReference, BlockCountsFollowJpegJs) {
  using data::ReferenceBlockCount;
  EXPECT_EQ(ReferenceBlockCount(512, 1, 1), 64);
  EXPECT_EQ(ReferenceBlockCount(929, 1, 1), 117);
  EXPECT_EQ(ReferenceBlockCount(17, 2, 2), 3);  // 4:2:0 luma
  EXPECT_EQ(ReferenceBlockCount(17, 1, 2), 2);  // 4:2:0 chroma
  EXPECT_EQ(ReferenceBlockCount(1, 1, 4), 1);
  // ceil(ceil(9 / 8) * 2 / 3) = 2, where libjpeg's ceil(9 * 2 / 24) is 1.
  EXPECT_EQ(ReferenceBlockCount(9, 2, 3), 2);
}

// Expected samples computed by jpeg-js's own quantizeAndInverse (lib/decoder.js) on the
// same coefficients and steps.
TEST(DataImageJpegReference, InverseDctMatchesJpegJs) {
  int16_t coefficients[64] = {};
  uint16_t steps[64];
  for (int i = 0; i < 64; ++i) steps[i] = static_cast<uint16_t>(1 + (i * 7) % 23);
  const std::pair<int, int16_t> typical[] = {{0, -23}, {1, 14}, {2, -5}, {3, 2},   {7, 1},
                                             {8, 9},   {9, -3}, {10, 2}, {16, -4}, {17, 1},
                                             {24, -1}, {27, 1}, {36, 1}, {56, -2}, {63, -1}};
  for (auto [at, value] : typical) coefficients[at] = value;
  // clang-format off
  const uint8_t want_typical[64] = {
      134, 124, 125, 138, 146, 133, 115, 104, 136, 138, 141, 140, 147, 144, 128, 105,
      144, 148, 149, 149, 151, 149, 131, 110, 156, 147, 150, 156, 161, 142, 125, 113,
      152, 142, 139, 149, 149, 133, 110, 97,  139, 137, 136, 129, 132, 121, 98,  70,
      126, 126, 122, 116, 113, 103, 77,  51,  124, 114, 112, 114, 109, 85,  61,  46};
  // clang-format on
  // Written with a stride to check it is honoured.
  uint8_t out[8 * 11];
  std::memset(out, 0xAB, sizeof out);
  data::ReferenceInverseDct(coefficients, steps, out, 11);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x)
      EXPECT_EQ(out[y * 11 + x], want_typical[y * 8 + x]) << x << "," << y;
    for (int x = 8; x < 11; ++x) EXPECT_EQ(out[y * 11 + x], 0xAB);
  }

  // Huge coefficients and steps (legal: 16-bit quantization tables): jpeg-js's intermediate
  // values wrap to 32 bits, and so must ours.
  int16_t huge[64] = {};
  uint16_t max_steps[64];
  for (auto& step : max_steps) step = 65535;
  const std::pair<int, int16_t> extreme[] = {{0, 30000}, {1, -1023}, {5, 1023},   {9, 700},
                                             {18, -900}, {27, 1000}, {40, -1023}, {62, 511}};
  for (auto [at, value] : extreme) huge[at] = value;
  // clang-format off
  const uint8_t want_huge[64] = {
      0,   0,   255, 255, 255, 255, 0,   0,   0,   255, 0,   0, 0, 0,   255, 0,
      255, 0,   255, 0,   0,   255, 0,   0,   255, 255, 255, 255, 0, 0,   0,   0,
      0,   0,   0,   0,   255, 0,   255, 0,   0,   255, 255, 255, 255, 255, 0,   255,
      255, 255, 255, 47,  0,   0,   255, 255, 255, 255, 255, 0, 0, 255, 0,   255};
  // clang-format on
  uint8_t huge_out[64];
  data::ReferenceInverseDct(huge, max_steps, huge_out, 8);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(huge_out[i], want_huge[i]) << "sample " << i;

  // A DC-only block takes jpeg-js's shortcut: 160 -> (5793*160 + 512) >> 10 = 905 ->
  // (5793*905 + 8192) >> 14 = 320 -> 128 + ((320 + 8) >> 4) = 148 everywhere.
  int16_t flat[64] = {10};
  uint16_t sixteen[64];
  for (auto& step : sixteen) step = 16;
  uint8_t flat_out[64];
  data::ReferenceInverseDct(flat, sixteen, flat_out, 8);
  for (uint8_t sample : flat_out) EXPECT_EQ(sample, 148);
}

// An 8x8 plane (one block) with every sample `value`.
data::ReferencePlane Plane(int h, int v, uint8_t value) {
  return {h, v, 8, 8, std::vector<uint8_t>(64, value)};
}

TEST(DataImageJpegReference, NearestChromaAndTruncatingColourConversion) {
  // 3x2 pixels in 4:2:0: luma 2x2, chroma 1x1. jpeg-js picks chroma sample
  // floor(x * 1/2), floor(y * 1/2): pixels 0 and 1 of a row share chroma sample 0.
  data::ReferenceFrame frame;
  frame.width = 3;
  frame.height = 2;
  frame.max_sampling_h = 2;
  frame.max_sampling_v = 2;
  frame.planes = {Plane(2, 2, 0), Plane(1, 1, 128), Plane(1, 1, 128)};
  uint8_t* y = frame.planes[0].samples.data();
  uint8_t* cb = frame.planes[1].samples.data();
  uint8_t* cr = frame.planes[2].samples.data();
  y[0] = 100, y[1] = 250, y[2] = 30, y[8] = 30;
  cr[0] = 200, cb[1] = 160, cr[1] = 90, cb[8] = 0, cr[8] = 255;  // row 1 of chroma: unused
  StatusOr<Image> image = data::ReferenceColorConvert(frame, "frame");
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->channels, 3);
  // (Y, Cb, Cr) = (100, 128, 200): R = 100 + 1.402 * 72 = 200.944 -> 200 (truncated),
  // G = 100 - 0.71413636 * 72 = 48.58 -> 48, B = 100.
  // (250, 128, 200): R clamps to 255, G = 198.58 -> 198, B = 250.
  // (30, 160, 90): R = 30 - 53.276 -> 0, G = 30 - 11.0124 + 27.137 = 46.12 -> 46,
  //   B = 30 + 56.704 = 86.70 -> 86.
  // Row 1 reads luma row 1 (30, 0, 0) and chroma row 0 again.
  const std::vector<uint8_t> want = {200, 48, 100, 255, 198, 250, 0, 46, 86,
                                     130, 0,  30,  100, 0,   0,   0, 16, 56};
  EXPECT_EQ(image->pixels, want);
}

TEST(DataImageJpegReference, AdobeCmykAndYcck) {
  data::ReferenceFrame frame;
  frame.width = 1;
  frame.height = 1;
  frame.adobe.present = true;
  frame.planes = {Plane(1, 1, 200), Plane(1, 1, 100), Plane(1, 1, 50), Plane(1, 1, 230)};
  // Stored inverted (Adobe): ink C = 55, M = 155, Y = 205, K = 25;
  // R = 255 - (55 * (1 - 25/255) + 25) = 180.39 -> 180, G -> 90, B -> 45.
  StatusOr<Image> cmyk = data::ReferenceColorConvert(frame, "cmyk");
  ASSERT_TRUE(cmyk.ok()) << cmyk.status().message();
  EXPECT_EQ(cmyk->pixels, (std::vector<uint8_t>{180, 90, 45}));
  // YCCK: (Y, Cb, Cr) = (100, 128, 200) -> ink (200, 48, 100) as in RGB; then the same blend.
  frame.adobe.transform = 2;
  frame.planes[0].samples.assign(64, 100);
  frame.planes[1].samples.assign(64, 128);
  frame.planes[2].samples.assign(64, 200);
  StatusOr<Image> ycck = data::ReferenceColorConvert(frame, "ycck");
  ASSERT_TRUE(ycck.ok()) << ycck.status().message();
  EXPECT_EQ(ycck->pixels, (std::vector<uint8_t>{49, 186, 139}));
  // Without an Adobe marker jpeg-js refuses 4 components.
  frame.adobe = {};
  EXPECT_EQ(data::ReferenceColorConvert(frame, "plain.jpg").status().code(),
            StatusCode::kUnimplemented);
}

TEST(DataImageJpegReference, AdobeMarkerIsReadAsJpegJsReadsIt) {
  auto apply = [](std::vector<uint8_t> payload, data::AdobeMarker adobe) {
    data::ApplyApp14Segment(payload, &adobe);
    return std::pair{adobe.present, adobe.transform};
  };
  const std::vector<uint8_t> ycck = {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 2};
  EXPECT_EQ(apply(ycck, {}), std::pair(true, 2));
  EXPECT_EQ(apply({'A', 'd', 'o', 'b', 'e', 0, 100}, {}), std::pair(true, 0));  // short
  EXPECT_EQ(apply({'A', 'd', 'o', 'b', 'e', 1, 100, 0, 0, 0, 0, 2}, {}), std::pair(false, 0));
  EXPECT_EQ(apply({'I', 'C', 'C'}, {true, 1}), std::pair(true, 1));  // not Adobe: kept
}

TEST(DataImageJpegReference, CmykFilesDecodeThroughBothPaths) {
  // With an Adobe marker: the reference formulas; without one jpeg-js refuses the file, so
  // libjpeg-turbo's decode is used and the two options agree.
  std::vector<uint8_t> samples;
  for (int i = 0; i < 24 * 16; ++i) {
    samples.insert(samples.end(),
                   {static_cast<uint8_t>(i), 40, 200, static_cast<uint8_t>(255 - i / 2)});
  }
  JpegSpec spec{24, 16, JCS_CMYK, 4, 95};
  const std::vector<uint8_t> adobe = EncodeJpeg(samples, spec);
  const Image reference = Decoded(adobe, "adobe.jpg");
  const Image libjpeg = Decoded(adobe, "adobe.jpg", ColorMode::kRgb, JpegDecoding::kLibjpegTurbo);
  EXPECT_LE(MaxAbsDiff(reference.pixels, libjpeg.pixels), 4);
  spec.adobe_marker = false;
  const std::vector<uint8_t> plain = EncodeJpeg(samples, spec);
  EXPECT_EQ(Decoded(plain, "plain.jpg"),
            Decoded(plain, "plain.jpg", ColorMode::kRgb, JpegDecoding::kLibjpegTurbo));
}

TEST(DataImageJpegReference, DamagedFilesAreErrorsWithBothDecodings) {
  // libjpeg-turbo does the parsing and entropy decoding for both, so a truncated or damaged
  // file is an error either way, never a padded image.
  const Image source = SmoothImage(48, 40);
  for (bool progressive : {false, true}) {
    const std::vector<uint8_t> jpeg =
        EncodeJpeg(source.pixels, {48, 40, JCS_RGB, 3, 90, progressive, 2, 2});
    for (JpegDecoding decoding : {JpegDecoding::kReference, JpegDecoding::kLibjpegTurbo}) {
      for (size_t cut : {size_t{3}, jpeg.size() / 3, jpeg.size() / 2, jpeg.size() - 2}) {
        SCOPED_TRACE("progressive " + std::to_string(progressive) + " decoding " +
                     std::to_string(static_cast<int>(decoding)) + " cut at " + std::to_string(cut));
        const std::vector<uint8_t> truncated(jpeg.begin(), jpeg.begin() + cut);
        StatusOr<Image> image = DecodeImage(truncated, "cut.jpg", ColorMode::kRgb, decoding);
        ASSERT_FALSE(image.ok());
        EXPECT_NE(image.status().message().find("cut.jpg"), std::string::npos)
            << image.status().message();
      }
    }
  }
}

TEST(DataImageJpeg, AllFlowersMiniPhotosDecode) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(TestData("flowers-mini"))) {
    if (!entry.is_regular_file() || entry.path().extension() != ".jpg") continue;
    SCOPED_TRACE(entry.path().string());
    StatusOr<Image> image = LoadImage(entry.path().string());
    ASSERT_TRUE(image.ok()) << image.status().message();
    EXPECT_GT(image->width, 0);
    EXPECT_GT(image->height, 0);
    EXPECT_EQ(image->channels, 3);
    // A real photo, not a flat gray fill from a silently failed decode.
    const auto [lo, hi] = std::minmax_element(image->pixels.begin(), image->pixels.end());
    EXPECT_GT(*hi - *lo, 64);
    ++count;
  }
  EXPECT_EQ(count, 400);
}

TEST(DataImage, LoadImageMatchesDecodeImage) {
  const std::string path = TestData("coral/bird.bmp");
  StatusOr<Image> loaded = LoadImage(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->width, 512);
  EXPECT_EQ(loaded->height, 343);
  EXPECT_EQ(Decoded(testing::ReadBytes(path), path), *loaded);
}

// ---------------------------------------------------------------------------------------
// ImageToTensor

TEST(DataImageToTensor, RawPixelsForEachType) {
  const Image image = MakeImage(3, 2, 3, 9);
  std::vector<uint8_t> u8(18), i8(18), f32(18 * 4);
  ASSERT_TRUE(ImageToTensor(image, DType::kUInt8, {}, {}, {}, u8).ok());
  ASSERT_TRUE(ImageToTensor(image, DType::kInt8, {}, {}, {}, i8).ok());
  ASSERT_TRUE(ImageToTensor(image, DType::kFloat32, {}, {}, {}, f32).ok());
  EXPECT_EQ(u8, image.pixels);
  for (size_t i = 0; i < 18; ++i) {
    EXPECT_EQ(static_cast<int8_t>(i8[i]), image.pixels[i] - 128);
    float f;
    std::memcpy(&f, &f32[i * 4], 4);
    EXPECT_EQ(f, image.pixels[i]);
  }
}

TEST(DataImageToTensor, CoralNormalisationIsTheIdentity) {
  // (p - 128) / 128 quantized with scale 1/128, zero point 128 gives back p for every p.
  Image image{256, 1, 1, {}};
  for (int p = 0; p < 256; ++p) image.pixels.push_back(p);
  QuantParams quant{{0.0078125f}, {128}, 0};
  const float mean[] = {128}, stddev[] = {128};
  std::vector<uint8_t> out(256);
  ASSERT_TRUE(ImageToTensor(image, DType::kUInt8, quant, mean, stddev, out).ok());
  EXPECT_EQ(out, image.pixels);
}

TEST(DataImageToTensor, NormalisedInt8RoundsAndClamps) {
  Image image{4, 1, 1, {0, 100, 101, 255}};
  // r = (p - 100) / 2; q = round(r / 0.5) - 10, i.e. p - 110 clamped to [-128, 127].
  QuantParams quant{{0.5f}, {-10}, 0};
  const float mean[] = {100}, stddev[] = {2};
  std::vector<uint8_t> out(4);
  ASSERT_TRUE(ImageToTensor(image, DType::kInt8, quant, mean, stddev, out).ok());
  EXPECT_EQ(static_cast<int8_t>(out[0]), -110);
  EXPECT_EQ(static_cast<int8_t>(out[1]), -10);
  EXPECT_EQ(static_cast<int8_t>(out[2]), -9);
  EXPECT_EQ(static_cast<int8_t>(out[3]), 127);  // 145 clamped
  // Half-way cases round away from zero: r / scale = -0.5 -> -1, +0.5 -> +1.
  Image halves{2, 1, 1, {99, 101}};
  QuantParams unit{{1.0f}, {0}, 0};
  const float half_std[] = {2};
  ASSERT_TRUE(
      ImageToTensor(halves, DType::kInt8, unit, mean, half_std, std::span<uint8_t>(out).first(2))
          .ok());
  EXPECT_EQ(static_cast<int8_t>(out[0]), -1);
  EXPECT_EQ(static_cast<int8_t>(out[1]), 1);
}

TEST(DataImageToTensor, PerChannelFloatNormalisation) {
  Image image{1, 1, 3, {0, 128, 255}};
  const float mean[] = {0, 128, 127.5f}, stddev[] = {1, 2, 127.5f};
  std::vector<uint8_t> out(12);
  ASSERT_TRUE(ImageToTensor(image, DType::kFloat32, {}, mean, stddev, out).ok());
  float f[3];
  std::memcpy(f, out.data(), 12);
  EXPECT_EQ(f[0], 0.0f);
  EXPECT_EQ(f[1], 0.0f);
  EXPECT_EQ(f[2], 1.0f);
}

TEST(DataImageToTensor, RejectsBadArguments) {
  const Image image = MakeImage(2, 2, 3, 10);
  std::vector<uint8_t> out(12);
  const float one[] = {1}, two[] = {1, 2}, zero[] = {0};
  QuantParams quant{{0.5f}, {0}, 0};
  QuantParams per_channel{{0.5f, 0.25f}, {0, 0}, 3};
  std::vector<uint8_t> too_small(11);
  EXPECT_EQ(ImageToTensor(image, DType::kUInt8, {}, {}, {}, too_small).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImageToTensor(image, DType::kInt16, {}, {}, {}, out).code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(ImageToTensor(image, DType::kUInt8, quant, one, {}, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImageToTensor(image, DType::kUInt8, quant, two, two, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImageToTensor(image, DType::kUInt8, quant, one, zero, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImageToTensor(image, DType::kUInt8, per_channel, one, one, out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ImageToTensor(image, DType::kUInt8, {}, one, one, out).code(),
            StatusCode::kInvalidArgument);
  Image broken = image;
  broken.pixels.pop_back();
  EXPECT_EQ(ImageToTensor(broken, DType::kUInt8, {}, {}, {}, out).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgeforge
