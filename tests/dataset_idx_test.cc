// IDX (MNIST / Fashion-MNIST) files, gzipped and plain, through ReadIdxFile and OpenDataset.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include "data/dataset.h"
#include "data/idx_dataset.h"
#include "test_util.h"

namespace edgeforge::data {
namespace {

using edgeforge::testing::ReadBytes;
using edgeforge::testing::TempDir;
using edgeforge::testing::WriteBytes;

std::vector<uint8_t> IdxBytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(d >> shift));
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void WriteGzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

// n images of 3x2 pixels (pixel value = 10 * image + position) and labels i % 10.
void WriteTinyIdx(const std::string& dir, const std::string& prefix, int n, bool gzip) {
  std::vector<uint8_t> pixels, labels;
  for (int i = 0; i < n; ++i) {
    for (int p = 0; p < 6; ++p) pixels.push_back(static_cast<uint8_t>(10 * i + p));
    labels.push_back(static_cast<uint8_t>(i % 10));
  }
  const std::string ext = gzip ? ".gz" : "";
  const auto images = IdxBytes({static_cast<uint32_t>(n), 2, 3}, pixels);
  const auto label_bytes = IdxBytes({static_cast<uint32_t>(n)}, labels);
  if (gzip) {
    WriteGzip(dir + "/" + prefix + "-images-idx3-ubyte.gz", images);
    WriteGzip(dir + "/" + prefix + "-labels-idx1-ubyte.gz", label_bytes);
  } else {
    WriteBytes(dir + "/" + prefix + "-images-idx3-ubyte", images);
    WriteBytes(dir + "/" + prefix + "-labels-idx1-ubyte", label_bytes);
  }
}

TEST(DataIdx, GzippedAndPlainFolderWithSplits) {
  TempDir dir;
  WriteTinyIdx(dir.path(), "train", 12, /*gzip=*/true);
  WriteTinyIdx(dir.path(), "t10k", 5, /*gzip=*/false);
  auto train = OpenDataset(dir.path(), Split::kTrain);
  ASSERT_TRUE(train.ok()) << train.status().message();
  EXPECT_EQ(train.value()->size(), 12u);
  EXPECT_EQ(train.value()->class_names(), MnistClassNames());
  EXPECT_EQ(train.value()->label(11), 1);
  auto image = train.value()->Load(2);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.value().width, 3);
  EXPECT_EQ(image.value().height, 2);
  EXPECT_EQ(image.value().channels, 1);
  EXPECT_EQ(image.value().pixels, (std::vector<uint8_t>{20, 21, 22, 23, 24, 25}));
  EXPECT_NE(train.value()->Describe(2).find("#2"), std::string::npos);

  auto test = OpenDataset(dir.path(), Split::kTest);
  ASSERT_TRUE(test.ok()) << test.status().message();
  EXPECT_EQ(test.value()->size(), 5u);
}

TEST(DataIdx, FashionFolderNamesItsClasses) {
  TempDir dir;
  const std::string fashion = dir.file("my-fashion-mnist");
  std::filesystem::create_directory(fashion);
  WriteTinyIdx(fashion, "train", 3, true);
  auto dataset = OpenDataset(fashion, Split::kTrain);
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  EXPECT_EQ(dataset.value()->class_names()[0], "T-shirt/top");
  EXPECT_EQ(dataset.value()->class_names()[9], "Ankle boot");
}

TEST(DataIdx, WrongMagicIsAnError) {
  TempDir dir;
  std::vector<uint8_t> bytes = IdxBytes({2}, {1, 2});
  bytes[0] = 0x1f;  // not 00 00
  WriteBytes(dir.file("x-idx1-ubyte"), bytes);
  auto read = ReadIdxFile(dir.file("x-idx1-ubyte"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(dir.file("x-idx1-ubyte")), std::string::npos);
  EXPECT_NE(read.status().message().find("magic"), std::string::npos) << read.status().message();

  bytes = IdxBytes({2}, {1, 2});
  bytes[2] = 0x0D;  // float elements
  WriteBytes(dir.file("f"), bytes);
  read = ReadIdxFile(dir.file("f"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("0x0d"), std::string::npos) << read.status().message();
}

TEST(DataIdx, TruncatedFilesAreErrors) {
  TempDir dir;
  const std::vector<uint8_t> good = IdxBytes({4, 2, 3}, std::vector<uint8_t>(24, 7));
  for (size_t cut : {size_t{0}, size_t{3}, size_t{9}, size_t{16}, good.size() - 1}) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    WriteBytes(dir.file("t"), std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
    auto read = ReadIdxFile(dir.file("t"));
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.status().message().find("truncated"), std::string::npos) << read.status().message();
  }
  // A gzip stream cut in the middle.
  WriteGzip(dir.file("g.gz"), IdxBytes({4000}, std::vector<uint8_t>(4000, 3)));
  std::vector<uint8_t> gz = ReadBytes(dir.file("g.gz"));
  gz.resize(gz.size() / 2);
  WriteBytes(dir.file("g.gz"), gz);
  auto read = ReadIdxFile(dir.file("g.gz"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("g.gz"), std::string::npos);
}

TEST(DataIdx, MismatchedCountsAndBadLabels) {
  TempDir dir;
  WriteBytes(dir.file("i"), IdxBytes({2, 1, 1}, {1, 2}));
  WriteBytes(dir.file("l"), IdxBytes({3}, {1, 2, 3}));
  auto opened = OpenIdxDataset(dir.file("i"), dir.file("l"), MnistClassNames(), "x");
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("3 labels for 2 images"), std::string::npos) << opened.status().message();
  WriteBytes(dir.file("l"), IdxBytes({2}, {1, 12}));
  opened = OpenIdxDataset(dir.file("i"), dir.file("l"), MnistClassNames(), "x");
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("label 12"), std::string::npos) << opened.status().message();
}

TEST(DataIdx, InstalledFashionMnistTestSplit) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") &&
      std::getenv("EDGEFORGE_DATASETS") == nullptr) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  auto dataset = OpenDataset("fashion-mnist", Split::kTest);
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  EXPECT_EQ(dataset.value()->size(), 10000u);
  EXPECT_EQ(dataset.value()->class_names(), FashionMnistClassNames());
  auto image = dataset.value()->Load(0);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.value().width, 28);
  EXPECT_EQ(image.value().height, 28);
  EXPECT_EQ(image.value().channels, 1);
  EXPECT_EQ(dataset.value()->label(0), 9);  // the first test image is an ankle boot
}

}  // namespace
}  // namespace edgeforge::data
