// BatchLoader: order, determinism across worker counts, augmentation, channel conversion,
// normalisation, skipped examples.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "data/augment.h"
#include "data/batch_loader.h"

namespace edgeforge::data {
namespace {

// Images of assorted sizes (gray and RGB) with seeded random pixels; `broken` examples fail.
class FakeDataset final : public Dataset {
 public:
  FakeDataset(size_t n, std::set<size_t> broken = {}) : broken_(std::move(broken)) {
    std::mt19937 rng(11);
    for (size_t i = 0; i < n; ++i) {
      Image image;
      image.width = 20 + static_cast<int>(rng() % 30);
      image.height = 20 + static_cast<int>(rng() % 30);
      image.channels = i % 3 == 0 ? 1 : 3;
      image.pixels.resize(static_cast<size_t>(image.width * image.height * image.channels));
      for (uint8_t& p : image.pixels) p = static_cast<uint8_t>(rng());
      images_.push_back(std::move(image));
    }
  }
  size_t size() const override { return images_.size(); }
  const std::vector<std::string>& class_names() const override { return names_; }
  int label(size_t i) const override { return static_cast<int>(i % 4); }
  StatusOr<Image> Load(size_t i) const override {
    if (broken_.count(i)) return InvalidArgument("fake #" + std::to_string(i) + ": broken on purpose");
    return images_.at(i);
  }
  std::string Describe(size_t i) const override { return "fake #" + std::to_string(i); }
  std::string Summary() const override { return "fake"; }
  const Image& image(size_t i) const { return images_[i]; }

 private:
  std::vector<Image> images_;
  std::vector<std::string> names_{"a", "b", "c", "d"};
  std::set<size_t> broken_;
};

std::vector<Batch> Epoch(BatchLoader& loader, int epoch) {
  loader.StartEpoch(epoch);
  std::vector<Batch> batches;
  Batch batch;
  while (true) {
    auto next = loader.Next(&batch);
    EXPECT_TRUE(next.ok()) << next.status().message();
    if (!next.ok() || !next.value()) break;
    batches.push_back(batch);
  }
  return batches;
}

BatchOptions TrainOptions(int workers) {
  BatchOptions o;
  o.image_size = 16;
  o.channels = 3;
  o.batch_size = 7;
  o.shuffle = true;
  o.augmentation.random_resized_crop = true;
  o.augmentation.horizontal_flip = true;
  o.workers = workers;
  o.seed = 42;
  return o;
}

TEST(DataBatchLoader, DeterministicWhateverTheWorkers) {
  FakeDataset dataset(45);
  std::vector<std::vector<Batch>> runs;
  for (int workers : {0, 1, 3}) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    BatchLoader loader(dataset, {}, TrainOptions(workers));
    EXPECT_EQ(loader.batches_per_epoch(), 7u);
    Epoch(loader, 0);  // run epoch 0 first: epoch 1 must not depend on it
    runs.push_back(Epoch(loader, 1));
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (size_t b = 0; b < runs[0].size(); ++b) {
      EXPECT_EQ(runs[r][b].indices, runs[0][b].indices);
      EXPECT_EQ(runs[r][b].labels, runs[0][b].labels);
      EXPECT_EQ(runs[r][b].images, runs[0][b].images);
    }
  }
  // A fresh loader starting directly at epoch 1 (a resumed run) sees the same batches.
  BatchLoader resumed(dataset, {}, TrainOptions(2));
  const std::vector<Batch> again = Epoch(resumed, 1);
  ASSERT_EQ(again.size(), runs[0].size());
  for (size_t b = 0; b < again.size(); ++b) EXPECT_EQ(again[b].images, runs[0][b].images);
}

TEST(DataBatchLoader, EpochsReshuffleAndCoverEverything) {
  FakeDataset dataset(45);
  BatchLoader loader(dataset, {}, TrainOptions(2));
  const std::vector<Batch> e0 = Epoch(loader, 0);
  const std::vector<Batch> e1 = Epoch(loader, 1);
  std::vector<size_t> order0, order1;
  for (const Batch& b : e0) order0.insert(order0.end(), b.indices.begin(), b.indices.end());
  for (const Batch& b : e1) order1.insert(order1.end(), b.indices.begin(), b.indices.end());
  EXPECT_NE(order0, order1);
  std::sort(order0.begin(), order0.end());
  std::vector<size_t> all(45);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(order0, all);
  EXPECT_EQ(e0.back().size, 45u % 7);
  EXPECT_EQ(e0.back().images.size(), (45u % 7) * 16 * 16 * 3);
  for (const Batch& b : e0) {
    for (size_t k = 0; k < b.size; ++k) EXPECT_EQ(b.labels[k], static_cast<int64_t>(b.indices[k] % 4));
  }
}

TEST(DataBatchLoader, IndicesSubsetAndDropLast) {
  FakeDataset dataset(30);
  BatchOptions o = TrainOptions(1);
  o.drop_last = true;
  o.shuffle = false;
  BatchLoader loader(dataset, {3, 5, 7, 9, 11, 13, 15, 17}, o);
  EXPECT_EQ(loader.batches_per_epoch(), 1u);
  const std::vector<Batch> batches = Epoch(loader, 0);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].indices, (std::vector<size_t>{3, 5, 7, 9, 11, 13, 15}));
}

TEST(DataBatchLoader, WholeImageIsExactAndNormalised) {
  FakeDataset dataset(3);
  const Image& rgb = dataset.image(1);
  // A square image made of its first pixels, sampled at its own size: every value is exact.
  Image square = rgb;
  square.width = square.height = std::min(rgb.width, rgb.height);
  square.pixels.resize(static_cast<size_t>(square.width * square.height * 3));
  std::vector<float> out(static_cast<size_t>(square.width * square.width * 3));
  const std::vector<float> mean{10, 20, 30}, std{2, 4, 8};
  SampleToFloat(square, {0, 0, square.width, square.height}, square.width, 3, false, mean, std, out);
  for (size_t k = 0; k < out.size(); ++k) {
    ASSERT_FLOAT_EQ(out[k], (square.pixels[k] - mean[k % 3]) / std[k % 3]) << k;
  }
  // Flipped: column x comes from column width-1-x.
  SampleToFloat(square, {0, 0, square.width, square.height}, square.width, 3, true, mean, std, out);
  const size_t w = static_cast<size_t>(square.width);
  EXPECT_FLOAT_EQ(out[0], (square.pixels[(w - 1) * 3] - 10.0f) / 2.0f);
  // Gray replicated into RGB, RGB to gray.
  const Image& gray = dataset.image(0);
  const int side = std::min(gray.width, gray.height);
  std::vector<float> rgb_out(static_cast<size_t>(side * side * 3));
  SampleToFloat(gray, {0, 0, side, side}, side, 3, false, std::vector<float>{0}, std::vector<float>{1}, rgb_out);
  EXPECT_EQ(rgb_out[0], gray.pixels[0]);
  EXPECT_EQ(rgb_out[1], gray.pixels[0]);
  EXPECT_EQ(rgb_out[2], gray.pixels[0]);
  std::vector<float> gray_out(w * w);
  SampleToFloat(square, {0, 0, square.width, square.height}, square.width, 1, false, std::vector<float>{0},
                std::vector<float>{1}, gray_out);
  EXPECT_NEAR(gray_out[0], 0.299f * square.pixels[0] + 0.587f * square.pixels[1] + 0.114f * square.pixels[2], 1e-3);
}

TEST(DataBatchLoader, CropWindowsStayInside) {
  Augmentation a;
  a.random_resized_crop = true;
  for (uint64_t i = 0; i < 2000; ++i) {
    Rng rng = Rng::For(5, 0, i);
    const int w = 1 + static_cast<int>(i % 97), h = 1 + static_cast<int>((i * 7) % 53);
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    const CropWindow c = RandomResizedCropWindow(w, h, a, rng);
    ASSERT_GE(c.x, 0);
    ASSERT_GE(c.y, 0);
    ASSERT_GT(c.width, 0);
    ASSERT_GT(c.height, 0);
    ASSERT_LE(c.x + c.width, w);
    ASSERT_LE(c.y + c.height, h);
  }
  const CropWindow centre = CenterCropWindow(100, 60, 0.875f);
  EXPECT_EQ(centre.x, 6);
  EXPECT_EQ(centre.width, 88);
  EXPECT_EQ(centre.y, 3);
  EXPECT_EQ(centre.height, 54);
}

TEST(DataBatchLoader, BrokenExamplesAreSkippedCountedAndWarnedOnce) {
  FakeDataset dataset(20, {4, 9});
  BatchOptions o = TrainOptions(2);
  o.shuffle = false;
  o.batch_size = 5;
  BatchLoader loader(dataset, {}, o);
  ::testing::internal::CaptureStderr();
  const std::vector<Batch> e0 = Epoch(loader, 0);
  const std::vector<Batch> e1 = Epoch(loader, 1);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(loader.skipped(), 4u);  // twice per epoch
  ASSERT_EQ(e0.size(), 4u);
  EXPECT_EQ(e0[0].size, 4u);
  EXPECT_EQ(e0[1].size, 4u);
  EXPECT_EQ(e0[0].indices, (std::vector<size_t>{0, 1, 2, 3}));
  // Each broken example is named once, however many epochs.
  EXPECT_NE(err.find("fake #4"), std::string::npos) << err;
  EXPECT_EQ(err.find("fake #4"), err.rfind("fake #4")) << err;
  EXPECT_NE(err.find("fake #9"), std::string::npos) << err;
}

TEST(DataBatchLoader, AllBrokenBatchIsAnErrorAndBadOptionsToo) {
  FakeDataset dataset(4, {0, 1, 2, 3});
  BatchOptions o = TrainOptions(0);
  ::testing::internal::CaptureStderr();
  BatchLoader loader(dataset, {}, o);
  Batch batch;
  auto next = loader.Next(&batch);
  ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("broken on purpose"), std::string::npos) << next.status().message();

  FakeDataset fine(4);
  o.mean = {1, 2};
  BatchLoader bad(fine, {}, o);
  next = bad.Next(&batch);
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("mean"), std::string::npos);
}

TEST(DataBatchLoader, DestroyMidEpoch) {
  FakeDataset dataset(60);
  for (int workers : {1, 4}) {
    BatchLoader loader(dataset, {}, TrainOptions(workers));
    loader.StartEpoch(0);
    Batch batch;
    ASSERT_TRUE(loader.Next(&batch).ok());
    loader.StartEpoch(3);  // restart while workers are busy
    ASSERT_TRUE(loader.Next(&batch).ok());
  }
}

}  // namespace
}  // namespace edgeforge::data
