// PNG decoding with libpng: any bit depth and colour type becomes 8-bit gray or RGB.
// Palette -> RGB, gray 1/2/4-bit -> 8-bit, 16-bit -> its high byte (as TensorFlow's
// decode_png and Pillow do), alpha and tRNS transparency dropped, Adam7 de-interlaced; gamma
// and colour profiles are ignored.
//
// libpng reports errors by longjmp to the setjmp in DecodeWithLibpng; the frames that jump
// crosses hold no object with a destructor (everything lives in a PngJob owned by the caller).
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "data/image_codecs.h"

namespace edgeforge::data {
namespace {

struct PngJob {
  std::span<const uint8_t> bytes;
  size_t read_offset = 0;
  std::vector<uint8_t>* pixels = nullptr;
  std::vector<png_bytep>* rows = nullptr;
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int channels = 0;
  bool dimensions_rejected = false;
  char message[256] = {};
};

void OnPngError(png_structp png, png_const_charp message) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->message, sizeof job->message, "%s", message);
  png_longjmp(png, 1);
}

// Warnings (bad ancillary chunk CRCs, odd colour profiles) leave the pixels intact.
void OnPngWarning(png_structp, png_const_charp) {}

void ReadFromMemory(png_structp png, png_bytep out, png_size_t count) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  if (count > job->bytes.size() - job->read_offset) {
    png_error(png, "truncated: the data ends before the image is complete");
  }
  std::memcpy(out, job->bytes.data() + job->read_offset, count);
  job->read_offset += count;
}

bool DecodeWithLibpng(PngJob* job) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, OnPngError, OnPngWarning);
  if (png == nullptr) {
    std::snprintf(job->message, sizeof job->message, "out of memory");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(job->message, sizeof job->message, "out of memory");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, job, ReadFromMemory);
  png_read_info(png, info);

  // Checked before anything is allocated for the pixels.
  job->width = png_get_image_width(png, info);
  job->height = png_get_image_height(png, info);
  if (job->width > uint32_t{kMaxImageSide} || job->height > uint32_t{kMaxImageSide} ||
      uint64_t{job->width} * job->height > uint64_t{kMaxImagePixels}) {
    job->dimensions_rejected = true;
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_strip_16(png);
  // Unconditional: palette expansion turns a tRNS chunk into an alpha channel too.
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  job->channels = png_get_channels(png, info);
  const size_t row_bytes = png_get_rowbytes(png, info);
  job->pixels->resize(row_bytes * job->height);
  job->rows->resize(job->height);
  for (png_uint_32 y = 0; y < job->height; ++y)
    (*job->rows)[y] = job->pixels->data() + y * row_bytes;
  png_read_image(png, job->rows->data());
  // Reads the chunks after the image data up to IEND, so a truncated file is reported.
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

}  // namespace

StatusOr<Image> DecodePng(std::span<const uint8_t> bytes, const std::string& source_name) {
  std::vector<uint8_t> pixels;
  std::vector<png_bytep> rows;
  PngJob job;
  job.bytes = bytes;
  job.pixels = &pixels;
  job.rows = &rows;
  if (!DecodeWithLibpng(&job)) {
    if (job.dimensions_rejected) {
      EF_RETURN_IF_ERROR(CheckImageDimensions(job.width, job.height, source_name));
    }
    return InvalidArgument(source_name + ": corrupt or truncated PNG: " + job.message);
  }
  if (job.channels != 1 && job.channels != 3) {
    return Internal(source_name + ": PNG decoded to " + std::to_string(job.channels) +
                    " channels, expected 1 or 3");
  }
  Image image;
  image.width = static_cast<int>(job.width);
  image.height = static_cast<int>(job.height);
  image.channels = job.channels;
  image.pixels = std::move(pixels);
  return image;
}

}  // namespace edgeforge::data
