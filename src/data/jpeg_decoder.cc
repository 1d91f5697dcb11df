// JPEG decoding. libjpeg-turbo always parses the file and decodes its Huffman (or
// progressive, or arithmetic) data, with all its error checking. The pixels are then
// reconstructed one of two ways (JpegDecoding):
//
// * kReference (default): jpeg_read_coefficients hands us every component's quantized DCT
//   coefficients and jpeg_reconstruct.cc rebuilds the pixels with jpeg-js's arithmetic, the
//   decoder behind the TFLite goldens (for coral/parrot.jpg they are reproduced byte for byte).
// * kLibjpegTurbo: libjpeg-turbo's default decoder settings (accurate integer IDCT "ISLOW",
//   fancy upsampling): what Pillow uses, and TensorFlow with dct_method="INTEGER_ACCURATE".
//   Against the goldens it differs by up to +-3 in about 46% of the bytes.
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

#include "core/check.h"
#include "data/image_codecs.h"
#include "data/jpeg_reconstruct.h"

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
  JpegDecoding decoding = JpegDecoding::kReference;
  int width = 0;
  int height = 0;
  bool dimensions_rejected = false;
  AdobeMarker adobe;  // as jpeg-js reads the APP14 markers

  // Which reconstruction ran: the reference one fills `reference`, libjpeg's fills `pixels`.
  bool reconstructed_by_reference = false;
  ReferenceFrame* reference = nullptr;
  std::vector<uint8_t>* pixels = nullptr;  // decoded samples, `channels` per pixel
  int channels = 0;
  bool cmyk = false;            // pixels hold C, M, Y, K (converted by the caller)
  bool adobe_inverted = false;  // Adobe APP14 CMYK stores inverted samples
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

// libjpeg-turbo's own pixels (JpegDecoding::kLibjpegTurbo). Called inside the setjmp frame.
void DecompressWithLibjpeg(JpegJob* job) {
  jpeg_decompress_struct* cinfo = &job->cinfo;
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
}

// The reference reconstruction's first half (JpegDecoding::kReference): every component's
// coefficients, inverse-transformed into a plane laid out as jpeg-js lays it out. Called inside
// the setjmp frame. Returns false, with job->error.message set, if a component has no
// quantization table.
bool ReadReferencePlanes(JpegJob* job) {
  jpeg_decompress_struct* cinfo = &job->cinfo;
  jvirt_barray_ptr* coefficients = jpeg_read_coefficients(cinfo);
  ReferenceFrame& frame = *job->reference;
  frame.width = job->width;
  frame.height = job->height;
  frame.max_sampling_h = cinfo->max_h_samp_factor;
  frame.max_sampling_v = cinfo->max_v_samp_factor;
  frame.adobe = job->adobe;
  frame.planes.resize(cinfo->num_components);
  for (int ci = 0; ci < cinfo->num_components; ++ci) {
    const jpeg_component_info& component = cinfo->comp_info[ci];
    // jpeg-js dequantizes with the table last defined under the component's table number,
    // even if the file redefines it after the component's first scan.
    const JQUANT_TBL* quant = cinfo->quant_tbl_ptrs[component.quant_tbl_no];
    if (quant == nullptr) {
      std::snprintf(job->error.message, sizeof job->error.message,
                    "component %d has no quantization table", ci);
      return false;
    }
    ReferencePlane& plane = frame.planes[ci];
    plane.sampling_h = component.h_samp_factor;
    plane.sampling_v = component.v_samp_factor;
    const int blocks_across =
        ReferenceBlockCount(job->width, component.h_samp_factor, cinfo->max_h_samp_factor);
    const int blocks_down =
        ReferenceBlockCount(job->height, component.v_samp_factor, cinfo->max_v_samp_factor);
    // libjpeg's coefficient arrays are padded to whole MCUs, and jpeg-js's counts never exceed
    // that (see ReferenceBlockCount).
    const JDIMENSION stored_across = (component.width_in_blocks + component.h_samp_factor - 1) /
                                     component.h_samp_factor * component.h_samp_factor;
    const JDIMENSION stored_down = (component.height_in_blocks + component.v_samp_factor - 1) /
                                   component.v_samp_factor * component.v_samp_factor;
    EF_CHECK_LE(static_cast<JDIMENSION>(blocks_across), stored_across);
    EF_CHECK_LE(static_cast<JDIMENSION>(blocks_down), stored_down);
    plane.width = blocks_across * 8;
    plane.height = blocks_down * 8;
    plane.samples.resize(static_cast<size_t>(plane.width) * plane.height);
    for (int block_row = 0; block_row < blocks_down; ++block_row) {
      JBLOCKARRAY row =
          (*cinfo->mem->access_virt_barray)(reinterpret_cast<j_common_ptr>(cinfo), coefficients[ci],
                                            static_cast<JDIMENSION>(block_row), 1, FALSE);
      uint8_t* out = plane.samples.data() + static_cast<size_t>(block_row) * 8 * plane.width;
      for (int block_column = 0; block_column < blocks_across; ++block_column) {
        ReferenceInverseDct(row[0][block_column], quant->quantval, out + block_column * 8,
                            static_cast<size_t>(plane.width));
      }
    }
  }
  return true;
}

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
  jpeg_save_markers(cinfo, JPEG_APP0 + 14, 0xFFFF);  // Adobe, read here as jpeg-js reads it
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
  for (jpeg_saved_marker_ptr marker = cinfo->marker_list; marker != nullptr;
       marker = marker->next) {
    ApplyApp14Segment({marker->data, marker->data_length}, &job->adobe);
  }

  // jpeg-js decodes 1, 3 and Adobe 4-component images only; for anything else (4 components
  // without an Adobe marker, 2, ...) libjpeg-turbo's decode is the only one there is.
  job->reconstructed_by_reference = job->decoding == JpegDecoding::kReference &&
                                    ReferenceSupportsComponents(cinfo->num_components, job->adobe);
  if (job->reconstructed_by_reference) {
    if (!ReadReferencePlanes(job)) {
      jpeg_destroy_decompress(cinfo);
      return false;
    }
  } else {
    DecompressWithLibjpeg(job);
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

StatusOr<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& source_name,
                           JpegDecoding decoding) {
  std::vector<uint8_t> pixels;
  ReferenceFrame reference;
  JpegJob job{};
  job.bytes = bytes;
  job.decoding = decoding;
  job.pixels = &pixels;
  job.reference = &reference;
  if (!DecodeWithLibjpeg(&job)) {
    if (job.dimensions_rejected) {
      EF_RETURN_IF_ERROR(CheckImageDimensions(job.width, job.height, source_name));
    }
    return InvalidArgument(source_name + ": corrupt or truncated JPEG: " + job.error.message);
  }
  if (job.reconstructed_by_reference) return ReferenceColorConvert(reference, source_name);
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
