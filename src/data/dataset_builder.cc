#include "data/dataset_builder.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/file.h"
#include "data/augment.h"
#include "data/image_codecs.h"
#include "data/labelled_images.h"
#include "data/tf_example.h"
#include "data/tfrecord.h"

namespace edgeforge::data {

namespace {

const char* FormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kUnknown: break;
  }
  return "";
}

struct Shard {
  std::string path;
  std::vector<size_t> members;  // positions in the listing
};

// What the first pass learnt about a decodable photo.
struct PhotoInfo {
  std::string format;
  int width = 0;
  int height = 0;
};

// Writes one shard to PATH.tmp then renames it over PATH. Photos are read again here rather
// than kept from the first pass, so memory stays bounded by one photo whatever the dataset.
Status WriteShard(const Shard& shard, const LabelledImages& listing, const std::vector<PhotoInfo>& infos) {
  const std::string tmp = shard.path + ".tmp";
  EF_ASSIGN_OR_RETURN(std::unique_ptr<TfRecordWriter> writer, TfRecordWriter::Create(tmp));
  for (size_t m : shard.members) {
    const LabelledImage& photo = listing.images[m];
    EF_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, core::ReadFile(photo.path));
    ImageExample example;
    example.encoded.assign(bytes.begin(), bytes.end());
    example.format = infos[m].format;
    example.label = photo.label;
    example.text = listing.class_names[static_cast<size_t>(photo.label)];
    example.height = infos[m].height;
    example.width = infos[m].width;
    EF_RETURN_IF_ERROR(writer->Write(EncodeImageExample(example)));
  }
  EF_RETURN_IF_ERROR(writer->Close());
  std::error_code ec;
  std::filesystem::rename(tmp, shard.path, ec);
  if (ec) return IoError(shard.path + ": cannot rename from " + tmp + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

std::string ShardPath(const std::string& prefix, const std::string& split, int shard, int shards) {
  char suffix[64];
  std::snprintf(suffix, sizeof suffix, "-%05d-of-%05d.tfrecord", shard, shards);
  return prefix + "-" + split + suffix;
}

StatusOr<BuildResult> BuildTfRecordDataset(const BuildOptions& options, std::FILE* warnings) {
  if (options.shards < 1 || options.shards > 99999) {
    return InvalidArgument("--shards " + std::to_string(options.shards) + ": expected 1 to 99999");
  }
  if (!(options.val_fraction >= 0 && options.val_fraction < 1)) {
    return InvalidArgument("--val-fraction " + std::to_string(options.val_fraction) + ": expected 0 <= F < 1");
  }
  if (options.out_prefix.empty()) return InvalidArgument("--out: empty output prefix");
  const std::filesystem::path out_dir = std::filesystem::path(options.out_prefix).parent_path();
  std::error_code ec;
  if (!out_dir.empty() && !std::filesystem::is_directory(out_dir, ec)) {
    return NotFound(out_dir.string() + ": output folder does not exist");
  }
  EF_ASSIGN_OR_RETURN(LabelledImages listing, ListLabelledImages(options.from_dir));

  // First pass: which photos decode, and their format and size.
  BuildResult result;
  result.class_names = listing.class_names;
  std::vector<PhotoInfo> infos(listing.images.size());
  std::vector<bool> usable(listing.images.size(), false);
  for (size_t i = 0; i < listing.images.size(); ++i) {
    const LabelledImage& li = listing.images[i];
    StatusOr<std::vector<uint8_t>> bytes = core::ReadFile(li.path);
    StatusOr<Image> image = bytes.ok() ? DecodeNativeChannels(bytes.value(), li.path, JpegDecoding::kLibjpegTurbo)
                                       : StatusOr<Image>(bytes.status());
    if (!image.ok()) {
      ++result.skipped;
      if (warnings != nullptr) std::fprintf(warnings, "edgeforge: warning: skipping %s\n", image.status().message().c_str());
      continue;
    }
    infos[i] = {FormatName(DetectImageFormat(bytes.value())), image.value().width, image.value().height};
    usable[i] = true;
  }

  // A per-class split over the usable photos, through a Dataset view of the listing's labels.
  struct LabelsOnly final : Dataset {
    const LabelledImages& l;
    std::vector<size_t> positions;
    explicit LabelsOnly(const LabelledImages& li) : l(li) {}
    size_t size() const override { return positions.size(); }
    const std::vector<std::string>& class_names() const override { return l.class_names; }
    int label(size_t i) const override { return l.images[positions[i]].label; }
    StatusOr<Image> Load(size_t) const override { return Unimplemented("labels only"); }
    std::string Describe(size_t i) const override { return l.images[positions[i]].path; }
    std::string Summary() const override { return ""; }
  } labels_only(listing);
  for (size_t i = 0; i < usable.size(); ++i) {
    if (usable[i]) labels_only.positions.push_back(i);
  }
  if (labels_only.positions.empty()) {
    return InvalidArgument(options.from_dir + ": none of its " + std::to_string(listing.images.size()) +
                           " images could be decoded");
  }
  IndexSplit split = StratifiedSplit(labels_only, options.val_fraction, options.seed);

  // Shards mix the classes: the order is a seeded shuffle, dealt round-robin to the shards.
  std::vector<Shard> shards;
  const auto deal = [&](std::vector<size_t> members, const std::string& name, uint64_t stream) {
    Rng rng = Rng::For(options.seed, stream, 0);
    rng.Shuffle(members);
    const size_t first = shards.size();
    for (int s = 0; s < options.shards; ++s) shards.push_back({ShardPath(options.out_prefix, name, s, options.shards), {}});
    for (size_t k = 0; k < members.size(); ++k) {
      shards[first + k % static_cast<size_t>(options.shards)].members.push_back(labels_only.positions[members[k]]);
    }
  };
  deal(split.first, "train", 1);
  result.train = split.first.size();
  if (options.val_fraction > 0) {
    deal(split.second, "validation", 2);
    result.validation = split.second.size();
  }
  for (const Shard& shard : shards) {
    EF_RETURN_IF_ERROR(WriteShard(shard, listing, infos));
    result.files.push_back(shard.path);
  }
  std::string labels_text;
  for (const std::string& name : listing.class_names) labels_text += name + "\n";
  const std::string labels_path = options.out_prefix + "-labels.txt";
  EF_RETURN_IF_ERROR(core::WriteFileAtomic(
      labels_path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(labels_text.data()), labels_text.size())));
  result.files.push_back(labels_path);
  return result;
}

DatasetInfo Describe(const Dataset& dataset) {
  DatasetInfo info;
  info.summary = dataset.Summary();
  info.kind = info.summary.substr(0, info.summary.find(' '));
  info.class_names = dataset.class_names();
  info.counts.assign(info.class_names.size(), 0);
  for (size_t i = 0; i < dataset.size(); ++i) {
    const size_t label = static_cast<size_t>(dataset.label(i));
    if (label < info.counts.size()) ++info.counts[label];
  }
  info.total = dataset.size();
  return info;
}

StatusOr<DatasetInfo> InspectDataset(const std::string& spec, Split split) {
  EF_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> dataset, OpenDataset(spec, split));
  return Describe(*dataset);
}

}  // namespace edgeforge::data
