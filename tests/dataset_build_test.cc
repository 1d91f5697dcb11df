// Folder datasets, `dataset build` -> TFRecord shards -> OpenDataset round trips, corrupt shards,
// StratifiedSplit.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "data/dataset.h"
#include "data/dataset_builder.h"
#include "data/tfrecord.h"
#include "edgeforge/image.h"
#include "test_util.h"

namespace edgeforge::data {
namespace {

namespace fs = std::filesystem;
using edgeforge::testing::ReadBytes;
using edgeforge::testing::TempDir;
using edgeforge::testing::TestData;
using edgeforge::testing::WriteBytes;

// DIR/<class>/ with the first `per_class` photos of each flowers-mini train class.
void CopyFlowers(const std::string& dir, size_t per_class, const std::vector<std::string>& classes) {
  for (const std::string& c : classes) {
    fs::create_directories(dir + "/" + c);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(TestData("flowers-mini/train/" + c))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < per_class && i < files.size(); ++i) {
      fs::copy_file(files[i], dir + "/" + c + "/" + files[i].filename().string());
    }
  }
}

TEST(DataFolder, MissingAndEmptyFolders) {
  auto missing = OpenDataset("/nonexistent/flowers");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/flowers"), std::string::npos);

  TempDir dir;
  auto empty = OpenDataset(dir.path());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find(dir.path()), std::string::npos) << empty.status().message();

  fs::create_directory(dir.file("cats"));
  auto empty_class = OpenDataset(dir.path());
  ASSERT_FALSE(empty_class.ok());
  EXPECT_NE(empty_class.status().message().find("cats"), std::string::npos) << empty_class.status().message();
}

TEST(DataFolder, TrainTestSubfoldersPickTheSplit) {
  auto train = OpenDataset(TestData("flowers-mini"), Split::kTrain);
  ASSERT_TRUE(train.ok()) << train.status().message();
  EXPECT_EQ(train.value()->size(), 300u);
  EXPECT_EQ(train.value()->class_names(),
            (std::vector<std::string>{"daisy", "dandelion", "roses", "sunflowers", "tulips"}));
  auto test = OpenDataset(TestData("flowers-mini"), Split::kTest);
  ASSERT_TRUE(test.ok()) << test.status().message();
  EXPECT_EQ(test.value()->size(), 100u);
  // Load gives what classify's LoadImage gives.
  auto image = test.value()->Load(0);
  ASSERT_TRUE(image.ok());
  auto expected = LoadImage(test.value()->Describe(0));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(image.value(), expected.value());
}

TEST(DataBuild, BuildInfoOpenRoundTrip) {
  TempDir dir;
  const std::string photos = dir.file("photos");
  CopyFlowers(photos, 5, {"daisy", "roses", "tulips"});
  WriteBytes(photos + "/roses/zz_broken.jpg", {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F'});
  fs::create_directory(dir.file("out"));
  BuildOptions options;
  options.from_dir = photos;
  options.out_prefix = dir.file("out/flowers");
  options.shards = 2;
  options.val_fraction = 0.4;
  auto built = BuildTfRecordDataset(options, nullptr);
  ASSERT_TRUE(built.ok()) << built.status().message();
  EXPECT_EQ(built.value().skipped, 1u);
  EXPECT_EQ(built.value().train, 9u);       // 3 per class
  EXPECT_EQ(built.value().validation, 6u);  // round(0.4 * 5) = 2 per class
  EXPECT_TRUE(fs::exists(dir.file("out/flowers-train-00000-of-00002.tfrecord")));
  EXPECT_TRUE(fs::exists(dir.file("out/flowers-train-00001-of-00002.tfrecord")));
  EXPECT_TRUE(fs::exists(dir.file("out/flowers-validation-00001-of-00002.tfrecord")));
  const std::vector<uint8_t> labels = ReadBytes(dir.file("out/flowers-labels.txt"));
  EXPECT_EQ(std::string(labels.begin(), labels.end()), "daisy\nroses\ntulips\n");

  auto info = InspectDataset(dir.file("out/flowers"), Split::kTest);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info.value().kind, "TFRecord");
  EXPECT_EQ(info.value().counts, (std::vector<size_t>{2, 2, 2}));

  // Every stored example decodes to exactly the photo it came from.
  auto folder = OpenDataset(photos);
  ASSERT_TRUE(folder.ok());
  std::map<std::vector<uint8_t>, int> originals;
  for (size_t i = 0; i < folder.value()->size(); ++i) {
    auto image = folder.value()->Load(i);
    if (image.ok()) originals[image.value().pixels] = folder.value()->label(i);
  }
  size_t seen = 0;
  for (Split split : {Split::kTrain, Split::kTest}) {
    for (const std::string& spec : {dir.file("out/flowers"), dir.file("out")}) {
      auto dataset = OpenDataset(spec, split);
      ASSERT_TRUE(dataset.ok()) << dataset.status().message();
      EXPECT_EQ(dataset.value()->class_names(), (std::vector<std::string>{"daisy", "roses", "tulips"}));
      for (size_t i = 0; i < dataset.value()->size(); ++i) {
        auto image = dataset.value()->Load(i);
        ASSERT_TRUE(image.ok()) << image.status().message();
        auto it = originals.find(image.value().pixels);
        ASSERT_NE(it, originals.end()) << dataset.value()->Describe(i);
        EXPECT_EQ(it->second, dataset.value()->label(i));
        ++seen;
      }
    }
  }
  EXPECT_EQ(seen, 2u * 15);

  // A single shard opens on its own and finds the labels file beside it.
  auto shard = OpenDataset(dir.file("out/flowers-validation-00000-of-00002.tfrecord"));
  ASSERT_TRUE(shard.ok()) << shard.status().message();
  EXPECT_EQ(shard.value()->class_names().size(), 3u);
  EXPECT_EQ(shard.value()->size(), 3u);
}

TEST(DataBuild, CorruptShardNamesFileAndOffset) {
  TempDir dir;
  CopyFlowers(dir.file("photos"), 2, {"daisy", "tulips"});
  BuildOptions options;
  options.from_dir = dir.file("photos");
  options.out_prefix = dir.file("ds");
  options.val_fraction = 0;
  ASSERT_TRUE(BuildTfRecordDataset(options, nullptr).ok());
  const std::string shard = dir.file("ds-train-00000-of-00001.tfrecord");
  std::vector<uint8_t> bytes = ReadBytes(shard);
  // Find the second record's offset by walking the first.
  uint64_t second = 0;
  ASSERT_TRUE(ParseTfRecordAt(bytes, 0, shard, &second).ok());
  bytes[second + 12 + 100] ^= 0x01;
  WriteBytes(shard, bytes);
  auto opened = OpenDataset(dir.file("ds"));
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find(shard), std::string::npos) << opened.status().message();
  EXPECT_NE(opened.status().message().find("offset " + std::to_string(second)), std::string::npos)
      << opened.status().message();
  EXPECT_NE(opened.status().message().find("CRC"), std::string::npos);
}

TEST(DataBuild, BadOptionsAndSources) {
  TempDir dir;
  BuildOptions options;
  options.from_dir = dir.file("missing");
  options.out_prefix = dir.file("x");
  auto built = BuildTfRecordDataset(options, nullptr);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find(dir.file("missing")), std::string::npos);

  options.from_dir = dir.path();  // empty folder
  built = BuildTfRecordDataset(options, nullptr);
  ASSERT_FALSE(built.ok());

  CopyFlowers(dir.file("p"), 1, {"daisy"});
  options.from_dir = dir.file("p");
  options.out_prefix = dir.file("no/such/folder/x");
  built = BuildTfRecordDataset(options, nullptr);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("no/such/folder"), std::string::npos);

  options.out_prefix = dir.file("x");
  options.shards = 0;
  EXPECT_FALSE(BuildTfRecordDataset(options, nullptr).ok());
  options.shards = 1;
  options.val_fraction = 1.5;
  EXPECT_FALSE(BuildTfRecordDataset(options, nullptr).ok());
}

TEST(DataBuild, MissingTfRecordPrefixSplit) {
  TempDir dir;
  CopyFlowers(dir.file("photos"), 2, {"daisy"});
  BuildOptions options;
  options.from_dir = dir.file("photos");
  options.out_prefix = dir.file("only-train");
  options.val_fraction = 0;
  ASSERT_TRUE(BuildTfRecordDataset(options, nullptr).ok());
  auto test = OpenDataset(dir.file("only-train"), Split::kTest);
  ASSERT_FALSE(test.ok());
  EXPECT_EQ(test.status().code(), StatusCode::kNotFound);
  EXPECT_NE(test.status().message().find("validation"), std::string::npos) << test.status().message();
}

TEST(DataBuild, TfAndTfdsShardNamesInAFolder) {
  TempDir dir;
  CopyFlowers(dir.file("photos"), 3, {"daisy", "tulips"});
  BuildOptions options;
  options.from_dir = dir.file("photos");
  options.out_prefix = dir.file("b");
  options.val_fraction = 1.0 / 3;
  ASSERT_TRUE(BuildTfRecordDataset(options, nullptr).ok());
  // TF build_image_data's names (no extension) and TFDS's.
  fs::create_directory(dir.file("tf"));
  fs::copy_file(dir.file("b-train-00000-of-00001.tfrecord"), dir.file("tf/train-00000-of-00001"));
  fs::copy_file(dir.file("b-validation-00000-of-00001.tfrecord"), dir.file("tf/validation-00000-of-00001"));
  fs::create_directory(dir.file("tfds"));
  fs::copy_file(dir.file("b-train-00000-of-00001.tfrecord"), dir.file("tfds/flowers-train.tfrecord-00000-of-00001"));
  fs::copy_file(dir.file("b-validation-00000-of-00001.tfrecord"), dir.file("tfds/flowers-test.tfrecord-00000-of-00001"));
  for (const std::string& spec : {dir.file("tf"), dir.file("tfds"), dir.file("tfds/flowers")}) {
    SCOPED_TRACE(spec);
    auto train = OpenDataset(spec, Split::kTrain);
    auto test = OpenDataset(spec, Split::kTest);
    ASSERT_TRUE(train.ok()) << train.status().message();
    ASSERT_TRUE(test.ok()) << test.status().message();
    EXPECT_EQ(train.value()->size(), 4u);
    EXPECT_EQ(test.value()->size(), 2u);
    // No labels file here: the class names come from image/class/text.
    EXPECT_EQ(train.value()->class_names(), (std::vector<std::string>{"daisy", "tulips"}));
  }
  auto idx = OpenDataset("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
  ASSERT_FALSE(idx.ok());
  EXPECT_NE(idx.status().message().find("folder"), std::string::npos) << idx.status().message();
}

TEST(DataSplit, StratifiedAndSeeded) {
  auto dataset = OpenDataset(TestData("flowers-mini"), Split::kTest);  // 20 per class
  ASSERT_TRUE(dataset.ok());
  const IndexSplit a = StratifiedSplit(*dataset.value(), 0.25, 3);
  const IndexSplit b = StratifiedSplit(*dataset.value(), 0.25, 3);
  const IndexSplit c = StratifiedSplit(*dataset.value(), 0.25, 4);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  EXPECT_NE(a.second, c.second);
  ASSERT_EQ(a.second.size(), 25u);
  ASSERT_EQ(a.first.size(), 75u);
  std::vector<int> per_class(5, 0);
  for (size_t i : a.second) ++per_class[static_cast<size_t>(dataset.value()->label(i))];
  EXPECT_EQ(per_class, (std::vector<int>{5, 5, 5, 5, 5}));
  std::vector<size_t> all = a.first;
  all.insert(all.end(), a.second.begin(), a.second.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i);
  // A tiny fraction still gives every class of two or more one example.
  EXPECT_EQ(StratifiedSplit(*dataset.value(), 0.001, 1).second.size(), 5u);
  EXPECT_TRUE(StratifiedSplit(*dataset.value(), 0.0, 1).second.empty());
}

}  // namespace
}  // namespace edgeforge::data
