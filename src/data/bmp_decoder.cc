// BMP decoding by hand: uncompressed 24-bit, 32-bit (BI_RGB and BI_BITFIELDS) and 1/4/8-bit
// palettized images, bottom-up or top-down. Every header field is checked against the file
// size before a pixel is read: BMP headers are trivially forged, and a field that lies must
// give an error naming the file and the inconsistency, never an out-of-bounds read.
#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "data/image_codecs.h"

namespace edgeforge::data {
namespace {

constexpr size_t kFileHeaderSize = 14;
constexpr uint32_t kCoreHeaderSize = 12;  // OS/2 1.x BITMAPCOREHEADER: 16-bit sizes
constexpr uint32_t kInfoHeaderSize = 40;  // BITMAPINFOHEADER

// biCompression values.
constexpr uint32_t kBiRgb = 0;
constexpr uint32_t kBiRle8 = 1;
constexpr uint32_t kBiRle4 = 2;
constexpr uint32_t kBiBitfields = 3;

uint16_t LoadU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t LoadU32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
int32_t LoadI32(const uint8_t* p) { return static_cast<int32_t>(LoadU32(p)); }

// Everything the pixel loop needs, after validation.
struct BmpLayout {
  int64_t width = 0;
  int64_t height = 0;  // always positive
  bool top_down = false;
  int bits_per_pixel = 0;
  uint32_t compression = kBiRgb;
  uint64_t pixel_offset = 0;
  uint64_t row_stride = 0;           // bytes per row, padded to a multiple of 4
  uint32_t masks[3] = {0, 0, 0};     // R, G, B for 32-bit BI_BITFIELDS
  std::vector<uint8_t> palette_rgb;  // 3 bytes per entry for palettized images
};

// One channel of a BI_BITFIELDS pixel: which bits hold it, scaled to 0..255.
struct ChannelField {
  int shift = 0;
  int bits = 0;
  uint8_t Extract(uint32_t pixel, uint32_t mask) const {
    uint32_t v = (pixel & mask) >> shift;
    if (bits == 8) return static_cast<uint8_t>(v);
    if (bits > 8) return static_cast<uint8_t>(v >> (bits - 8));
    uint32_t max = (1u << bits) - 1;
    return static_cast<uint8_t>((v * 255 + max / 2) / max);
  }
};

Status Invalid(const std::string& name, const std::string& what) {
  return InvalidArgument(name + ": invalid BMP: " + what);
}

// A mask must be one contiguous run of set bits (e.g. 0x00FF0000).
bool MakeField(uint32_t mask, ChannelField* field) {
  if (mask == 0) return false;
  field->shift = std::countr_zero(mask);
  uint32_t run = mask >> field->shift;
  if ((run & (run + 1)) != 0) return false;
  field->bits = std::popcount(run);
  return true;
}

StatusOr<BmpLayout> ParseHeaders(std::span<const uint8_t> bytes, const std::string& name) {
  const uint64_t file_size = bytes.size();
  if (file_size < kFileHeaderSize + 4) {
    return Invalid(
        name, "file is " + std::to_string(file_size) + " bytes, too short for the BMP headers");
  }
  const uint8_t* d = bytes.data();
  const uint32_t declared_file_size = LoadU32(d + 2);
  const uint32_t pixel_offset = LoadU32(d + 10);
  const uint32_t dib_size = LoadU32(d + 14);

  if (dib_size != kCoreHeaderSize && dib_size != kInfoHeaderSize && dib_size != 52 &&
      dib_size != 56 && dib_size != 108 && dib_size != 124) {
    return Unimplemented(name + ": unsupported BMP header size " + std::to_string(dib_size) +
                         " (expected 12, 40, 52, 56, 108 or 124)");
  }
  if (kFileHeaderSize + dib_size > file_size) {
    return Invalid(name, "its " + std::to_string(dib_size) +
                             "-byte info header runs past the end of the " +
                             std::to_string(file_size) + "-byte file");
  }
  if (declared_file_size > file_size) {
    return Invalid(name, "header says the file is " + std::to_string(declared_file_size) +
                             " bytes but it is " + std::to_string(file_size) + " (truncated?)");
  }

  BmpLayout layout;
  const uint8_t* info = d + kFileHeaderSize;
  uint16_t planes;
  uint32_t size_image = 0;
  uint32_t colors_used = 0;
  if (dib_size == kCoreHeaderSize) {
    layout.width = LoadU16(info + 4);
    layout.height = LoadU16(info + 6);
    planes = LoadU16(info + 8);
    layout.bits_per_pixel = LoadU16(info + 10);
  } else {
    layout.width = LoadI32(info + 4);
    const int64_t signed_height = LoadI32(info + 8);
    layout.top_down = signed_height < 0;
    layout.height = std::abs(signed_height);
    planes = LoadU16(info + 12);
    layout.bits_per_pixel = LoadU16(info + 14);
    layout.compression = LoadU32(info + 16);
    size_image = LoadU32(info + 20);
    colors_used = LoadU32(info + 32);
  }
  if (planes != 1)
    return Invalid(name, "plane count is " + std::to_string(planes) + ", expected 1");
  EF_RETURN_IF_ERROR(CheckImageDimensions(layout.width, layout.height, name));

  const int bpp = layout.bits_per_pixel;
  const bool palettized = bpp == 1 || bpp == 4 || bpp == 8;
  if (layout.compression == kBiRle8 || layout.compression == kBiRle4) {
    return Unimplemented(name + ": RLE-compressed BMP is not supported (only uncompressed)");
  }
  if (layout.compression != kBiRgb && layout.compression != kBiBitfields) {
    return Unimplemented(name + ": unsupported BMP compression " +
                         std::to_string(layout.compression));
  }
  if (bpp == 16) return Unimplemented(name + ": 16-bit BMP is not supported");
  if (!palettized && bpp != 24 && bpp != 32) {
    return Invalid(name,
                   "bits per pixel is " + std::to_string(bpp) + ", expected 1, 4, 8, 24 or 32");
  }
  if (layout.compression == kBiBitfields && bpp != 32) {
    return Unimplemented(name + ": BI_BITFIELDS is supported for 32-bit BMP only, this one is " +
                         std::to_string(bpp) + "-bit");
  }

  // The header (and, for a 40-byte header with BI_BITFIELDS, the three masks after it) ends
  // here; a palette follows it, then the pixel data.
  uint64_t headers_end = kFileHeaderSize + dib_size;
  if (layout.compression == kBiBitfields) {
    if (dib_size == kInfoHeaderSize) {
      if (headers_end + 12 > file_size)
        return Invalid(name, "its colour masks run past the end of the file");
      for (int i = 0; i < 3; ++i) layout.masks[i] = LoadU32(d + headers_end + 4 * i);
      headers_end += 12;
    } else {
      for (int i = 0; i < 3; ++i) layout.masks[i] = LoadU32(info + 40 + 4 * i);
    }
    const char* channel_names[3] = {"red", "green", "blue"};
    for (int i = 0; i < 3; ++i) {
      ChannelField field;
      if (!MakeField(layout.masks[i], &field)) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08X", layout.masks[i]);
        return Invalid(name, std::string(channel_names[i]) + " mask " + hex +
                                 " is not one contiguous run of bits");
      }
    }
  }

  layout.row_stride = ((static_cast<uint64_t>(layout.width) * bpp + 31) / 32) * 4;
  const uint64_t pixel_bytes = layout.row_stride * static_cast<uint64_t>(layout.height);
  const std::string geometry = std::to_string(layout.width) + "x" + std::to_string(layout.height) +
                               " at " + std::to_string(bpp) + " bits per pixel needs " +
                               std::to_string(pixel_bytes) + " bytes of pixel data";
  if (pixel_offset < headers_end) {
    return Invalid(name, "pixel data offset " + std::to_string(pixel_offset) +
                             " lies inside the headers, which end at byte " +
                             std::to_string(headers_end));
  }
  if (pixel_offset + pixel_bytes > file_size) {
    return Invalid(name, geometry + " at offset " + std::to_string(pixel_offset) +
                             " but the file has only " + std::to_string(file_size) + " bytes");
  }
  if (pixel_offset + pixel_bytes > declared_file_size) {
    return Invalid(name, geometry + " at offset " + std::to_string(pixel_offset) +
                             " but the header says the file is " +
                             std::to_string(declared_file_size) + " bytes");
  }
  if (size_image != 0 && size_image < pixel_bytes) {
    return Invalid(
        name, geometry + " but the header's image size field says " + std::to_string(size_image));
  }

  if (palettized) {
    const uint64_t entry_size = dib_size == kCoreHeaderSize ? 3 : 4;  // BGR or BGRX
    const uint64_t max_entries = uint64_t{1} << bpp;
    if (colors_used > max_entries) {
      return Invalid(name, "palette size " + std::to_string(colors_used) + " exceeds the " +
                               std::to_string(max_entries) + " colours of a " +
                               std::to_string(bpp) + "-bit image");
    }
    const uint64_t room = (pixel_offset - headers_end) / entry_size;
    // Writers may leave colors_used at 0 ("all of them") yet store a shorter palette; the
    // pixel offset then tells how many entries really exist.
    const uint64_t entries = colors_used != 0 ? colors_used : std::min(max_entries, room);
    if (entries == 0 || entries > room) {
      return Invalid(name, "palette of " + std::to_string(entries) +
                               " entries does not fit between the headers (end at byte " +
                               std::to_string(headers_end) + ") and the pixel data offset " +
                               std::to_string(pixel_offset));
    }
    layout.palette_rgb.resize(entries * 3);
    for (uint64_t i = 0; i < entries; ++i) {
      const uint8_t* e = d + headers_end + i * entry_size;
      layout.palette_rgb[i * 3 + 0] = e[2];
      layout.palette_rgb[i * 3 + 1] = e[1];
      layout.palette_rgb[i * 3 + 2] = e[0];
    }
  }
  layout.pixel_offset = pixel_offset;
  return layout;
}

bool PaletteIsGray(const std::vector<uint8_t>& palette_rgb) {
  for (size_t i = 0; i < palette_rgb.size(); i += 3) {
    if (palette_rgb[i] != palette_rgb[i + 1] || palette_rgb[i] != palette_rgb[i + 2]) return false;
  }
  return true;
}

StatusOr<Image> DecodePalettized(std::span<const uint8_t> bytes, const BmpLayout& layout,
                                 const std::string& name) {
  const bool gray = PaletteIsGray(layout.palette_rgb);
  const uint64_t entries = layout.palette_rgb.size() / 3;
  const int bpp = layout.bits_per_pixel;
  const int per_byte = 8 / bpp;
  const unsigned index_mask = (1u << bpp) - 1;
  Image image;
  image.width = static_cast<int>(layout.width);
  image.height = static_cast<int>(layout.height);
  image.channels = gray ? 1 : 3;
  image.pixels.resize(static_cast<size_t>(layout.width * layout.height * image.channels));
  for (int64_t y = 0; y < layout.height; ++y) {
    const int64_t stored_row = layout.top_down ? y : layout.height - 1 - y;
    const uint8_t* row = bytes.data() + layout.pixel_offset + stored_row * layout.row_stride;
    uint8_t* out = image.pixels.data() + y * layout.width * image.channels;
    for (int64_t x = 0; x < layout.width; ++x) {
      // Pixels are packed most significant bits first.
      const int shift = 8 - bpp * static_cast<int>(x % per_byte + 1);
      const unsigned index = (row[x / per_byte] >> shift) & index_mask;
      if (index >= entries) {
        return Invalid(name, "pixel (" + std::to_string(x) + ", " + std::to_string(y) +
                                 ") uses palette index " + std::to_string(index) +
                                 " but the palette has " + std::to_string(entries) + " entries");
      }
      const uint8_t* rgb = &layout.palette_rgb[index * 3];
      if (gray) {
        out[x] = rgb[0];
      } else {
        std::memcpy(out + x * 3, rgb, 3);
      }
    }
  }
  return image;
}

Image DecodeTrueColor(std::span<const uint8_t> bytes, const BmpLayout& layout) {
  Image image;
  image.width = static_cast<int>(layout.width);
  image.height = static_cast<int>(layout.height);
  image.channels = 3;
  image.pixels.resize(static_cast<size_t>(layout.width * layout.height * 3));
  const bool bitfields = layout.compression == kBiBitfields;
  ChannelField fields[3];
  if (bitfields) {
    for (int c = 0; c < 3; ++c) MakeField(layout.masks[c], &fields[c]);
  }
  const int bytes_per_pixel = layout.bits_per_pixel / 8;
  for (int64_t y = 0; y < layout.height; ++y) {
    const int64_t stored_row = layout.top_down ? y : layout.height - 1 - y;
    const uint8_t* in = bytes.data() + layout.pixel_offset + stored_row * layout.row_stride;
    uint8_t* out = image.pixels.data() + y * layout.width * 3;
    for (int64_t x = 0; x < layout.width; ++x, in += bytes_per_pixel, out += 3) {
      if (bitfields) {
        const uint32_t pixel = LoadU32(in);
        for (int c = 0; c < 3; ++c) out[c] = fields[c].Extract(pixel, layout.masks[c]);
      } else {  // stored B, G, R (then an unused byte for 32-bit)
        out[0] = in[2];
        out[1] = in[1];
        out[2] = in[0];
      }
    }
  }
  return image;
}

}  // namespace

StatusOr<Image> DecodeBmp(std::span<const uint8_t> bytes, const std::string& source_name) {
  EF_ASSIGN_OR_RETURN(BmpLayout layout, ParseHeaders(bytes, source_name));
  if (layout.bits_per_pixel <= 8) return DecodePalettized(bytes, layout, source_name);
  return DecodeTrueColor(bytes, layout);
}

}  // namespace edgeforge::data
