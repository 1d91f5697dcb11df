#include "data/tfrecord_dataset.h"

#include <map>

#include "core/file.h"
#include "data/image_codecs.h"
#include "data/labels_file.h"
#include "data/tf_example.h"
#include "data/tfrecord.h"

namespace edgeforge::data {

namespace {

struct RecordRef {
  uint32_t file = 0;
  uint64_t offset = 0;
  int label = 0;
};

class TfRecordDataset final : public Dataset {
 public:
  TfRecordDataset(std::string name, std::vector<std::shared_ptr<const core::MappedFile>> files,
                  std::vector<RecordRef> records, std::vector<std::string> class_names)
      : name_(std::move(name)), files_(std::move(files)), records_(std::move(records)),
        class_names_(std::move(class_names)) {}

  size_t size() const override { return records_.size(); }
  const std::vector<std::string>& class_names() const override { return class_names_; }
  int label(size_t i) const override { return records_.at(i).label; }
  StatusOr<Image> Load(size_t i) const override {
    if (i >= size()) return InvalidArgument(name_ + ": example " + std::to_string(i) + " out of range");
    const RecordRef& r = records_[i];
    const core::MappedFile& file = *files_[r.file];
    EF_ASSIGN_OR_RETURN(std::span<const uint8_t> record, ParseTfRecordAt(file.bytes(), r.offset, file.path(), nullptr));
    const std::string source = Describe(i);
    EF_ASSIGN_OR_RETURN(ImageExample example, DecodeImageExample(record, source));
    const std::span<const uint8_t> encoded(reinterpret_cast<const uint8_t*>(example.encoded.data()),
                                           example.encoded.size());
    return DecodeNativeChannels(encoded, source, JpegDecoding::kReference);
  }
  std::string Describe(size_t i) const override {
    const RecordRef& r = records_.at(i);
    return files_[r.file]->path() + "@" + std::to_string(r.offset);
  }
  std::string Summary() const override {
    return "TFRecord " + name_ + ": " + std::to_string(files_.size()) + " files, " +
           std::to_string(class_names_.size()) + " classes, " + std::to_string(size()) + " images";
  }

 private:
  std::string name_;
  std::vector<std::shared_ptr<const core::MappedFile>> files_;
  std::vector<RecordRef> records_;
  std::vector<std::string> class_names_;
};

// Labels are stored as int64; anything beyond this is a corrupt or foreign record.
constexpr int64_t kMaxClasses = 1 << 20;

}  // namespace

// Same rules as `classify --labels`: one reader, so a labels file means the same everywhere.
StatusOr<std::vector<std::string>> ReadClassNames(const std::string& path) { return ReadLabelsFile(path); }

StatusOr<std::unique_ptr<Dataset>> OpenTfRecordDataset(const std::vector<std::string>& files,
                                                       const std::string& labels_path, const std::string& name) {
  if (files.empty()) return NotFound(name + ": no TFRecord files");
  std::vector<std::shared_ptr<const core::MappedFile>> mapped;
  std::vector<RecordRef> records;
  std::map<int, std::string> text_of_label;
  int max_label = -1;
  for (const std::string& path : files) {
    EF_ASSIGN_OR_RETURN(std::shared_ptr<const core::MappedFile> file, core::MappedFile::Open(path));
    const auto bytes = file->bytes();
    uint64_t offset = 0;
    while (offset < bytes.size()) {
      uint64_t next = 0;
      EF_ASSIGN_OR_RETURN(std::span<const uint8_t> record, ParseTfRecordAt(bytes, offset, path, &next));
      const std::string source = path + "@" + std::to_string(offset);
      EF_ASSIGN_OR_RETURN(ImageExample example, DecodeImageExample(record, source));
      if (example.label < 0 || example.label >= kMaxClasses) {
        return InvalidArgument(source + ": image/class/label " + std::to_string(example.label) +
                               " is not a class index (0 to " + std::to_string(kMaxClasses - 1) + ")");
      }
      const int label = static_cast<int>(example.label);
      if (!example.text.empty()) text_of_label.emplace(label, example.text);
      max_label = std::max(max_label, label);
      records.push_back({static_cast<uint32_t>(mapped.size()), offset, label});
      offset = next;
    }
    mapped.push_back(std::move(file));
  }
  if (records.empty()) return InvalidArgument(name + ": TFRecord files hold no records");
  std::vector<std::string> class_names;
  if (!labels_path.empty()) {
    EF_ASSIGN_OR_RETURN(class_names, ReadClassNames(labels_path));
    if (static_cast<size_t>(max_label) >= class_names.size()) {
      return InvalidArgument(name + ": label " + std::to_string(max_label) + " but " + labels_path + " names only " +
                             std::to_string(class_names.size()) + " classes");
    }
  } else {
    for (int label = 0; label <= max_label; ++label) {
      auto it = text_of_label.find(label);
      class_names.push_back(it != text_of_label.end() ? it->second : std::to_string(label));
    }
  }
  return std::unique_ptr<Dataset>(
      new TfRecordDataset(name, std::move(mapped), std::move(records), std::move(class_names)));
}

}  // namespace edgeforge::data
