#include "make/data_plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "data/labelled_images.h"
#include "make/image_export.h"

namespace edgeforge::make {

namespace {

namespace fs = std::filesystem;

// edgeforge-train's held-out share when the data has no test split (train/trainer.h).
constexpr double kTrainerValFraction = 0.1;
constexpr double kFolderTestFraction = 0.2;

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool HasSplitFolders(const std::string& dir) {
  return IsDirectory(dir + "/train") && (IsDirectory(dir + "/test") || IsDirectory(dir + "/validation"));
}

std::string TestFolder(const std::string& dir) {
  return IsDirectory(dir + "/test") ? dir + "/test" : dir + "/validation";
}

// A folder of photos (rather than IDX or TFRecord files): class subfolders or train/ + test/.
bool IsPhotoFolder(const std::string& spec) {
  if (!IsDirectory(spec)) return false;
  const std::string dir = HasSplitFolders(spec) ? spec + "/train" : spec;
  return data::ListLabelledImages(dir).ok();
}

// Links `images` into DIR/<class>/ (absolute targets, so the links work from anywhere).
Status LinkImages(const data::LabelledImages& listing, const std::vector<data::LabelledImage>& images,
                  const std::string& dir) {
  for (const data::LabelledImage& image : images) {
    const fs::path folder = fs::path(dir) / listing.class_names.at(static_cast<size_t>(image.label));
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return IoError(folder.string() + ": cannot create folder: " + ec.message());
    const fs::path link = folder / fs::path(image.path).filename();
    fs::create_symlink(fs::absolute(image.path), link, ec);
    if (ec) return IoError(link.string() + ": cannot link to " + image.path + ": " + ec.message());
  }
  return Status::Ok();
}

// Per class: a seeded shuffle, then `fraction` of each class (at least one of two or more) to
// `second`.
void SplitPerClass(const std::vector<data::LabelledImage>& images, double fraction, uint64_t seed,
                   std::vector<data::LabelledImage>* first, std::vector<data::LabelledImage>* second) {
  std::map<int, std::vector<data::LabelledImage>> by_class;
  for (const data::LabelledImage& image : images) by_class[image.label].push_back(image);
  std::mt19937_64 rng(seed);
  for (auto& [label, members] : by_class) {
    std::shuffle(members.begin(), members.end(), rng);
    size_t held = static_cast<size_t>(fraction * static_cast<double>(members.size()) + 0.5);
    if (members.size() >= 2) held = std::clamp<size_t>(held, 1, members.size() - 1);
    for (size_t i = 0; i < members.size(); ++i) (i < held ? second : first)->push_back(members[i]);
  }
}

// Round-robin over classes: at most `count` images, class-balanced.
std::vector<data::LabelledImage> BalancedImages(const std::vector<data::LabelledImage>& images, size_t count) {
  if (count == 0 || count >= images.size()) return images;
  std::map<int, std::vector<data::LabelledImage>> by_class;
  for (const data::LabelledImage& image : images) by_class[image.label].push_back(image);
  std::vector<data::LabelledImage> out;
  for (size_t round = 0; out.size() < count; ++round) {
    bool any = false;
    for (auto& [label, members] : by_class) {
      if (round < members.size() && out.size() < count) out.push_back(members[round]), any = true;
    }
    if (!any) break;
  }
  return out;
}

void Log(std::FILE* log, const std::string& line) {
  if (log) std::fprintf(log, "%s\n", line.c_str());
}

// Reads the first decodable training example for the native size and channels.
void ReadNativeShape(const data::Dataset& dataset, DataPlan* plan) {
  for (size_t i = 0; i < std::min<size_t>(dataset.size(), 16); ++i) {
    StatusOr<Image> image = dataset.Load(i);
    if (image.ok()) {
      plan->native_size = std::max(image->width, image->height);
      plan->native_channels = image->channels;
      return;
    }
  }
}

StatusOr<DataPlan> PlanPhotoFolder(const MakeOptions& o, std::FILE* log) {
  DataPlan plan;
  plan.train_is_photo_folder = true;
  const bool has_splits = HasSplitFolders(o.data);
  if (has_splits && o.limit == 0) {
    plan.train_spec = o.data;
    plan.test_split = "the data's own test folder";
  } else {
    // Split (or subset) into OUT/data by linking, so training and evaluation see fixed sets.
    const std::string train_dir = has_splits ? o.data + "/train" : o.data;
    EF_ASSIGN_OR_RETURN(data::LabelledImages listing, data::ListLabelledImages(train_dir));
    std::vector<data::LabelledImage> train, test;
    if (has_splits) {
      train = listing.images;
      EF_ASSIGN_OR_RETURN(data::LabelledImages test_listing, data::ListLabelledImages(TestFolder(o.data)));
      EF_RETURN_IF_ERROR(LinkImages(test_listing, test_listing.images, o.out + "/data/test"));
      plan.test_split = "the data's own test folder";
    } else {
      SplitPerClass(listing.images, kFolderTestFraction, o.seed, &train, &test);
      EF_RETURN_IF_ERROR(LinkImages(listing, test, o.out + "/data/test"));
      plan.test_split = "20% of each class held out (seed " + std::to_string(o.seed) + ")";
    }
    train = BalancedImages(train, o.limit);
    EF_RETURN_IF_ERROR(LinkImages(listing, train, o.out + "/data/train"));
    plan.train_spec = o.out + "/data";
    Log(log, "data: linked " + std::to_string(train.size()) + " training and " + std::to_string(test.size()) +
                 " test photos into " + plan.train_spec);
  }
  plan.calibration_dir = plan.train_spec + "/train";
  EF_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> train_set,
                      data::OpenDataset(plan.train_spec, data::Split::kTrain));
  EF_ASSIGN_OR_RETURN(plan.eval_dataset, data::OpenDataset(plan.train_spec, data::Split::kTest));
  plan.class_names = train_set->class_names();
  plan.summary = train_set->Summary();
  plan.train_examples = train_set->size();
  ReadNativeShape(*train_set, &plan);
  return plan;
}

// Whether `test` is a real test split of `train` rather than the same examples again.
bool IsSeparateTestSplit(const data::Dataset& train, const data::Dataset& test) {
  if (test.class_names() != train.class_names()) return false;
  if (test.size() != train.size()) return true;
  return test.size() > 0 && test.Describe(0) != train.Describe(0);
}

StatusOr<DataPlan> PlanStoredData(const MakeOptions& o, bool photos_for_training, std::FILE* log) {
  DataPlan plan;
  EF_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> train_set, data::OpenDataset(o.data, data::Split::kTrain));
  if (train_set->size() == 0) return InvalidArgument(o.data + ": the dataset has no examples");
  plan.class_names = train_set->class_names();
  plan.summary = train_set->Summary();
  ReadNativeShape(*train_set, &plan);

  std::vector<size_t> train_indices, test_indices;
  StatusOr<std::unique_ptr<data::Dataset>> test_set = data::OpenDataset(o.data, data::Split::kTest);
  const bool has_test_split = test_set.ok() && IsSeparateTestSplit(*train_set, **test_set);
  if (has_test_split) {
    for (size_t i = 0; i < train_set->size(); ++i) train_indices.push_back(i);
    for (size_t i = 0; i < (*test_set)->size(); ++i) test_indices.push_back(i);
    plan.test_split = "the data's own test split";
  } else {
    // The same split edgeforge-train makes with the same seed: its validation examples.
    data::IndexSplit split = data::StratifiedSplit(*train_set, kTrainerValFraction, o.seed);
    train_indices = std::move(split.first);
    test_indices = std::move(split.second);
    plan.test_split = "10% of each class held out (seed " + std::to_string(o.seed) + ")";
  }
  const data::Dataset& test_source = has_test_split ? **test_set : *train_set;

  if (photos_for_training) {
    const size_t classes = plan.class_names.size();
    const size_t train_count = o.limit ? o.limit : kTransferExportPerClass * classes;
    const std::vector<size_t> train_subset = ClassBalancedPrefix(*train_set, train_indices, train_count);
    const std::vector<size_t> test_subset =
        ClassBalancedPrefix(test_source, test_indices, std::max<size_t>(train_subset.size() / 4, classes));
    EF_ASSIGN_OR_RETURN(ExportCount written_train, ExportImages(*train_set, train_subset, o.out + "/data/train"));
    EF_ASSIGN_OR_RETURN(ExportCount written_test, ExportImages(test_source, test_subset, o.out + "/data/test"));
    plan.train_spec = o.out + "/data";
    plan.train_is_photo_folder = true;
    plan.calibration_dir = plan.train_spec + "/train";
    plan.notes.push_back("Exported " + std::to_string(written_train.written) + " training and " +
                         std::to_string(written_test.written) + " test images of " + o.data + " as PNG files to " +
                         plan.train_spec + " for head-only transfer learning.");
    Log(log, "data: " + plan.notes.back());
    EF_ASSIGN_OR_RETURN(plan.eval_dataset, data::OpenDataset(plan.train_spec, data::Split::kTest));
    plan.train_examples = written_train.written;
    return plan;
  }

  plan.train_spec = o.data;
  plan.train_examples = ClassBalancedPrefix(*train_set, train_indices, o.limit).size();
  // Calibration reads the dataset's train split itself. Without a test split of its own that
  // split also holds the held-out examples evaluated on; calibration takes only activation
  // ranges from its images, never labels, so the accuracies stay honest.
  plan.calibration_dir = o.data;
  // With --limit, the evaluation is limited alike (class-balanced) to keep the run short.
  plan.eval_indices = ClassBalancedPrefix(test_source, test_indices, o.limit);
  plan.eval_dataset = has_test_split ? std::move(*test_set) : std::move(train_set);
  return plan;
}

}  // namespace

Status CheckDataExists(const std::string& spec) {
  if (spec == "fashion-mnist" || spec == "mnist") return Status::Ok();
  std::error_code ec;
  if (fs::exists(spec, ec)) return Status::Ok();
  // A TFRecord prefix (PREFIX-train-*.tfrecord) need not exist as a path, but its folder must.
  const fs::path folder = fs::path(spec).parent_path();
  if (fs::is_directory(folder.empty() ? fs::path(".") : folder, ec)) return Status::Ok();
  return NotFound("--data " + spec + ": no such file or folder (expected a folder of photos, TFRecord files, IDX "
                  "files or fashion-mnist)");
}

StatusOr<DataPlan> PlanData(const MakeOptions& options, bool photos_for_training, std::FILE* log) {
  EF_RETURN_IF_ERROR(CheckDataExists(options.data));
  // A second run into the same OUT starts afresh: this folder is make's own.
  for (const char* owned : {"/data"}) {
    std::error_code ec;
    fs::remove_all(options.out + owned, ec);
    if (ec) return IoError(options.out + owned + ": cannot remove the previous run's files: " + ec.message());
  }
  if (IsPhotoFolder(options.data)) return PlanPhotoFolder(options, log);
  return PlanStoredData(options, photos_for_training, log);
}

}  // namespace edgeforge::make
