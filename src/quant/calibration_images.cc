#include "quant/calibration_images.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "data/labelled_images.h"
#include "edgeforge/image.h"

namespace edgeforge::quant {

namespace fs = std::filesystem;

StatusOr<std::vector<std::string>> ListCalibrationImages(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return NotFound(dir + ": no such calibration folder");
  if (!fs::is_directory(dir, ec)) {
    return InvalidArgument(dir + ": calibration data must be a folder of images (one subfolder per "
                           "class, or the images directly in it); TFRecord and IDX files are not "
                           "read yet");
  }
  // Class -> files. Subfolders are classes (data::ListLabelledImages); without subfolders every
  // image of the folder counts, whatever its name.
  std::map<std::string, std::vector<std::string>> by_class;
  bool has_subfolders = false;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory()) has_subfolders = true;
  }
  if (ec) return IoError(dir + ": cannot list: " + ec.message());
  if (has_subfolders) {
    EF_ASSIGN_OR_RETURN(data::LabelledImages listed, data::ListLabelledImages(dir));
    for (const data::LabelledImage& image : listed.images) {
      by_class[listed.class_names[static_cast<size_t>(image.label)]].push_back(image.path);
    }
  } else {
    auto& files = by_class[""];
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.is_regular_file() && data::HasImageExtension(e.path().string())) {
        files.push_back(e.path().string());
      }
    }
    if (ec) return IoError(dir + ": cannot list: " + ec.message());
    if (files.empty()) return InvalidArgument(dir + ": holds no .jpg, .png or .bmp images");
    std::sort(files.begin(), files.end());
  }
  std::vector<std::string> interleaved;
  for (size_t round = 0;; ++round) {
    bool any = false;
    for (const auto& [name, files] : by_class) {
      if (round < files.size()) {
        interleaved.push_back(files[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return interleaved;
}

ImageSplit SplitImages(const std::vector<std::string>& images, size_t calibration, size_t held_back) {
  ImageSplit split;
  const size_t n_cal = std::min(calibration, images.size());
  const size_t n_held = std::min(held_back, images.size() - n_cal);
  split.calibration.assign(images.begin(), images.begin() + static_cast<std::ptrdiff_t>(n_cal));
  split.held_back.assign(images.begin() + static_cast<std::ptrdiff_t>(n_cal),
                         images.begin() + static_cast<std::ptrdiff_t>(n_cal + n_held));
  return split;
}

Status CheckImageInput(const ir::Tensor& input, const std::string& source) {
  const std::string label = source + ": input '" + input.name + "' " + ShapeToString(input.shape) +
                            " " + DTypeName(input.dtype);
  if (input.shape.size() != 4 || input.shape[0] != 1 || input.shape[1] < 1 || input.shape[2] < 1 ||
      (input.shape[3] != 1 && input.shape[3] != 3)) {
    return InvalidArgument(label + " cannot take an image: expected [1,H,W,3] or [1,H,W,1]");
  }
  if (input.dtype != DType::kFloat32 && input.dtype != DType::kUInt8 && input.dtype != DType::kInt8) {
    return InvalidArgument(label + " cannot take an image: expected float32, uint8 or int8");
  }
  if (input.dtype != DType::kFloat32 && input.quant.scale.size() != 1) {
    return InvalidArgument(label + " cannot take an image: an 8-bit input needs one scale");
  }
  return Status::Ok();
}

Status CheckPreprocessing(const InputPreprocessing& p, int channels) {
  if (p.mean.empty() != p.std.empty()) {
    return InvalidArgument("input preprocessing needs both a mean and a std (or neither)");
  }
  auto check_size = [channels](const std::vector<float>& v, const char* what) -> Status {
    if (v.empty() || v.size() == 1 || v.size() == static_cast<size_t>(channels)) return Status::Ok();
    return InvalidArgument(std::string("input ") + what + " has " + std::to_string(v.size()) +
                           " values; expected 1 or " + std::to_string(channels) + " (one per channel)");
  };
  EF_RETURN_IF_ERROR(check_size(p.mean, "mean"));
  EF_RETURN_IF_ERROR(check_size(p.std, "std"));
  for (float s : p.std) {
    if (!(std::fabs(s) > 0) || !std::isfinite(s)) {
      return InvalidArgument("input std " + std::to_string(s) + " must be finite and non-zero");
    }
  }
  for (float m : p.mean) {
    if (!std::isfinite(m)) return InvalidArgument("input mean " + std::to_string(m) + " is not finite");
  }
  return Status::Ok();
}

StatusOr<std::vector<uint8_t>> ImageInputBytes(const std::string& path, const ir::Tensor& input,
                                               const InputPreprocessing& preprocessing) {
  const int height = input.shape[1], width = input.shape[2], channels = input.shape[3];
  EF_ASSIGN_OR_RETURN(Image image, LoadImage(path, channels == 1 ? ColorMode::kGray : ColorMode::kRgb));
  Image resized = ResizeBilinear(image, width, height);
  std::vector<uint8_t> bytes(input.byte_size());
  Status s = ImageToTensor(resized, input.dtype, input.quant, preprocessing.mean, preprocessing.std, bytes);
  if (!s.ok()) return s.WithContext(path);
  return bytes;
}

}  // namespace edgeforge::quant
