// OpenDataset: deciding what a spec names (a built-in IDX dataset, a TFRecord file, prefix or
// folder, an IDX folder, a folder of photos) and opening it; StratifiedSplit.
#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "data/augment.h"
#include "data/folder_dataset.h"
#include "data/idx_dataset.h"
#include "data/tfrecord_dataset.h"

namespace edgeforge::data {

namespace {

namespace fs = std::filesystem;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool IsFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// TFRecord file names: anything with ".tfrecord" in it (x.tfrecord, x.tfrecords, TFDS's
// mnist-train.tfrecord-00000-of-00001) and TF build_image_data's extensionless
// train-00000-of-01024 / validation-00000-of-00128.
bool IsTfRecordName(const std::string& name) {
  if (name.find(".tfrecord") != std::string::npos) return !EndsWith(name, ".tmp");
  // "<split>-ddddd-of-ddddd"
  const auto digits = [&name](size_t at) {
    return at + 5 <= name.size() &&
           std::all_of(name.begin() + static_cast<std::ptrdiff_t>(at), name.begin() + static_cast<std::ptrdiff_t>(at + 5),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  for (const std::string split : {"train-", "validation-", "test-"}) {
    const size_t n = split.size();
    if (name.size() == n + 14 && name.starts_with(split) && digits(n) && name.compare(n + 5, 4, "-of-") == 0 &&
        digits(n + 9)) {
      return true;
    }
  }
  return false;
}

// The TFRecord files of `dir` whose names start with `stem`, sorted.
std::vector<std::string> TfRecordFiles(const std::string& dir, const std::string& stem) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir.empty() ? "." : dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file(ec) && name.starts_with(stem) && IsTfRecordName(name)) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

enum class NamedSplit { kNone, kTrain, kTest };

// Which split a file name says it holds: a word "train", or "validation" / "test" / "val",
// between '-', '_' or '.' (after the first `skip` characters, a prefix already matched).
NamedSplit SplitOfName(const std::string& name, size_t skip) {
  NamedSplit found = NamedSplit::kNone;
  size_t start = skip;
  for (size_t i = skip; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '-' || name[i] == '_' || name[i] == '.') {
      const std::string word = name.substr(start, i - start);
      if (word == "train") found = NamedSplit::kTrain;
      if (word == "validation" || word == "test" || word == "val") found = NamedSplit::kTest;
      if (found != NamedSplit::kNone) return found;
      start = i + 1;
    }
  }
  return found;
}

// The files of `split` among `files` (`edgeforge dataset build`, TF and TFDS name their shards
// so); all of them when none names a split.
std::vector<std::string> FilesOfSplit(const std::vector<std::string>& files, Split split, size_t skip) {
  std::vector<std::string> train, test;
  for (const std::string& f : files) {
    const NamedSplit named = SplitOfName(fs::path(f).filename().string(), skip);
    if (named == NamedSplit::kTrain) train.push_back(f);
    if (named == NamedSplit::kTest) test.push_back(f);
  }
  if (train.empty() && test.empty()) return files;
  return split == Split::kTrain ? train : test;
}

const char* SplitName(Split split) { return split == Split::kTrain ? "train" : "test"; }

StatusOr<std::unique_ptr<Dataset>> OpenTfRecordFolder(const std::string& dir, Split split) {
  const std::vector<std::string> files = FilesOfSplit(TfRecordFiles(dir, ""), split, 0);
  if (files.empty()) return NotFound(dir + ": no " + std::string(SplitName(split)) + " TFRecord files");
  // PREFIX-labels.txt written by `dataset build`, or a plain labels.txt.
  std::string labels;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "labels.txt" || EndsWith(name, "-labels.txt")) labels = e.path().string();
  }
  return OpenTfRecordDataset(files, labels, dir + " " + SplitName(split));
}

// PREFIX-train-*.tfrecord / PREFIX-validation-*.tfrecord, or PREFIX-*.tfrecord.
StatusOr<std::unique_ptr<Dataset>> OpenTfRecordPrefix(const std::string& prefix, Split split) {
  const fs::path p(prefix);
  const std::string dir = p.parent_path().string();
  const std::string stem = p.filename().string() + "-";
  const std::vector<std::string> all = TfRecordFiles(dir, stem);
  if (all.empty()) return std::unique_ptr<Dataset>();  // not a prefix: the caller reports
  const std::vector<std::string> files = FilesOfSplit(all, split, stem.size());
  if (files.empty()) {
    return NotFound(prefix + ": no " + std::string(SplitName(split)) + " TFRecord files (" + prefix + "-" +
                    (split == Split::kTrain ? "train" : "validation") + "-*.tfrecord)");
  }
  const std::string labels = prefix + "-labels.txt";
  return OpenTfRecordDataset(files, IsFile(labels) ? labels : "", prefix + " " + SplitName(split));
}

// For a single file PREFIX-train-00000-of-00004.tfrecord, PREFIX-labels.txt names its classes.
std::string LabelsBesideFile(const std::string& file) {
  const std::string name = fs::path(file).filename().string();
  for (const char* marker : {"-train", "-validation", "-test"}) {
    const size_t at = name.rfind(marker);
    if (at != std::string::npos) {
      const std::string labels = (fs::path(file).parent_path() / (name.substr(0, at) + "-labels.txt")).string();
      if (IsFile(labels)) return labels;
    }
  }
  return "";
}

std::string BuiltInDatasetDir(const std::string& name) {
  if (const char* root = std::getenv("EDGEFORGE_DATASETS"); root != nullptr && *root != '\0') {
    const std::string dir = std::string(root) + "/" + name;
    if (IsDirectory(dir)) return dir;
  }
  return "/usr/share/datasets/" + name;
}

}  // namespace

StatusOr<std::unique_ptr<Dataset>> OpenDataset(const std::string& spec, Split split) {
  if (spec.empty()) return InvalidArgument("empty dataset name");
  if (spec == "fashion-mnist" || spec == "mnist") {
    const std::string dir = BuiltInDatasetDir(spec);
    if (!IsDirectory(dir)) {
      return NotFound(spec + ": dataset not installed (expected IDX files under " + dir +
                      "; install the Debian package dataset-" + spec + " or set EDGEFORGE_DATASETS)");
    }
    return OpenIdxFolder(dir, split);
  }
  if (IsFile(spec)) {
    const std::string name = fs::path(spec).filename().string();
    if (name.find("-ubyte") != std::string::npos) {
      return InvalidArgument(spec + ": an IDX file; open the folder holding the images and labels files (" +
                             fs::path(spec).parent_path().string() + ")");
    }
    if (EndsWith(spec, ".txt")) {
      return InvalidArgument(spec + ": a text file is not a dataset (expected a folder, a .tfrecord file or prefix)");
    }
    return OpenTfRecordDataset({spec}, LabelsBesideFile(spec), spec);
  }
  if (IsDirectory(spec)) {
    if (!TfRecordFiles(spec, "").empty()) return OpenTfRecordFolder(spec, split);
    if (HasIdxFiles(spec, Split::kTrain) || HasIdxFiles(spec, Split::kTest)) return OpenIdxFolder(spec, split);
    // A folder with train/ and test/ (or validation/) subfolders of classes, such as
    // flowers-mini: the split picks one.
    const std::string train = spec + "/train";
    std::string test = spec + "/test";
    if (!IsDirectory(test)) test = spec + "/validation";
    if (IsDirectory(train) && IsDirectory(test)) return OpenFolderDataset(split == Split::kTrain ? train : test);
    return OpenFolderDataset(spec);
  }
  EF_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> by_prefix, OpenTfRecordPrefix(spec, split));
  if (by_prefix) return by_prefix;
  return NotFound(spec + ": no such dataset (expected fashion-mnist, mnist, a folder of class subfolders, "
                  "a folder of IDX or TFRecord files, a .tfrecord file or a TFRecord prefix)");
}

IndexSplit StratifiedSplit(const Dataset& dataset, double fraction, uint64_t seed) {
  std::vector<std::vector<size_t>> by_class(dataset.class_names().size());
  for (size_t i = 0; i < dataset.size(); ++i) {
    const size_t label = static_cast<size_t>(dataset.label(i));
    if (label >= by_class.size()) by_class.resize(label + 1);
    by_class[label].push_back(i);
  }
  IndexSplit split;
  for (size_t c = 0; c < by_class.size(); ++c) {
    std::vector<size_t>& members = by_class[c];
    const size_t n = members.size();
    size_t second = static_cast<size_t>(std::llround(fraction * static_cast<double>(n)));
    if (fraction > 0 && n >= 2) second = std::clamp<size_t>(second, 1, fraction < 1 ? n - 1 : n);
    second = std::min(second, n);
    Rng rng = Rng::For(seed, 0x5eed5971u, c);
    rng.Shuffle(members);
    split.second.insert(split.second.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(second));
    split.first.insert(split.first.end(), members.begin() + static_cast<std::ptrdiff_t>(second), members.end());
  }
  std::sort(split.first.begin(), split.first.end());
  std::sort(split.second.begin(), split.second.end());
  return split;
}

std::vector<size_t> InterleaveClasses(const Dataset& dataset, const std::vector<size_t>& indices, size_t limit) {
  std::map<int, std::vector<size_t>> by_class;
  for (size_t i : indices) by_class[dataset.label(i)].push_back(i);
  std::vector<size_t> out;
  out.reserve(std::min(limit, indices.size()));
  for (size_t round = 0; out.size() < limit; ++round) {
    bool any = false;
    for (const auto& [label, members] : by_class) {
      if (round < members.size() && out.size() < limit) {
        out.push_back(members[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

}  // namespace edgeforge::data
