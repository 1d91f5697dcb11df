// edgeforge dataset build --from DIR --out PREFIX [--shards N] [--val-fraction F] [--seed S]
// edgeforge dataset info PATH [--split train|test] [--json]
// `build` writes a folder of class-subfolder photos as TFRecord shards of tf.train.Example
// (PREFIX-train-0000i-of-0000N.tfrecord, PREFIX-validation-..., PREFIX-labels.txt), split per
// class. `info` opens any dataset edgeforge reads (reading every TFRecord and checking every
// CRC) and prints its kind, classes and examples per class.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "data/dataset_builder.h"

namespace edgeforge::cli {

namespace {

using Json = nlohmann::ordered_json;

struct BuildFlags {
  std::string from;
  std::string out;
  int shards = 1;
  double val_fraction = 0.1;
  uint64_t seed = 1;
};

struct InfoFlags {
  std::string path;
  std::string split;  // empty: train, and test too where the storage has a separate one
  bool json = false;
};

int RunBuild(const BuildFlags& f) {
  data::BuildOptions options;
  options.from_dir = f.from;
  options.out_prefix = f.out;
  options.shards = f.shards;
  options.val_fraction = f.val_fraction;
  options.seed = f.seed;
  auto built = data::BuildTfRecordDataset(options, stderr);
  if (!built.ok()) return ReportError(built.status());
  const data::BuildResult& r = built.value();
  std::printf("%zu classes: %zu train, %zu validation examples", r.class_names.size(), r.train, r.validation);
  if (r.skipped > 0) std::printf(" (%zu undecodable images skipped)", r.skipped);
  std::printf("\n");
  for (const std::string& file : r.files) std::printf("wrote %s\n", file.c_str());
  return kExitOk;
}

Json InfoJson(const data::DatasetInfo& info, const char* split) {
  Json j;
  j["split"] = split;
  j["kind"] = info.kind;
  j["summary"] = info.summary;
  j["examples"] = info.total;
  j["classes"] = Json::array();
  for (size_t c = 0; c < info.class_names.size(); ++c) {
    j["classes"].push_back({{"label", c}, {"name", info.class_names[c]}, {"count", info.counts[c]}});
  }
  return j;
}

void PrintInfo(const data::DatasetInfo& info, const char* split) {
  std::printf("%s (%s split)\n", info.summary.c_str(), split);
  for (size_t c = 0; c < info.class_names.size(); ++c) {
    std::printf("  %4zu  %-24s %8zu\n", c, info.class_names[c].c_str(), info.counts[c]);
  }
}

int RunInfo(const InfoFlags& f) {
  std::vector<std::pair<const char*, data::DatasetInfo>> shown;
  if (!f.split.empty()) {
    auto info = data::InspectDataset(f.path, f.split == "test" ? data::Split::kTest : data::Split::kTrain);
    if (!info.ok()) return ReportError(info.status());
    shown.emplace_back(f.split == "test" ? "test" : "train", std::move(info).value());
  } else {
    // Both splits where the storage has them; a missing split is fine, a corrupt one is not.
    auto train = data::InspectDataset(f.path, data::Split::kTrain);
    auto test = data::InspectDataset(f.path, data::Split::kTest);
    for (const auto* s : {&train, &test}) {
      if (!s->ok() && s->status().code() != StatusCode::kNotFound) return ReportError(s->status());
    }
    if (!train.ok() && !test.ok()) return ReportError(train.status());
    if (train.ok()) shown.emplace_back("train", std::move(train).value());
    // Storage with no split (a folder of photos, one .tfrecord file) gives the same both ways.
    if (test.ok() && (shown.empty() || test.value().summary != shown[0].second.summary)) {
      shown.emplace_back("test", std::move(test).value());
    }
  }
  if (f.json) {
    Json j;
    j["path"] = f.path;
    j["splits"] = Json::array();
    for (const auto& [split, info] : shown) j["splits"].push_back(InfoJson(info, split));
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const auto& [split, info] : shown) PrintInfo(info, split);
  }
  return kExitOk;
}

}  // namespace

void AddDatasetCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("dataset", "Build TFRecord datasets from photo folders; describe datasets");
  app->require_subcommand(1);

  auto* build = app->add_subcommand("build", "Write a class-per-folder photo collection as TFRecord shards");
  auto b = std::make_shared<BuildFlags>();
  build->add_option("--from", b->from, "folder with one subfolder of photos per class")->required();
  build->add_option("--out", b->out, "output prefix: PREFIX-train-*.tfrecord, PREFIX-validation-*.tfrecord, "
                                     "PREFIX-labels.txt")->required();
  build->add_option("--shards", b->shards, "files per split")->check(CLI::Range(1, 99999))->capture_default_str();
  build->add_option("--val-fraction", b->val_fraction, "fraction of each class for validation (0: none)")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  build->add_option("--seed", b->seed, "seed of the split and of the shard order")->capture_default_str();
  commands.push_back({build, [b] { return RunBuild(*b); }});

  auto* info = app->add_subcommand("info", "Kind, classes and examples per class of a dataset");
  auto i = std::make_shared<InfoFlags>();
  info->add_option("path", i->path, "fashion-mnist, mnist, a folder, a .tfrecord file or a TFRecord prefix")->required();
  info->add_option("--split", i->split, "only this split")->check(CLI::IsMember({"train", "test"}));
  info->add_flag("--json", i->json, "print JSON");
  commands.push_back({info, [i] { return RunInfo(*i); }});
}

}  // namespace edgeforge::cli
