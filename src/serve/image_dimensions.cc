#include "serve/image_dimensions.h"

#include <algorithm>
#include <cstdlib>

namespace edgeforge::serve {

namespace {

uint32_t BigEndian16(std::span<const uint8_t> b, size_t at) { return uint32_t{b[at]} << 8 | b[at + 1]; }
uint32_t BigEndian32(std::span<const uint8_t> b, size_t at) { return BigEndian16(b, at) << 16 | BigEndian16(b, at + 2); }
uint32_t LittleEndian16(std::span<const uint8_t> b, size_t at) { return uint32_t{b[at + 1]} << 8 | b[at]; }
uint32_t LittleEndian32(std::span<const uint8_t> b, size_t at) {
  return LittleEndian16(b, at + 2) << 16 | LittleEndian16(b, at);
}

// Walks the marker segments up to the first start-of-frame (SOF0..SOF15 except DHT C4,
// JPG C8 and DAC CC), whose payload is precision(1) height(2) width(2).
std::optional<ImageDimensions> PeekJpeg(std::span<const uint8_t> b) {
  size_t pos = 2;  // after SOI
  while (pos + 4 <= b.size()) {
    if (b[pos] != 0xFF) return std::nullopt;
    const uint8_t marker = b[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length field
      pos += 2;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return std::nullopt;  // scan data before any frame
    const size_t length = BigEndian16(b, pos + 2);
    const bool is_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_frame) {
      if (length < 7 || pos + 9 > b.size()) return std::nullopt;
      return ImageDimensions{BigEndian16(b, pos + 7), BigEndian16(b, pos + 5)};
    }
    if (length < 2) return std::nullopt;
    pos += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageDimensions> PeekPng(std::span<const uint8_t> b) {
  // Signature(8), IHDR length(4) and type(4), then width(4) height(4), big-endian.
  if (b.size() < 24) return std::nullopt;
  return ImageDimensions{BigEndian32(b, 16), BigEndian32(b, 20)};
}

std::optional<ImageDimensions> PeekBmp(std::span<const uint8_t> b) {
  if (b.size() < 26) return std::nullopt;
  const uint32_t header_size = LittleEndian32(b, 14);
  if (header_size == 12) return ImageDimensions{LittleEndian16(b, 18), LittleEndian16(b, 20)};  // OS/2 core header
  // A negative height means rows stored top-down.
  const auto width = static_cast<int32_t>(LittleEndian32(b, 18));
  const auto height = static_cast<int32_t>(LittleEndian32(b, 22));
  return ImageDimensions{std::llabs(width), std::llabs(height)};
}

bool StartsWith(std::span<const uint8_t> b, std::span<const uint8_t> prefix) {
  return b.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b.begin());
}

}  // namespace

std::optional<ImageDimensions> PeekImageDimensions(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kJpeg[] = {0xFF, 0xD8, 0xFF};
  static constexpr uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  static constexpr uint8_t kBmp[] = {'B', 'M'};
  if (StartsWith(bytes, kJpeg)) return PeekJpeg(bytes);
  if (StartsWith(bytes, kPng)) return PeekPng(bytes);
  if (StartsWith(bytes, kBmp)) return PeekBmp(bytes);
  return std::nullopt;
}

}  // namespace edgeforge::serve
