// JPEG decoding with libjpeg-turbo's default decoder settings (accurate integer IDCT "ISLOW",
// fancy upsampling): what Pillow uses, and TensorFlow with dct_method="INTEGER_ACCURATE".
// The golden input made from coral/parrot.jpg was NOT decoded this way (see
// tests/data_resize_test.cc): no libjpeg-turbo setting (ISLOW / IFAST / FLOAT IDCT, fancy
// upsampling on or off) reproduces it byte for byte.
//
// libjpeg reports fatal errors by calling error_exit, which by default prints and exit()s;
// ours longjmps back to DecodeWithLibjpeg. longjmp skips destructors, so the frames it
// crosses (libjpeg's C frames, our callbacks and DecodeWithLibjpeg itself) hold no object
// with a destructor: everything lives in a JpegJob owned by the caller.
//
// Corrupt-data *warnings* are errors here: for a truncated file libjpeg only warns
// ("Premature end of JPEG file"), pads the data and returns a half-gray image, which would
// silently poison a dataset.

// clang-format off
// jpeglib.h uses size_t and FILE without including their headers.
#include <cstddef>
#include <cstdio>
#include <jerror.h>  // the JWRN_* message codes
#include <jpeglib.h>
// clang-format on

#include <csetjmp>
#include <string>
#include <vector>

#include "data/image_codecs.h"

namespace edgeforge::data {
namespace {

struct JpegErrorManager {
  jpeg_error_mgr base;  // first member: libjpeg hands us &base as cinfo->err
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

// Everything the libjpeg run reads or writes, kept outside the setjmp frame.
struct JpegJob {
  jpeg_decompress_struct cinfo;
  JpegErrorManager error;
  std::span<const uint8_t> bytes;
  std::vector<uint8_t>* pixels = nullptr;  // decoded samples, `channels` per pixel
  int width = 0;
  int height = 0;
  int channels = 0;
  bool cmyk = false;            // pixels hold C, M, Y, K (converted by the caller)
  bool adobe_inverted = false;  // Adobe APP14 CMYK stores inverted samples
  bool dimensions_rejected = false;
};

[[noreturn]] void FailJpeg(j_common_ptr cinfo) {
  auto* error = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error->message);
  std::longjmp(error->jump, 1);
}

// Warnings that do not change a single decoded pixel; every other warning means the entropy
// data is damaged or missing.
bool IsHarmlessWarning(int code) {
  return code == JWRN_EXTRANEOUS_DATA || code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM ||
         code == JWRN_BOGUS_ICC;
}

void OnJpegMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  if (IsHarmlessWarning(cinfo->err->msg_code)) return;
  FailJpeg(cinfo);
}

void SilenceOutput(j_common_ptr) {}

// Returns false on any libjpeg error, with job->error.message set (empty when the
// dimensions were rejected before decoding).
bool DecodeWithLibjpeg(JpegJob* job) {
  jpeg_decompress_struct* cinfo = &job->cinfo;
  cinfo->err = jpeg_std_error(&job->error.base);
  job->error.base.error_exit = FailJpeg;
  job->error.base.emit_message = OnJpegMessage;
  job->error.base.output_message = SilenceOutput;
  job->error.message[0] = '\0';
  if (setjmp(job->error.jump)) {
    jpeg_destroy_decompress(cinfo);
    return false;
  }
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, job->bytes.data(), static_cast<unsigned long>(job->bytes.size()));
  jpeg_read_header(cinfo, TRUE);

  job->width = static_cast<int>(cinfo->image_width);
  job->height = static_cast<int>(cinfo->image_height);
  const uint64_t pixel_count = uint64_t{cinfo->image_width} * cinfo->image_height;
  if (cinfo->image_width == 0 || cinfo->image_height == 0 || cinfo->image_width > kMaxImageSide ||
      cinfo->image_height > kMaxImageSide || pixel_count > uint64_t{kMaxImagePixels}) {
    job->dimensions_rejected = true;
    jpeg_destroy_decompress(cinfo);
    return false;
  }

  switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
      cinfo->out_color_space = JCS_GRAYSCALE;
      break;
    case JCS_CMYK:
    case JCS_YCCK:  // libjpeg converts YCCK to CMYK, not to RGB
      cinfo->out_color_space = JCS_CMYK;
      job->cmyk = true;
      job->adobe_inverted = cinfo->saw_Adobe_marker;
      break;
    default:
      cinfo->out_color_space = JCS_RGB;
      break;
  }
  jpeg_start_decompress(cinfo);
  job->channels = cinfo->output_components;
  const size_t row_bytes = size_t{cinfo->output_width} * cinfo->output_components;
  job->pixels->resize(row_bytes * cinfo->output_height);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = job->pixels->data() + row_bytes * cinfo->output_scanline;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  // Reads up to the EOI marker, so a file cut after the last scan is still reported.
  jpeg_finish_decompress(cinfo);
  jpeg_destroy_decompress(cinfo);
  return true;
}

// CMYK as Photoshop writes it (Adobe marker: samples stored inverted, 255 = no ink) or
// plain; converted naively (no colour profile), as TensorFlow and browsers without a CMS do.
void CmykToRgb(const std::vector<uint8_t>& cmyk, bool inverted, std::vector<uint8_t>* rgb) {
  const size_t count = cmyk.size() / 4;
  rgb->resize(count * 3);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = &cmyk[i * 4];
    for (int c = 0; c < 3; ++c) {
      const int ink = inverted ? p[c] : 255 - p[c];
      const int black = inverted ? p[3] : 255 - p[3];
      (*rgb)[i * 3 + c] = static_cast<uint8_t>((ink * black + 127) / 255);
    }
  }
}

}  // namespace

StatusOr<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& source_name) {
  std::vector<uint8_t> pixels;
  JpegJob job{};
  job.bytes = bytes;
  job.pixels = &pixels;
  if (!DecodeWithLibjpeg(&job)) {
    if (job.dimensions_rejected) {
      EF_RETURN_IF_ERROR(CheckImageDimensions(job.width, job.height, source_name));
    }
    return InvalidArgument(source_name + ": corrupt or truncated JPEG: " + job.error.message);
  }
  Image image;
  image.width = job.width;
  image.height = job.height;
  image.channels = job.cmyk ? 3 : job.channels;
  if (job.cmyk) {
    CmykToRgb(pixels, job.adobe_inverted, &image.pixels);
  } else {
    image.pixels = std::move(pixels);
  }
  return image;
}

}  // namespace edgeforge::data
