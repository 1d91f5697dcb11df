#include "data/idx_dataset.h"

#include <zlib.h>

#include <filesystem>

namespace edgeforge::data {

namespace {

namespace fs = std::filesystem;

// Closes a gzFile on every return path.
struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `n` bytes; false on a short read (truncated file or gzip stream).
bool ReadExactly(gzFile file, uint8_t* out, size_t n) {
  while (n > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
    const int got = gzread(file, out, chunk);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

std::string GzErrorSuffix(gzFile file) {
  int code = Z_OK;
  const char* message = gzerror(file, &code);
  if (code == Z_OK || message == nullptr || *message == '\0') return "";
  return " (" + std::string(message) + ")";
}

// IDX files hold at most a few hundred MB; anything beyond this is a corrupt header.
constexpr uint64_t kMaxIdxBytes = uint64_t{4} << 30;

class IdxDataset final : public Dataset {
 public:
  IdxDataset(IdxArray images, IdxArray labels, std::vector<std::string> class_names, std::string name)
      : images_(std::move(images)), labels_(std::move(labels)), class_names_(std::move(class_names)),
        name_(std::move(name)) {}

  size_t size() const override { return labels_.data.size(); }
  const std::vector<std::string>& class_names() const override { return class_names_; }
  int label(size_t i) const override { return labels_.data.at(i); }
  StatusOr<Image> Load(size_t i) const override {
    if (i >= size()) return InvalidArgument(name_ + ": example " + std::to_string(i) + " out of range");
    Image image;
    image.width = static_cast<int>(images_.dims[2]);
    image.height = static_cast<int>(images_.dims[1]);
    image.channels = 1;
    const size_t bytes = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
    const uint8_t* begin = images_.data.data() + i * bytes;
    image.pixels.assign(begin, begin + bytes);
    return image;
  }
  std::string Describe(size_t i) const override { return name_ + " #" + std::to_string(i); }
  std::string Summary() const override {
    return "IDX " + name_ + ": " + std::to_string(class_names_.size()) + " classes, " + std::to_string(size()) +
           " images " + std::to_string(images_.dims[2]) + "x" + std::to_string(images_.dims[1]) + " gray";
  }

 private:
  IdxArray images_;
  IdxArray labels_;
  std::vector<std::string> class_names_;
  std::string name_;
};

// "train-images-idx3-ubyte.gz" and the variants mirrors use.
std::string FindIdxFile(const std::string& dir, const std::string& prefix, const std::string& kind, int dims) {
  const std::string d = std::to_string(dims);
  for (const std::string& stem : {prefix + "-" + kind + "-idx" + d + "-ubyte", prefix + "-" + kind + ".idx" + d + "-ubyte"}) {
    for (const char* ext : {".gz", ""}) {
      const std::string path = dir + "/" + stem + ext;
      std::error_code ec;
      if (fs::is_regular_file(path, ec)) return path;
    }
  }
  return "";
}

}  // namespace

const std::vector<std::string>& FashionMnistClassNames() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

const std::vector<std::string>& MnistClassNames() {
  static const std::vector<std::string> names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  return names;
}

StatusOr<IdxArray> ReadIdxFile(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound(path + ": no such IDX file");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) return IoError(path + ": cannot open IDX file");
  gzbuffer(file.get(), 1 << 17);
  uint8_t magic[4];
  if (!ReadExactly(file.get(), magic, 4)) {
    return InvalidArgument(path + ": truncated IDX file: no 4-byte magic" + GzErrorSuffix(file.get()));
  }
  if (magic[0] != 0 || magic[1] != 0) {
    char hex[64];
    std::snprintf(hex, sizeof hex, "%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3]);
    return InvalidArgument(path + ": not an IDX file: magic bytes " + hex + ", expected 00 00 08 <dims>");
  }
  if (magic[2] != 0x08) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", magic[2]);
    return Unimplemented(path + ": IDX element type " + type + " is not supported (expected 0x08, unsigned byte)");
  }
  if (magic[3] < 1 || magic[3] > 3) {
    return InvalidArgument(path + ": IDX file has " + std::to_string(magic[3]) + " dimensions; expected 1 to 3");
  }
  IdxArray array;
  uint64_t total = 1;
  for (int d = 0; d < magic[3]; ++d) {
    uint8_t b[4];
    if (!ReadExactly(file.get(), b, 4)) return InvalidArgument(path + ": truncated IDX header");
    const uint32_t size = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    array.dims.push_back(size);
    total *= size;
    if (total > kMaxIdxBytes) return InvalidArgument(path + ": IDX dimensions exceed 4 GiB: corrupt header");
  }
  array.data.resize(total);
  if (!ReadExactly(file.get(), array.data.data(), total)) {
    return InvalidArgument(path + ": truncated IDX file: header promises " + std::to_string(total) +
                           " bytes of data" + GzErrorSuffix(file.get()));
  }
  return array;
}

StatusOr<std::unique_ptr<Dataset>> OpenIdxDataset(const std::string& images_path, const std::string& labels_path,
                                                  std::vector<std::string> class_names, const std::string& name) {
  EF_ASSIGN_OR_RETURN(IdxArray images, ReadIdxFile(images_path));
  EF_ASSIGN_OR_RETURN(IdxArray labels, ReadIdxFile(labels_path));
  if (images.dims.size() != 3 || images.dims[1] == 0 || images.dims[2] == 0) {
    return InvalidArgument(images_path + ": IDX images must have 3 non-empty dimensions [N, H, W]");
  }
  if (labels.dims.size() != 1) return InvalidArgument(labels_path + ": IDX labels must have 1 dimension [N]");
  if (labels.dims[0] != images.dims[0]) {
    return InvalidArgument(labels_path + ": " + std::to_string(labels.dims[0]) + " labels for " +
                           std::to_string(images.dims[0]) + " images in " + images_path);
  }
  if (images.dims[0] == 0) return InvalidArgument(images_path + ": IDX file holds no images");
  for (size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= class_names.size()) {
      return InvalidArgument(labels_path + ": label " + std::to_string(labels.data[i]) + " of example " +
                             std::to_string(i) + " is not below the " + std::to_string(class_names.size()) +
                             " classes");
    }
  }
  return std::unique_ptr<Dataset>(
      new IdxDataset(std::move(images), std::move(labels), std::move(class_names), name));
}

bool HasIdxFiles(const std::string& dir, Split split) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  return !FindIdxFile(dir, prefix, "images", 3).empty() && !FindIdxFile(dir, prefix, "labels", 1).empty();
}

StatusOr<std::unique_ptr<Dataset>> OpenIdxFolder(const std::string& dir, Split split) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  const std::string images = FindIdxFile(dir, prefix, "images", 3);
  const std::string labels = FindIdxFile(dir, prefix, "labels", 1);
  if (images.empty() || labels.empty()) {
    return NotFound(dir + ": no " + prefix + "-images-idx3-ubyte[.gz] and " + prefix +
                    "-labels-idx1-ubyte[.gz] IDX files");
  }
  std::string folder = fs::path(dir).lexically_normal().filename().string();
  if (folder.empty()) folder = fs::path(dir).lexically_normal().parent_path().filename().string();
  const bool fashion = folder.find("fashion") != std::string::npos;
  const std::string name = (folder.empty() ? dir : folder) + (split == Split::kTrain ? " train" : " test");
  return OpenIdxDataset(images, labels, fashion ? FashionMnistClassNames() : MnistClassNames(), name);
}

}  // namespace edgeforge::data
