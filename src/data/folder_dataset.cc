#include "data/folder_dataset.h"

#include "core/file.h"
#include "data/image_codecs.h"

namespace edgeforge::data {

namespace {

class FolderDataset final : public Dataset {
 public:
  FolderDataset(std::string dir, LabelledImages images) : dir_(std::move(dir)), images_(std::move(images)) {}

  size_t size() const override { return images_.images.size(); }
  const std::vector<std::string>& class_names() const override { return images_.class_names; }
  int label(size_t i) const override { return images_.images.at(i).label; }
  StatusOr<Image> Load(size_t i) const override {
    if (i >= size()) return InvalidArgument(dir_ + ": example " + std::to_string(i) + " out of range");
    const std::string& path = images_.images[i].path;
    EF_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, core::ReadFile(path));
    // The reference JPEG reconstruction, as `edgeforge classify` uses: evaluating a folder
    // gives the same predictions as classifying its photos one by one.
    return DecodeNativeChannels(bytes, path, JpegDecoding::kReference);
  }
  std::string Describe(size_t i) const override { return images_.images.at(i).path; }
  std::string Summary() const override {
    return "folder " + dir_ + ": " + std::to_string(images_.class_names.size()) + " classes, " +
           std::to_string(size()) + " images";
  }

 private:
  std::string dir_;
  LabelledImages images_;
};

}  // namespace

std::unique_ptr<Dataset> MakeFolderDataset(const std::string& dir, LabelledImages images) {
  return std::make_unique<FolderDataset>(dir, std::move(images));
}

StatusOr<std::unique_ptr<Dataset>> OpenFolderDataset(const std::string& dir) {
  EF_ASSIGN_OR_RETURN(LabelledImages images, ListLabelledImages(dir));
  return MakeFolderDataset(dir, std::move(images));
}

}  // namespace edgeforge::data
