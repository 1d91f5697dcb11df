// report.html from fixed data: the text helpers, the embedded JSON, and the page rendered in
// headless Chromium (screenshot and DOM dump), which must show the data's numbers and run its
// script without errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "report/html_text.h"
#include "report/report_html.h"
#include "report/report_json.h"
#include "test_util.h"

namespace edgeforge {
namespace {

using report::ReportData;
using testing::RunShell;
using testing::TempDir;

ReportData SampleReport() {
  ReportData d;
  d.title = "edgeforge make: sample";
  d.created = "2026-11-21T10:00:00Z";
  d.command = "edgeforge make --data flowers --out out";
  d.dataset.spec = "flowers";
  d.dataset.description = "folder flowers: 3 classes, 120 images";
  // A class name that would break the page if it were not escaped.
  d.dataset.class_names = {"daisy", "roses", "</script><b>tulips"};
  d.dataset.train_examples = 96;
  d.dataset.test_examples = 24;
  d.dataset.test_split = "test/ folder";
  d.dataset.image_size = 96;
  d.dataset.channels = 3;
  d.recipe.kind = "from-scratch";
  d.recipe.reason = "no pretrained model given";
  d.recipe.target = "edgetpu";
  d.recipe.latency_budget_ms = 5;
  d.recipe.architecture = "mnasnet-small";
  d.recipe.width = 0.5;
  d.recipe.epochs = 4;
  d.recipe.candidates = {{"mnasnet-small", 0.5, 2500000, 300000, 1.5, 14.73, 14.9, true},
                         {"mnasnet-a1", 1.0, 31000000, 3000000, 9.25, 17.25, 8.1, false}};
  for (int e = 1; e <= 4; ++e) {
    d.curves.push_back({e, 2.0 / e, 0.2 * e, 2.2 / e, 0.19 * e});
  }
  report::ModelAccuracy float_acc{"model_float.tflite", 24, 0.875, 1.0, {1.0, 0.875, 0.75}, {}, false};
  float_acc.confusion = {{8, 0, 0}, {1, 7, 0}, {0, 2, 6}};
  report::ModelAccuracy int8_acc{"model_int8.tflite", 24, 0.8125, 1.0, {1.0, 0.75, 0.6875}, {}, false};
  int8_acc.confusion = {{8, 0, 0}, {2, 6, 0}, {0, 3, 5}};
  d.float_accuracy = float_acc;
  d.int8_accuracy = int8_acc;
  report::QuantizationSummary q;
  q.layers = {{12, "CONV_2D", "blocks_3/conv", 17.25},
              {3, "DEPTHWISE_CONV_2D", "blocks_1/dw", 24.5},
              {0, "RESHAPE", "input/reshape", std::numeric_limits<double>::infinity()}};
  q.output_sqnr_db = 21.5;
  q.images = 10;
  q.top1_agreement = 0.9;
  q.float_bytes = 1200000;
  q.int8_bytes = 330000;
  d.quantization = q;
  report::LatencySummary l;
  l.model = "model_int8.tflite";
  l.runs = 20;
  l.median_ms = 1.234;
  l.by_op_type = {{"CONV_2D", 20, 0.812}, {"DEPTHWISE_CONV_2D", 13, 0.301}, {"SOFTMAX", 1, 0.004}};
  l.float_median_ms = 3.5;
  d.latency = l;
  report::EdgeTpuSummary t;
  t.mapped = 60;
  t.cpu = 2;
  t.first_cpu_op = 60;
  t.first_cpu_op_name = "HARD_SWISH";
  t.ops = {{0, "CONV_2D", true, "Mapped to Edge TPU", ""},
           {60, "HARD_SWISH", false, "Operation is otherwise supported, but not mapped", "needs runtime 14"}};
  d.edgetpu = t;
  d.files = {{"out/model_int8.tflite", 330000}, {"out/report.html", 40000}};
  d.notes = {"calibration images written to out/calibration"};
  return d;
}

// The JSON inside <script type="application/json" id="report-data">.
nlohmann::json EmbeddedJson(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const size_t begin = html.find(open);
  if (begin == std::string::npos) return nullptr;
  const size_t end = html.find("</script>", begin);
  return nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()), nullptr, false);
}

TEST(ReportText, FormatsNumbersOneWay) {
  EXPECT_EQ(report::FormatPercent(0.8133), "81.3%");
  EXPECT_EQ(report::FormatPercent(1.0), "100.0%");
  EXPECT_EQ(report::FormatMs(1.234), "1.23 ms");
  EXPECT_EQ(report::FormatMs(0.0456), "0.046 ms");
  EXPECT_EQ(report::FormatDb(std::numeric_limits<double>::infinity()), "exact");
  EXPECT_EQ(report::FormatDb(17.25), "17.2 dB");
  EXPECT_EQ(report::FormatFileBytes(2048), "2.0 KiB");
  EXPECT_EQ(report::EscapeHtml("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(ReportHtml, EmbedsTheDataAsJson) {
  const ReportData data = SampleReport();
  const std::string html = report::RenderReportHtml(data);
  // The hostile class name is escaped everywhere: exactly one "</script>" per script block.
  size_t closings = 0;
  for (size_t at = html.find("</script>"); at != std::string::npos; at = html.find("</script>", at + 1)) ++closings;
  EXPECT_EQ(closings, 2u);
  const nlohmann::json embedded = EmbeddedJson(html);
  ASSERT_FALSE(embedded.is_discarded());
  EXPECT_EQ(embedded, nlohmann::json::parse(report::ReportToJson(data).dump()));
  EXPECT_EQ(embedded["dataset"]["class_names"][2], "</script><b>tulips");
  EXPECT_DOUBLE_EQ(embedded["int8_accuracy"]["top1"].get<double>(), 0.8125);
  EXPECT_TRUE(embedded["quantization"]["layers"][2]["sqnr_db"].is_null());  // +inf
  // No network: nothing is fetched from anywhere.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(ReportHtml, MissingSectionsSaySo) {
  ReportData data;
  data.dataset.class_names = {"a", "b"};
  const std::string html = report::RenderReportHtml(data);
  EXPECT_NE(html.find("Not measured."), std::string::npos);
  EXPECT_NE(html.find("Not checked."), std::string::npos);
  EXPECT_NE(html.find("No per-epoch curves"), std::string::npos);
  EXPECT_FALSE(EmbeddedJson(html).is_discarded());
}

TEST(ReportJson, WritesAFileAndNamesItOnError) {
  TempDir dir;
  ASSERT_TRUE(report::WriteReportJson(SampleReport(), dir.file("report.json")).ok());
  const std::vector<uint8_t> bytes = testing::ReadBytes(dir.file("report.json"));
  const nlohmann::json j = nlohmann::json::parse(std::string(bytes.begin(), bytes.end()), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["recipe"]["architecture"], "mnasnet-small");
  const Status bad = report::WriteReportHtml(SampleReport(), dir.file("missing/folder/report.html"));
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("missing/folder/report.html"), std::string::npos) << bad.message();
}

// Chromium is part of the documented setup; a missing browser fails the test, it does not skip.
bool HaveChromium() { return RunShell("command -v chromium").exit_code == 0; }

std::string ChromiumCommand(const TempDir& dir, const std::string& flags, const std::string& page) {
  // timeout bounds a hung browser; a private profile lets tests run side by side.
  return "timeout 60 chromium --headless=new --no-sandbox --disable-gpu --no-first-run "
         "--disable-extensions --user-data-dir=" + dir.file("profile") + " " + flags + " file://" + page;
}

TEST(ReportChromium, RendersWithoutErrorsAndShowsTheNumbers) {
  ASSERT_TRUE(HaveChromium()) << "chromium is not installed: run scripts/setup.sh (Debian package chromium)";
  TempDir dir;
  const std::string page = std::filesystem::absolute(dir.file("report.html")).string();
  const ReportData data = SampleReport();
  ASSERT_TRUE(report::WriteReportHtml(data, page).ok());

  const testing::CommandResult shot =
      RunShell(ChromiumCommand(dir, "--window-size=1200,2000 --screenshot=" + dir.file("shot.png"), page));
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const std::vector<uint8_t> png = testing::ReadBytes(dir.file("shot.png"));
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(std::string(png.begin() + 1, png.begin() + 4), "PNG");
  // IHDR width and height, big endian at bytes 16..23.
  auto be32 = [&](size_t at) {
    return (uint32_t{png[at]} << 24) | (uint32_t{png[at + 1]} << 16) | (uint32_t{png[at + 2]} << 8) | png[at + 3];
  };
  EXPECT_EQ(be32(16), 1200u);
  EXPECT_EQ(be32(20), 2000u);
  // A blank white page compresses to a few KB; charts, tables and text take far more.
  EXPECT_GT(png.size(), 40000u) << "the screenshot looks empty";

  const testing::CommandResult dom = RunShell(ChromiumCommand(dir, "--dump-dom", page));
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const std::string& html = dom.out;
  EXPECT_NE(html.find("data-rendered=\"ok\""), std::string::npos) << "the inline script did not finish";
  EXPECT_EQ(html.find("data-render-error"), std::string::npos) << html.substr(0, 400);
  // Written by the script from the embedded JSON: it parsed.
  EXPECT_NE(html.find("embedded data: 3 classes, 4 epochs, 2 files"), std::string::npos);
  // The numbers of the data, as the page formats them.
  EXPECT_NE(html.find("id=\"int8-top1\">" + report::FormatPercent(data.int8_accuracy->top1) + "<"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"float-top1\">" + report::FormatPercent(data.float_accuracy->top1) + "<"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"latency-total\">" + report::FormatMs(data.latency->median_ms) + "<"), std::string::npos);
  EXPECT_NE(html.find("60 / 62 ops mapped"), std::string::npos);
  EXPECT_NE(html.find("HARD_SWISH"), std::string::npos);
  EXPECT_NE(html.find("17.2 dB"), std::string::npos);
  EXPECT_NE(html.find(report::FormatMs(0.812)), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;b&gt;tulips"), std::string::npos);
  EXPECT_EQ(html.find("<b>tulips"), std::string::npos) << "a class name was not escaped";
  // The charts are there: two line charts (polylines) and bar charts.
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"ms per inference\""), std::string::npos);
}

}  // namespace
}  // namespace edgeforge
