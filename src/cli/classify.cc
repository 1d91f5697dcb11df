// edgeforge classify MODEL IMAGE|DIR... [--labels FILE] [--top-k 5] [--json] [--threads N]
// Decode each photo, stretch it to the model's input size and convert it to the input's dtype
// (data/model_input.h: the same steps as `edgeforge serve` and the goldens), run, and print
// the top-k classes with dequantized scores and the time each step took.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "data/labels_file.h"
#include "data/model_input.h"
#include "edgeforge/image.h"
#include "edgeforge/interpreter.h"

namespace edgeforge::cli {

namespace {

struct ClassifyArgs {
  std::string model;
  std::vector<std::string> images;
  std::string labels;
  size_t top_k = 5;
  bool json = false;
  int threads = 1;
};

bool IsImageFile(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

// Folders stand for the image files directly inside them, sorted by name.
StatusOr<std::vector<std::string>> ExpandImages(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(a, ec)) {
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(a, ec)) {
        if (e.is_regular_file() && IsImageFile(e.path())) found.push_back(e.path().string());
      }
      if (found.empty()) return InvalidArgument(a + ": folder holds no .jpg, .png or .bmp images");
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

int RunClassify(const ClassifyArgs& a) {
  auto model = Model::FromFile(a.model);
  if (!model.ok()) return ReportError(model.status());
  auto created = Interpreter::Create(model.value(), {a.threads});
  if (!created.ok()) return ReportError(created.status());
  Interpreter& interp = *created.value();
  const TensorInfo in = interp.input_info(0);
  auto input = data::DescribeImageInput(a.model, in.name, in.shape, in.dtype, in.quant,
                                        model.value()->input_mean(), model.value()->input_std());
  if (!input.ok()) return ReportError(input.status());
  std::vector<std::string> labels = model.value()->labels();
  if (!a.labels.empty()) {
    auto read = data::ReadLabelsFile(a.labels);
    if (!read.ok()) return ReportError(read.status());
    labels = std::move(read).value();
  }
  auto images = ExpandImages(a.images);
  if (!images.ok()) return ReportError(images.status());

  nlohmann::json results = nlohmann::json::array();
  int failures = 0;
  for (const std::string& path : images.value()) {
    auto t0 = std::chrono::steady_clock::now();
    auto resized = data::LoadForModelInput(path, input.value());
    if (!resized.ok()) {
      ReportError(resized.status());
      ++failures;
      continue;
    }
    Status s = data::WriteModelInput(resized.value(), input.value(), interp.input_bytes(0));
    if (!s.ok()) return ReportError(s.WithContext(path));
    double preprocess_ms = MsSince(t0);
    auto t1 = std::chrono::steady_clock::now();
    s = interp.Invoke();
    if (!s.ok()) return ReportError(s);
    double invoke_ms = MsSince(t1);

    std::vector<float> scores = interp.OutputAsFloat(0);
    auto top = TopK(scores, a.top_k);
    auto label_of = [&](int idx) {
      return static_cast<size_t>(idx) < labels.size() ? labels[static_cast<size_t>(idx)] : std::string();
    };
    if (a.json) {
      nlohmann::json r{{"image", path}, {"preprocess_ms", preprocess_ms}, {"invoke_ms", invoke_ms}};
      r["top"] = nlohmann::json::array();
      for (const auto& c : top) r["top"].push_back({{"index", c.index}, {"label", label_of(c.index)}, {"score", c.score}});
      results.push_back(r);
    } else {
      std::printf("%s  (decode+resize %.1f ms, invoke %.1f ms)\n", path.c_str(), preprocess_ms, invoke_ms);
      for (size_t k = 0; k < top.size(); ++k) {
        std::printf("  %zu. %.6f  %4d  %s\n", k + 1, top[k].score, top[k].index, label_of(top[k].index).c_str());
      }
    }
  }
  if (a.json) std::printf("%s\n", nlohmann::json{{"model", a.model}, {"results", results}}.dump(2).c_str());
  return failures ? kExitBadInput : kExitOk;
}

}  // namespace

void AddClassifyCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("classify", "Classify photos: top-k labels, scores and latency");
  auto args = std::make_shared<ClassifyArgs>();
  app->add_option("model", args->model, "a .tflite image classifier")->required();
  app->add_option("images", args->images, "image files (JPEG, PNG, BMP) or folders of them")->required();
  app->add_option("--labels", args->labels, "labels file, one per line (default: the model's metadata)");
  app->add_option("--top-k", args->top_k, "how many classes to print")->check(CLI::Range(1, 100000));
  app->add_flag("--json", args->json, "print JSON");
  app->add_option("--threads", args->threads, "threads")->check(CLI::Range(1, 256));
  commands.push_back({app, [args] { return RunClassify(*args); }});
}

}  // namespace edgeforge::cli
