// `edgeforge make`: the recipe's arithmetic (MnasNet score, epochs from a time budget, the
// trainer's output parsed), bad flags and inputs, and whole runs whose every artifact is
// checked: transfer learning from a Coral MobileNetV2 on a small flowers-mini subset, and (when
// edgeforge-train was built) training from scratch on a tiny Fashion-MNIST subset.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "data/dataset.h"
#include "data/labelled_images.h"
#include "edgeforge/image.h"
#include "data/tfrecord_dataset.h"
#include "make/data_plan.h"
#include "make/image_export.h"
#include "make/make_options.h"
#include "make/recipe.h"
#include "make/recipes.h"
#include "make/train_process.h"
#include "quant/evaluate.h"
#include "report/html_text.h"
#include "runtime/interpreter.h"
#include "test_util.h"
#include "tflite/reader.h"

namespace edgeforge {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;
using testing::TempDir;
using testing::TestData;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(MakeRecipe, MnasNetScoreIsSoftWithinTheTargetAndHardOverIt) {
  // Within the target: proxy * (lat/T)^-0.07, so a faster model gains a little.
  EXPECT_NEAR(make::MnasNetScore(10, 2, 4), 10 * std::pow(0.5, -0.07), 1e-12);
  EXPECT_DOUBLE_EQ(make::MnasNetScore(10, 4, 4), 10);
  // Over it the exponent is -1: twice the target halves the score.
  EXPECT_DOUBLE_EQ(make::MnasNetScore(10, 8, 4), 5);
  // The target changes the choice: a bigger model (proxy 12, 6 ms) beats a smaller one
  // (proxy 10, 2 ms) under a 10 ms budget and loses under a 3 ms one.
  EXPECT_GT(make::MnasNetScore(12, 6, 10), make::MnasNetScore(10, 2, 10));
  EXPECT_LT(make::MnasNetScore(12, 6, 3), make::MnasNetScore(10, 2, 3));
  EXPECT_DOUBLE_EQ(make::AccuracyProxy(1000), std::log(1000.0));
}

TEST(MakeRecipe, DefaultCandidatesLeaveOutHardSwishForTheEdgeTpu) {
  bool has_v3 = false;
  for (const make::Candidate& c : make::DefaultCandidates("edgetpu")) has_v3 |= c.architecture == "mobilenet-v3-small";
  EXPECT_FALSE(has_v3);
  EXPECT_GT(make::DefaultCandidates("cpu").size(), make::DefaultCandidates("edgetpu").size());
}

TEST(MakeRecipe, ChoosesTheCheapestArchitectureForATinyBudget) {
  models::ModelOptions base;
  base.image_size = 32;
  base.channels = 1;
  base.num_classes = 10;
  const std::vector<make::Candidate> candidates = {{"mnasnet-small", 0.5f}, {"mnasnet-a1", 1.0f}};
  auto choice = make::ChooseArchitecture(candidates, base, /*target_ms=*/1e-4, 1, nullptr);
  ASSERT_TRUE(choice.ok()) << choice.status().message();
  ASSERT_EQ(choice->candidates.size(), 2u);
  EXPECT_LT(choice->candidates[0].macs, choice->candidates[1].macs);
  // Both are far over a 0.1 us budget: the faster one wins by latency, whatever its MACs.
  const size_t faster = choice->candidates[0].latency_ms <= choice->candidates[1].latency_ms ? 0 : 1;
  EXPECT_EQ(choice->chosen, faster);
  EXPECT_TRUE(choice->candidates[faster].chosen);
  EXPECT_GT(choice->candidates[1].latency_ms, 0);
}

TEST(MakeRecipe, EpochsFromTheTimeBudget) {
  // 80% of 5 minutes at 1000 images/s over 24000 images: 10 epochs of all of them.
  EXPECT_EQ(make::ScheduleForBudget(5, 1000, 24000, 10).epochs, 10);
  EXPECT_EQ(make::ScheduleForBudget(5, 1000, 24000, 10).examples, 0u);
  EXPECT_EQ(make::ScheduleForBudget(600, 1e6, 10, 2).epochs, 100);
  // Not even one epoch fits: one epoch over what does (80% of 60 s at 50 images/s).
  const make::TrainingSchedule short_run = make::ScheduleForBudget(1, 50, 60000, 10);
  EXPECT_EQ(short_run.epochs, 1);
  EXPECT_EQ(short_run.examples, 2400u);
  EXPECT_EQ(make::ScheduleForBudget(0.001, 1, 60000, 10).examples, 100u);  // 10 per class at least
  EXPECT_EQ(make::ScratchImageSize(28), 32);
  EXPECT_EQ(make::ScratchImageSize(500), 128);
  EXPECT_EQ(make::ScratchImageSize(100), 96);
}

TEST(MakeRecipe, ParsesTheTrainerOutput) {
  auto rate = make::ParseImagesPerSecond("edgeforge mnasnet-a1 threads=2 batch=64 size=32: 950 images/s\n");
  ASSERT_TRUE(rate.ok());
  EXPECT_DOUBLE_EQ(*rate, 950);
  EXPECT_FALSE(make::ParseImagesPerSecond("nothing here").ok());

  TempDir dir;
  std::ofstream(dir.file("metrics.csv")) << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_top5\n"
                                            "1,2.1,0.3,2.0,0.35,0.9\n2,1.5,0.5,1.6,0.45,0.95\n";
  auto curves = make::ReadMetricsCsv(dir.file("metrics.csv"));
  ASSERT_TRUE(curves.ok()) << curves.status().message();
  ASSERT_EQ(curves->size(), 2u);
  EXPECT_EQ((*curves)[1].epoch, 2);
  EXPECT_DOUBLE_EQ((*curves)[1].val_accuracy, 0.45);
  std::ofstream(dir.file("bad.csv")) << "epoch,loss\n1,2\n";
  auto bad = make::ReadMetricsCsv(dir.file("bad.csv"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.csv"), std::string::npos);
  EXPECT_NE(bad.status().message().find("train_loss"), std::string::npos);
}

TEST(MakeOptions, RejectsBadFlagsWithClearMessages) {
  make::MakeOptions o;
  o.data = "x";
  o.out = "y";
  EXPECT_TRUE(make::ValidateMakeOptions(o).ok());
  o.target = "tpu";
  EXPECT_NE(make::ValidateMakeOptions(o).message().find("expected cpu or edgetpu"), std::string::npos);
  o.target = "edgetpu";
  o.latency_budget_ms = 0;
  EXPECT_NE(make::ValidateMakeOptions(o).message().find("--latency-budget 0"), std::string::npos);
  o.latency_budget_ms = -2.5;
  EXPECT_NE(make::ValidateMakeOptions(o).message().find("--latency-budget -2.5"), std::string::npos);
  o.latency_budget_ms = 3;
  o.time_budget_minutes = 0;
  EXPECT_NE(make::ValidateMakeOptions(o).message().find("--time-budget"), std::string::npos);
  o.time_budget_minutes.reset();
  o.from = "/nonexistent/model.tflite";
  EXPECT_EQ(make::ValidateMakeOptions(o).code(), StatusCode::kNotFound);
}

TEST(MakeCli, BadInputsGiveClearMessages) {
  TempDir dir;
  auto missing = RunCli("make --data " + dir.file("no-such-folder") + " --out " + dir.file("out"));
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("no-such-folder"), std::string::npos) << missing.err;

  auto target = RunCli("make --data " + dir.path() + " --out " + dir.file("out") + " --target tpu");
  EXPECT_EQ(target.exit_code, 2) << target.err;
  EXPECT_NE(target.err.find("expected cpu or edgetpu"), std::string::npos) << target.err;

  for (const char* budget : {"0", "-5"}) {
    auto r = RunCli("make --data " + dir.path() + " --out " + dir.file("out") + " --latency-budget " + budget);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(std::string("--latency-budget ") + budget), std::string::npos) << r.err;
  }

  auto from = RunCli("make --data " + dir.path() + " --out " + dir.file("out") + " --from " + dir.file("none.tflite"));
  EXPECT_EQ(from.exit_code, 1) << from.err;
  EXPECT_NE(from.err.find("none.tflite"), std::string::npos) << from.err;

  auto no_data = RunCli("make --out " + dir.file("out"));
  EXPECT_EQ(no_data.exit_code, 2) << no_data.err;
  EXPECT_NE(no_data.err.find("--data"), std::string::npos) << no_data.err;
}

// A class-per-folder copy of flowers-mini with `train` + `test` photos per class.
void CopyFlowersSubset(const std::string& to, size_t train, size_t test) {
  for (const auto& [split, count] : {std::pair<std::string, size_t>{"train", train}, {"test", test}}) {
    for (const auto& class_dir : fs::directory_iterator(TestData("flowers-mini/" + split))) {
      std::vector<fs::path> photos;
      for (const auto& f : fs::directory_iterator(class_dir)) photos.push_back(f.path());
      std::sort(photos.begin(), photos.end());
      const fs::path target = fs::path(to) / split / class_dir.path().filename();
      fs::create_directories(target);
      for (size_t i = 0; i < std::min(count, photos.size()); ++i) {
        fs::copy_file(photos[i], target / photos[i].filename());
      }
    }
  }
}

TEST(MakeData, PngExportRoundTripsAndNamesClassFolders) {
  TempDir dir;
  Image image{3, 2, 1, {0, 50, 100, 150, 200, 255}};
  ASSERT_TRUE(make::WritePng(image, dir.file("gray.png")).ok());
  const std::vector<uint8_t> bytes = testing::ReadBytes(dir.file("gray.png"));
  auto decoded = DecodeImage(bytes, "gray.png", ColorMode::kGray);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, image);
  const Status bad = make::WritePng(image, dir.file("missing/folder/x.png"));
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("missing/folder/x.png"), std::string::npos) << bad.message();
  EXPECT_EQ(make::ClassFolderName("T-shirt/top"), "T-shirt_top");
  EXPECT_EQ(make::ClassFolderName(".."), "_..");
}

TEST(MakeData, AFlatPhotoFolderIsSplitPerClassWithoutOverlap) {
  TempDir dir;
  CopyFlowersSubset(dir.file("flowers"), 10, 0);
  make::MakeOptions o;
  o.data = dir.file("flowers/train");  // class subfolders, no split of its own
  o.out = dir.file("out");
  auto plan = make::PlanData(o, /*photos_for_training=*/false, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->train_spec, o.out + "/data");
  EXPECT_EQ(plan->class_names.size(), 5u);
  EXPECT_EQ(plan->train_examples, 40u);  // 8 of each class's 10
  EXPECT_EQ(plan->eval_dataset->size(), 10u);
  EXPECT_EQ(plan->calibration_dir, o.out + "/data/train");
  for (const auto& test_class : fs::directory_iterator(o.out + "/data/test")) {
    for (const auto& photo : fs::directory_iterator(test_class)) {
      EXPECT_TRUE(fs::is_symlink(photo.path()));
      EXPECT_FALSE(fs::exists(o.out + "/data/train/" + test_class.path().filename().string() + "/" +
                              photo.path().filename().string()))
          << photo.path() << " is in both splits";
    }
  }
  // A second run into the same folder starts afresh instead of failing on existing links.
  o.limit = 10;
  auto again = make::PlanData(o, false, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->train_examples, 10u);
}

TEST(MakeData, IdxDataIsReadWhereItIs) {
  if (!data::OpenDataset("fashion-mnist").ok()) GTEST_SKIP() << "Fashion-MNIST (dataset-fashion-mnist) is missing";
  TempDir dir;
  make::MakeOptions o;
  o.data = "fashion-mnist";
  o.out = dir.file("out");
  o.limit = 50;
  auto plan = make::PlanData(o, /*photos_for_training=*/false, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->train_spec, "fashion-mnist");
  EXPECT_EQ(plan->calibration_dir, "fashion-mnist");
  EXPECT_EQ(plan->train_examples, 50u);
  EXPECT_EQ(plan->eval_indices.size(), 50u);
  EXPECT_EQ(plan->eval_dataset->size(), 10000u);  // its own test split
  EXPECT_EQ(plan->native_size, 28);
  EXPECT_EQ(plan->native_channels, 1);
}

TEST(MakeData, IdxDataIsExportedAsPhotosForTransferLearning) {
  if (!data::OpenDataset("fashion-mnist").ok()) GTEST_SKIP() << "Fashion-MNIST (dataset-fashion-mnist) is missing";
  TempDir dir;
  make::MakeOptions o;
  o.data = "fashion-mnist";
  o.out = dir.file("out");
  o.limit = 40;
  auto plan = make::PlanData(o, /*photos_for_training=*/true, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->train_spec, o.out + "/data");
  auto train = data::ListLabelledImages(o.out + "/data/train");
  ASSERT_TRUE(train.ok()) << train.status().message();
  EXPECT_EQ(train->images.size(), 40u);
  EXPECT_EQ(train->class_names.size(), 10u);
  EXPECT_TRUE(fs::is_directory(o.out + "/data/train/T-shirt_top"));
  EXPECT_EQ(plan->eval_dataset->size(), 10u);  // a quarter of 40, at least one per class
}

// Every artifact of a make run in `out`; returns report.json.
nlohmann::json CheckArtifacts(const std::string& out, size_t classes) {
  for (const char* file : {"model_int8.tflite", "model_float.tflite", "labels.txt", "report.json", "report.html"}) {
    EXPECT_TRUE(fs::is_regular_file(out + "/" + file)) << file;
  }
  auto labels = data::ReadClassNames(out + "/labels.txt");
  EXPECT_TRUE(labels.ok());
  if (labels.ok()) {
    EXPECT_EQ(labels->size(), classes);
  }
  // The int8 model loads and runs in the runtime.
  auto graph = tflite::ReadModelFile(out + "/model_int8.tflite");
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  if (graph.ok()) {
    auto interpreter = runtime::Interpreter::Create(std::make_shared<const ir::Graph>(std::move(*graph)), "int8");
    EXPECT_TRUE(interpreter.ok()) << interpreter.status().message();
    if (interpreter.ok()) {
      EXPECT_TRUE((*interpreter)->Invoke().ok());
    }
  }
  const nlohmann::json report = nlohmann::json::parse(ReadText(out + "/report.json"), nullptr, false);
  EXPECT_FALSE(report.is_discarded());
  return report;
}

TEST(MakeCli, TransferLearningOnAFlowersSubsetWritesEveryArtifact) {
  TempDir dir;
  const std::string data = dir.file("flowers"), out = dir.file("out");
  CopyFlowersSubset(data, 8, 4);
  auto r = RunCli("make --from " + TestData("coral/mobilenet_v2_1.0_224_quant.tflite") + " --data " + data +
                  " --out " + out + " --target edgetpu --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("report: " + out + "/report.html"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("edgeforge serve " + out + "/model_int8.tflite"), std::string::npos) << r.out;

  const nlohmann::json report = CheckArtifacts(out, 5);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["recipe"]["kind"], "transfer-head-only");
  EXPECT_EQ(report["dataset"]["class_names"].size(), 5u);
  EXPECT_EQ(report["dataset"]["image_size"], 224);
  EXPECT_EQ(report["int8_accuracy"]["evaluated"], 20);
  EXPECT_EQ(report["float_accuracy"]["evaluated"], 20);
  EXPECT_EQ(report["int8_accuracy"]["confusion"].size(), 5u);
  EXPECT_TRUE(report["edgetpu"]["fully_mapped"].get<bool>()) << report["edgetpu"].dump();
  EXPECT_GT(report["latency"]["median_ms"].get<double>(), 0);
  EXPECT_FALSE(report["latency"]["by_op_type"].empty());

  // The report's int8 accuracy is what a fresh evaluation of the written model gives.
  auto test_set = data::OpenDataset(data, data::Split::kTest);
  ASSERT_TRUE(test_set.ok()) << test_set.status().message();
  quant::EvaluationOptions options;
  options.model_labels = *data::ReadClassNames(out + "/labels.txt");
  auto again = quant::EvaluateModel(out + "/model_int8.tflite", **test_set, {}, options);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->evaluated, 20u);
  EXPECT_DOUBLE_EQ(report["int8_accuracy"]["top1"].get<double>(), again->top1());
  EXPECT_EQ(report["int8_accuracy"]["confusion"], nlohmann::json(again->confusion));
  // A pretrained flower-agnostic backbone still separates 5 flower classes far above chance.
  EXPECT_GT(again->top1(), 0.4);

  // The page shows the same number.
  const std::string html = ReadText(out + "/report.html");
  EXPECT_NE(html.find("id=\"int8-top1\">" + report::FormatPercent(again->top1()) + "<"), std::string::npos);
}

TEST(MakeCli, FromScratchOnATinyFashionMnistSubset) {
  const std::string trainer = std::string(EF_BINARY_DIR) + "/edgeforge-train";
  if (!fs::exists(trainer)) GTEST_SKIP() << trainer << " was not built (LibTorch); the from-scratch run needs it";
  if (!data::OpenDataset("fashion-mnist").ok()) GTEST_SKIP() << "Fashion-MNIST (dataset-fashion-mnist) is missing";
  TempDir dir;
  const std::string out = dir.file("out");
  auto r = RunCli("make --data fashion-mnist --out " + out + " --limit 100 --epochs 1 --latency-budget 2 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = CheckArtifacts(out, 10);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["recipe"]["kind"], "from-scratch");
  EXPECT_EQ(report["recipe"]["epochs"], 1);
  EXPECT_EQ(report["curves"].size(), 1u);
  EXPECT_EQ(report["dataset"]["image_size"], 32);
  EXPECT_EQ(report["dataset"]["channels"], 1);
  EXPECT_EQ(report["int8_accuracy"]["evaluated"], 100);
  EXPECT_FALSE(report["quantization"]["layers"].empty());
  size_t chosen = 0;
  for (const auto& c : report["recipe"]["candidates"]) chosen += c["chosen"].get<bool>() ? 1 : 0;
  EXPECT_EQ(chosen, 1u);
}

TEST(MakeCli, FromScratchWithoutTheTrainerSaysWhatIsMissing) {
  if (fs::exists(std::string(EF_BINARY_DIR) + "/edgeforge-train")) GTEST_SKIP() << "edgeforge-train is built";
  TempDir dir;
  const std::string data = dir.file("flowers");
  CopyFlowersSubset(data, 2, 1);
  auto r = RunCli("make --data " + data + " --out " + dir.file("out"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("edgeforge-train not found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace edgeforge
