#include "quant/calibration_images.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "data/augment.h"
#include "data/folder_dataset.h"
#include "data/labelled_images.h"

namespace edgeforge::quant {

namespace fs = std::filesystem;

namespace {

// Calibration needs no labels: a folder holding only photos, whatever their names, is one
// class (data::ListLabelledImages would want <class>_*.jpg names). Null when `dir` is not
// such a folder.
std::unique_ptr<data::Dataset> OpenFlatPhotoFolder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return nullptr;
  data::LabelledImages photos;
  photos.class_names = {"images"};
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory()) return nullptr;
    if (e.is_regular_file() && data::HasImageExtension(e.path().string())) {
      photos.images.push_back({e.path().string(), 0});
    }
  }
  if (ec || photos.images.empty()) return nullptr;
  std::sort(photos.images.begin(), photos.images.end(),
            [](const data::LabelledImage& a, const data::LabelledImage& b) { return a.path < b.path; });
  return data::MakeFolderDataset(dir, std::move(photos));
}

// OpenDataset, falling back to a flat folder of photos.
StatusOr<std::unique_ptr<data::Dataset>> OpenAnyDataset(const std::string& spec) {
  StatusOr<std::unique_ptr<data::Dataset>> opened = data::OpenDataset(spec, data::Split::kTrain);
  if (opened.ok()) return opened;
  if (std::unique_ptr<data::Dataset> flat = OpenFlatPhotoFolder(spec)) return flat;
  return opened.status();
}

}  // namespace

StatusOr<std::unique_ptr<data::Dataset>> OpenCalibrationData(const std::string& spec) {
  if (spec.empty()) return InvalidArgument("no calibration data given (--calibration DATA)");
  // A model where the data belongs is an easy slip; without this it reads as a corrupt TFRecord.
  if (fs::path(spec).extension() == ".tflite") {
    return InvalidArgument("calibration data " + spec +
                           " is a .tflite model, not a dataset (expected a folder of images, IDX or TFRecord "
                           "files, a .tfrecord file or prefix, or fashion-mnist)");
  }
  StatusOr<std::unique_ptr<data::Dataset>> opened = OpenAnyDataset(spec);
  if (!opened.ok()) return opened.status().WithContext("calibration data");
  if (opened.value()->size() == 0) {
    return InvalidArgument("calibration data " + spec + " holds no images (" + opened.value()->Summary() + ")");
  }
  return opened;
}

std::vector<size_t> InterleaveClasses(const data::Dataset& dataset) {
  std::vector<size_t> all(dataset.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return data::InterleaveClasses(dataset, all);
}

StatusOr<std::vector<std::string>> ListCalibrationImages(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return NotFound(dir + ": no such calibration folder");
  if (!fs::is_directory(dir, ec)) return InvalidArgument(dir + ": not a folder of images");
  std::unique_ptr<data::Dataset> folder = OpenFlatPhotoFolder(dir);
  if (!folder) {
    EF_ASSIGN_OR_RETURN(folder, data::OpenFolderDataset(dir));
  }
  std::vector<std::string> paths;
  for (size_t i : InterleaveClasses(*folder)) paths.push_back(folder->Describe(i));
  return paths;
}

SampleSplit SplitSamples(const std::vector<size_t>& order, size_t calibration, size_t held_back) {
  SampleSplit split;
  const size_t n_cal = std::min(calibration, order.size());
  const size_t n_held = std::min(held_back, order.size() - n_cal);
  split.calibration.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_cal));
  split.held_back.assign(order.begin() + static_cast<std::ptrdiff_t>(n_cal),
                         order.begin() + static_cast<std::ptrdiff_t>(n_cal + n_held));
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

StatusOr<std::vector<uint8_t>> ImageInputBytes(const Image& image, const ir::Tensor& input,
                                               const InputPreprocessing& preprocessing) {
  const int height = input.shape[1], width = input.shape[2], channels = input.shape[3];
  if (image.channels != 1 && image.channels != 3) {
    return InvalidArgument("an image with " + std::to_string(image.channels) +
                           " channels cannot feed input '" + input.name + "' (expected 1 or 3)");
  }
  // ConvertChannels gives exactly what decoding as gray / RGB gives, so a photo calibrates the
  // same whether it came from a file or from a dataset.
  const Image converted = image.channels == channels ? image : data::ConvertChannels(image, channels);
  const Image resized = ResizeBilinear(converted, width, height);
  std::vector<uint8_t> bytes(input.byte_size());
  EF_RETURN_IF_ERROR(ImageToTensor(resized, input.dtype, input.quant, preprocessing.mean, preprocessing.std, bytes));
  return bytes;
}

StatusOr<std::vector<uint8_t>> ImageInputBytes(const std::string& path, const ir::Tensor& input,
                                               const InputPreprocessing& preprocessing) {
  const int channels = input.shape[3];
  EF_ASSIGN_OR_RETURN(Image image, LoadImage(path, channels == 1 ? ColorMode::kGray : ColorMode::kRgb));
  StatusOr<std::vector<uint8_t>> bytes = ImageInputBytes(image, input, preprocessing);
  if (!bytes.ok()) return bytes.status().WithContext(path);
  return bytes;
}

}  // namespace edgeforge::quant
