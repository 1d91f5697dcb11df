// Broken images: every one must give a clear Status naming its source, never a crash, an
// exit() from inside libjpeg/libpng, a huge allocation or a silently gray image.
#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "edgeforge/image.h"
#include "test_util.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::TestData;

// Decoding must fail with `code`, and the message must name `name` and contain `detail`.
void ExpectRejected(const std::vector<uint8_t>& bytes, const std::string& name,
                    const std::string& detail, StatusCode code = StatusCode::kInvalidArgument) {
  StatusOr<Image> image = DecodeImage(bytes, name);
  ASSERT_FALSE(image.ok()) << name << " decoded as " << image->width << "x" << image->height;
  const std::string& message = image.status().message();
  EXPECT_EQ(image.status().code(), code) << message;
  EXPECT_NE(message.find(name), std::string::npos) << message;
  EXPECT_NE(message.find(detail), std::string::npos)
      << "expected '" << detail << "' in: " << message;
}

std::vector<uint8_t> Prefix(const std::vector<uint8_t>& bytes, size_t length) {
  return {bytes.begin(), bytes.begin() + length};
}

void PutU16(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  b[at] = v & 0xFF;
  b[at + 1] = (v >> 8) & 0xFF;
}
void PutU32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = (v >> (8 * i)) & 0xFF;
}

// ---------------------------------------------------------------------------------------
// Anything

TEST(DataCorrupt, EmptyInput) {
  ExpectRejected({}, "empty.jpg", "empty");
  testing::TempDir dir;
  const std::string path = dir.file("zero_bytes.png");
  testing::WriteBytes(path, {});
  StatusOr<Image> image = LoadImage(path);
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find(path), std::string::npos) << image.status().message();
}

TEST(DataCorrupt, MissingFile) {
  const std::string path = TestData("coral/no_such_image.png");
  StatusOr<Image> image = LoadImage(path);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
  EXPECT_NE(image.status().message().find(path), std::string::npos);
}

TEST(DataCorrupt, GarbageBytes) {
  std::mt19937 rng(11);
  for (size_t size : {1, 2, 7, 100, 5000}) {
    SCOPED_TRACE("size " + std::to_string(size));
    std::vector<uint8_t> garbage(size);
    for (auto& b : garbage) b = rng() & 0xFF;
    garbage[0] = 0x00;  // not the first byte of any supported magic
    ExpectRejected(garbage, "garbage.bin", "not a JPEG, PNG or BMP");
  }
}

TEST(DataCorrupt, UnsupportedFormatsAreNamed) {
  const char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
  ExpectRejected({gif, gif + sizeof gif - 1}, "anim.gif", "GIF", StatusCode::kUnimplemented);
  const char webp[] = "RIFF\x10\x00\x00\x00WEBPVP8 ";
  ExpectRejected({webp, webp + sizeof webp - 1}, "photo.webp", "WebP", StatusCode::kUnimplemented);
}

TEST(DataCorrupt, ValidMagicThenGarbage) {
  std::mt19937 rng(12);
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> magics = {
      {"garbage.jpg", {0xFF, 0xD8, 0xFF}},
      {"garbage.png", {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}},
      {"garbage.bmp", {'B', 'M'}}};
  for (const auto& [name, magic] : magics) {
    for (size_t tail : {0, 1, 20, 300, 4000}) {
      SCOPED_TRACE(name + " + " + std::to_string(tail) + " random bytes");
      std::vector<uint8_t> bytes = magic;
      for (size_t i = 0; i < tail; ++i) bytes.push_back(rng() & 0xFF);
      StatusOr<Image> image = DecodeImage(bytes, name);
      ASSERT_FALSE(image.ok());
      EXPECT_NE(image.status().message().find(name), std::string::npos) << image.status().message();
    }
  }
}

// ---------------------------------------------------------------------------------------
// JPEG

TEST(DataCorruptJpeg, TruncatedAtManyPoints) {
  const std::vector<uint8_t> jpeg = ReadBytes(TestData("coral/parrot.jpg"));
  ASSERT_TRUE(DecodeImage(jpeg, "parrot.jpg").ok());
  const size_t n = jpeg.size();
  for (size_t cut : {size_t{3}, size_t{20}, size_t{200}, size_t{2000}, n / 10, n / 3, n / 2,
                     n * 9 / 10, n - 100, n - 2, n - 1}) {
    const std::string name = "parrot_cut_at_" + std::to_string(cut) + ".jpg";
    SCOPED_TRACE(name);
    ExpectRejected(Prefix(jpeg, cut), name, "JPEG");
  }
}

// Offset of the first SOFn marker segment of the main image (walking the marker segments,
// so a thumbnail inside the EXIF block is skipped), or 0.
size_t FindStartOfFrame(const std::vector<uint8_t>& jpeg) {
  size_t at = 2;
  while (at + 4 <= jpeg.size() && jpeg[at] == 0xFF) {
    const uint8_t marker = jpeg[at + 1];
    if (marker >= 0xC0 && marker <= 0xC3) return at;
    at += 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
  }
  return 0;
}

// Offset of the entropy-coded data after the first SOS marker segment.
size_t FindScanData(const std::vector<uint8_t>& jpeg) {
  size_t at = 2;
  while (at + 4 <= jpeg.size() && jpeg[at] == 0xFF) {
    const size_t length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    if (jpeg[at + 1] == 0xDA) return at + 2 + length;
    at += 2 + length;
  }
  return 0;
}

TEST(DataCorruptJpeg, MarkerInTheMiddleOfTheScan) {
  // libjpeg only warns ("Corrupt JPEG data: premature end of data segment") and fills the rest
  // with gray; that warning must be an error.
  const std::vector<uint8_t> jpeg = ReadBytes(TestData("coral/parrot.jpg"));
  const size_t scan = FindScanData(jpeg);
  ASSERT_GT(scan, 0u);
  for (size_t at : {scan + 10, (scan + jpeg.size()) / 2, jpeg.size() - 50}) {
    for (uint8_t marker : {uint8_t{0xD9}, uint8_t{0xD3}}) {  // EOI, an unexpected RST3
      std::vector<uint8_t> damaged = jpeg;
      damaged[at] = 0xFF;
      damaged[at + 1] = marker;
      const std::string name =
          "parrot_marker_" + std::to_string(marker) + "_at_" + std::to_string(at) + ".jpg";
      SCOPED_TRACE(name);
      ExpectRejected(damaged, name, "Corrupt JPEG data");
    }
  }
}

TEST(DataCorruptJpeg, RandomlyDamagedScanNeverCrashes) {
  // Huffman data carries no checksum: some damage is undetectable and decodes to a wrong but
  // complete image. Either outcome is fine; crashing or a wrong size is not.
  const std::vector<uint8_t> jpeg = ReadBytes(TestData("coral/parrot.jpg"));
  std::mt19937 rng(13);
  int rejected = 0;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<uint8_t> damaged = jpeg;
    const size_t at = FindScanData(jpeg) + rng() % (jpeg.size() / 2);
    for (size_t i = 0; i < 64; ++i) damaged[at + i] = rng() & 0xFF;
    const std::string name = "parrot_damaged_" + std::to_string(at) + ".jpg";
    SCOPED_TRACE(name);
    StatusOr<Image> image = DecodeImage(damaged, name);
    if (image.ok()) {
      EXPECT_EQ(image->width, 512);
      EXPECT_EQ(image->height, 929);
    } else {
      EXPECT_NE(image.status().message().find(name), std::string::npos);
      ++rejected;
    }
  }
  std::printf("[ info ] %d of 20 randomly damaged JPEGs were detected as corrupt\n", rejected);
}

TEST(DataCorruptJpeg, HostileDimensionsAreRejectedBeforeDecoding) {
  std::vector<uint8_t> jpeg = ReadBytes(TestData("coral/parrot.jpg"));
  // SOFn: FF Cn, length(2), precision(1), height(2), width(2), big-endian.
  const size_t sof = FindStartOfFrame(jpeg);
  ASSERT_GT(sof, 0u);
  ASSERT_EQ((jpeg[sof + 5] << 8) | jpeg[sof + 6], 929);
  // 65280 x 65280: within libjpeg's own limit (65500), far beyond ours.
  jpeg[sof + 5] = 0xFF;
  jpeg[sof + 6] = 0x00;
  jpeg[sof + 7] = 0xFF;
  jpeg[sof + 8] = 0x00;
  ExpectRejected(jpeg, "huge.jpg", "exceeds the limit");
}

// ---------------------------------------------------------------------------------------
// PNG

uint32_t Crc32(const uint8_t* data, size_t length) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < length; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

void AppendToVector(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

// A valid RGB PNG of noise (so its IDAT is long enough to cut in many places).
std::vector<uint8_t> NoisePng(int width, int height) {
  std::mt19937 rng(14);
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3);
  for (auto& p : pixels) p = rng() & 0xFF;
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, AppendToVector, nullptr);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y) png_write_row(png, pixels.data() + y * width * 3);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

TEST(DataCorruptPng, TruncatedAtManyPoints) {
  const std::vector<uint8_t> png = NoisePng(40, 30);
  ASSERT_TRUE(DecodeImage(png, "noise.png").ok());
  const size_t n = png.size();
  // 8: signature only; 20: inside IHDR; 33: after IHDR; then inside IDAT; n - 12: IEND lost.
  for (size_t cut : {size_t{8}, size_t{20}, size_t{33}, size_t{60}, n / 2, n - 20, n - 12, n - 1}) {
    const std::string name = "noise_cut_at_" + std::to_string(cut) + ".png";
    SCOPED_TRACE(name);
    ExpectRejected(Prefix(png, cut), name, "PNG");
  }
}

TEST(DataCorruptPng, BadHeaderCrcAndHostileDimensions) {
  std::vector<uint8_t> png = NoisePng(4, 4);
  // IHDR: length(4) "IHDR"(4) width(4) height(4) ... crc(4) starting at byte 8.
  std::vector<uint8_t> bad_crc = png;
  bad_crc[29] ^= 0xFF;
  ExpectRejected(bad_crc, "bad_crc.png", "CRC");

  for (uint32_t side : {40000u, 20000u}) {  // over the side limit; over the pixel limit
    std::vector<uint8_t> huge = png;
    for (size_t field : {16, 20}) {
      huge[field] = side >> 24;
      huge[field + 1] = (side >> 16) & 0xFF;
      huge[field + 2] = (side >> 8) & 0xFF;
      huge[field + 3] = side & 0xFF;
    }
    const uint32_t crc = Crc32(huge.data() + 12, 17);
    for (int i = 0; i < 4; ++i) huge[29 + i] = (crc >> (24 - 8 * i)) & 0xFF;
    const std::string name = "huge_" + std::to_string(side) + ".png";
    SCOPED_TRACE(name);
    ExpectRejected(huge, name, "exceeds the limit");
  }
}

// ---------------------------------------------------------------------------------------
// BMP: the 4x6 24-bit coral image with one header field at a time made to lie.
// Offsets: bfSize 2, bfOffBits 10, biSize 14, width 18, height 22, planes 26, bpp 28,
// compression 30, biSizeImage 34, biClrUsed 46. Pixel data: 72 bytes at 54; file 126 bytes.

std::vector<uint8_t> CoralBmp() { return ReadBytes(TestData("coral/rgb6X4.bmp")); }

TEST(DataCorruptBmp, TheUnmodifiedFileDecodes) {
  ASSERT_EQ(CoralBmp().size(), 126u);
  ASSERT_TRUE(DecodeImage(CoralBmp(), "rgb6X4.bmp").ok());
}

TEST(DataCorruptBmp, HeaderLiesAboutTheFileSize) {
  std::vector<uint8_t> bigger = CoralBmp();
  PutU32(bigger, 2, 5000);
  ExpectRejected(bigger, "size_5000.bmp", "header says the file is 5000 bytes but it is 126");
  std::vector<uint8_t> smaller = CoralBmp();
  PutU32(smaller, 2, 100);
  ExpectRejected(smaller, "size_100.bmp", "header says the file is 100 bytes");
}

TEST(DataCorruptBmp, TruncatedFile) {
  for (size_t cut : {3, 14, 17, 30, 54, 100, 125}) {
    const std::string name = "rgb_cut_at_" + std::to_string(cut) + ".bmp";
    SCOPED_TRACE(name);
    std::vector<uint8_t> cut_bytes = Prefix(CoralBmp(), cut);
    if (cut >= 6) PutU32(cut_bytes, 2, static_cast<uint32_t>(cut));  // even if the size agrees
    ExpectRejected(cut_bytes, name, "invalid BMP");
  }
}

TEST(DataCorruptBmp, HeaderLiesAboutTheDimensions) {
  std::vector<uint8_t> wide = CoralBmp();
  PutU32(wide, 18, 1000);
  ExpectRejected(wide, "wide.bmp", "1000x6 at 24 bits per pixel needs 18000 bytes");
  std::vector<uint8_t> tall = CoralBmp();
  PutU32(tall, 22, 7);
  ExpectRejected(tall, "tall.bmp", "needs 84 bytes of pixel data at offset 54");
  std::vector<uint8_t> negative_width = CoralBmp();
  PutU32(negative_width, 18, static_cast<uint32_t>(-4));
  ExpectRejected(negative_width, "negative_width.bmp", "not positive");
  std::vector<uint8_t> zero_height = CoralBmp();
  PutU32(zero_height, 22, 0);
  ExpectRejected(zero_height, "zero_height.bmp", "not positive");
  std::vector<uint8_t> most_negative = CoralBmp();
  PutU32(most_negative, 22, 0x80000000u);
  ExpectRejected(most_negative, "int_min_height.bmp", "exceeds the limit");
  // Hostile sizes are refused before anything is allocated.
  std::vector<uint8_t> huge_side = CoralBmp();
  PutU32(huge_side, 18, 40000);
  ExpectRejected(huge_side, "huge_side.bmp", "exceeds the limit");
  std::vector<uint8_t> huge_area = CoralBmp();
  PutU32(huge_area, 18, 30000);
  PutU32(huge_area, 22, 30000);
  ExpectRejected(huge_area, "huge_area.bmp", "exceeds the limit");
}

TEST(DataCorruptBmp, HeaderLiesAboutTheOffsetOrImageSize) {
  std::vector<uint8_t> past_end = CoralBmp();
  PutU32(past_end, 10, 100);
  ExpectRejected(past_end, "offset_100.bmp", "at offset 100 but the file has only 126 bytes");
  std::vector<uint8_t> far_past_end = CoralBmp();
  PutU32(far_past_end, 10, 0xFFFFFFF0u);
  ExpectRejected(far_past_end, "offset_huge.bmp", "but the file has only 126 bytes");
  std::vector<uint8_t> inside_headers = CoralBmp();
  PutU32(inside_headers, 10, 20);
  ExpectRejected(inside_headers, "offset_20.bmp", "lies inside the headers");
  std::vector<uint8_t> small_image_size = CoralBmp();
  PutU32(small_image_size, 34, 50);
  ExpectRejected(small_image_size, "size_image_50.bmp", "image size field says 50");
}

TEST(DataCorruptBmp, UnsupportedOrNonsenseFields) {
  std::vector<uint8_t> planes = CoralBmp();
  PutU16(planes, 26, 2);
  ExpectRejected(planes, "planes.bmp", "plane count is 2");
  std::vector<uint8_t> bpp7 = CoralBmp();
  PutU16(bpp7, 28, 7);
  ExpectRejected(bpp7, "bpp7.bmp", "bits per pixel is 7");
  std::vector<uint8_t> bpp16 = CoralBmp();
  PutU16(bpp16, 28, 16);
  ExpectRejected(bpp16, "bpp16.bmp", "16-bit", StatusCode::kUnimplemented);
  std::vector<uint8_t> rle = CoralBmp();
  PutU32(rle, 30, 1);
  ExpectRejected(rle, "rle.bmp", "RLE", StatusCode::kUnimplemented);
  std::vector<uint8_t> header_size = CoralBmp();
  PutU32(header_size, 14, 99);
  ExpectRejected(header_size, "header99.bmp", "header size 99", StatusCode::kUnimplemented);
  std::vector<uint8_t> bitfields24 = CoralBmp();
  PutU32(bitfields24, 30, 3);
  ExpectRejected(bitfields24, "bitfields24.bmp", "BI_BITFIELDS", StatusCode::kUnimplemented);
}

TEST(DataCorruptBmp, BadBitfieldMasks) {
  // 1x1 32-bit BI_BITFIELDS, masks after the 40-byte header: red mask 0x00F0F000 has a gap.
  std::vector<uint8_t> b(14 + 40 + 12 + 4, 0);
  b[0] = 'B';
  b[1] = 'M';
  PutU32(b, 2, static_cast<uint32_t>(b.size()));
  PutU32(b, 10, 66);
  PutU32(b, 14, 40);
  PutU32(b, 18, 1);
  PutU32(b, 22, 1);
  PutU16(b, 26, 1);
  PutU16(b, 28, 32);
  PutU32(b, 30, 3);
  PutU32(b, 54, 0x00F0F000);
  PutU32(b, 58, 0x0000FF00);
  PutU32(b, 62, 0x000000FF);
  ExpectRejected(b, "gap_mask.bmp", "red mask 0x00F0F000");
  PutU32(b, 54, 0);
  ExpectRejected(b, "zero_mask.bmp", "red mask 0x00000000");
}

TEST(DataCorruptBmp, PaletteProblems) {
  // 2x1 8-bit with a 2-entry palette; the second pixel uses index 5.
  std::vector<uint8_t> b(14 + 40 + 8 + 4, 0);
  b[0] = 'B';
  b[1] = 'M';
  PutU32(b, 2, static_cast<uint32_t>(b.size()));
  PutU32(b, 10, 62);
  PutU32(b, 14, 40);
  PutU32(b, 18, 2);
  PutU32(b, 22, 1);
  PutU16(b, 26, 1);
  PutU16(b, 28, 8);
  PutU32(b, 46, 2);  // colours used
  b[62] = 1;
  b[63] = 5;
  ExpectRejected(b, "bad_index.bmp", "palette index 5 but the palette has 2 entries");
  std::vector<uint8_t> too_many = b;
  PutU32(too_many, 46, 300);
  ExpectRejected(too_many, "palette300.bmp", "palette size 300 exceeds");
  std::vector<uint8_t> no_room = b;
  PutU32(no_room, 46, 100);
  ExpectRejected(no_room, "palette100.bmp", "palette of 100 entries does not fit");
}

}  // namespace
}  // namespace edgeforge
