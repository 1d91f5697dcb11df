// Width and height from the first bytes of a JPEG, PNG or BMP, without decoding: lets the
// server refuse an image that would decode to too many pixels (a small JPEG can declare
// 30000 x 30000) before any decoder allocates for it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace edgeforge::serve {

struct ImageDimensions {
  int64_t width = 0;
  int64_t height = 0;
};

// nullopt when the header is not recognised or is cut short; the decoder then reports the
// problem in its own words.
std::optional<ImageDimensions> PeekImageDimensions(std::span<const uint8_t> bytes);

}  // namespace edgeforge::serve
