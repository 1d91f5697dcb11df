#include "make/image_export.h"

#include <png.h>

#include <filesystem>
#include <map>

namespace edgeforge::make {

Status WritePng(const Image& image, const std::string& path) {
  if (image.channels != 1 && image.channels != 3) {
    return InvalidArgument(path + ": cannot write a PNG of " + std::to_string(image.channels) + " channels");
  }
  // libpng's simplified API reports errors in `message` instead of longjmp-ing through us.
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&png, path.c_str(), 0, image.pixels.data(), 0, nullptr)) {
    const std::string message = png.message;
    png_image_free(&png);
    return IoError(path + ": cannot write PNG: " + message);
  }
  return Status::Ok();
}

std::string ClassFolderName(const std::string& class_name) {
  std::string name = class_name;
  for (char& c : name) {
    if (c == '/' || c == '\\') c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "_" + name;
  return name;
}

StatusOr<ExportCount> ExportImages(const data::Dataset& dataset, const std::vector<size_t>& indices,
                                   const std::string& dir) {
  namespace fs = std::filesystem;
  ExportCount count;
  for (size_t i : indices) {
    StatusOr<Image> image = dataset.Load(i);
    if (!image.ok()) {
      ++count.skipped;
      continue;
    }
    const fs::path folder =
        fs::path(dir) / ClassFolderName(dataset.class_names().at(static_cast<size_t>(dataset.label(i))));
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return IoError(folder.string() + ": cannot create folder: " + ec.message());
    EF_RETURN_IF_ERROR(WritePng(*image, (folder / (std::to_string(i) + ".png")).string()));
    ++count.written;
  }
  return count;
}

std::vector<size_t> ClassBalancedPrefix(const data::Dataset& dataset, const std::vector<size_t>& indices,
                                        size_t count) {
  if (count == 0 || count >= indices.size()) return indices;
  return data::InterleaveClasses(dataset, indices, count);
}

}  // namespace edgeforge::make
