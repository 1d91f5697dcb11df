// edgeforge quantize FLOAT.tflite --out OUT.tflite [--calibration DATA] [--mode int8|dynamic|float16]
//     [--io uint8|int8|float] [--calibrator minmax|percentile|mse] [--percentile 99.99]
//     [--samples N] [--report-samples N] [--report FILE.json] [--target edgetpu]
//     [--keep-hard-swish] [--hybrid-depthwise] [--min-weight-elements N] [--mean M[,M,M] --std S[,S,S]] [--threads N]
// Post-training quantization of a float model (see src/quant/). int8 calibrates on any dataset
// (a folder of images, class subfolders, IDX files, TFRecord files or prefix, "fashion-mnist";
// images converted to the model's channels) and prints how far the result is from the float
// model on held-back images. int8 rewrites HARD_SWISH into ops the Edge TPU maps unless
// --keep-hard-swish (a CPU-only model: one op instead of three). --target edgetpu also makes the
// batch static, defaults to uint8 I/O and fails (exit 1, nothing written) with the Edge TPU
// check's log when some op would not map.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/command.h"
#include "edgetpu/compiler_log.h"
#include "quant/quantize_model.h"

namespace edgeforge::cli {

namespace {

using Json = nlohmann::ordered_json;

struct QuantizeFlags {
  std::string model;
  std::string out;
  std::string calibration;
  std::string mode = "int8";
  std::string io;  // empty: uint8 for --target edgetpu, else int8
  std::string calibrator = "minmax";
  double percentile = 99.99;
  size_t samples = 100;
  size_t report_samples = 10;
  std::string report_path;
  std::string target;
  bool keep_hard_swish = false;
  bool hybrid_depthwise = false;
  std::optional<int64_t> min_weight_elements;
  std::vector<float> mean;
  std::vector<float> std;
  int threads = 1;
};

int UsageError(const std::string& message) {
  std::fprintf(stderr, "edgeforge: usage error: %s\nRun 'edgeforge quantize --help' for usage.\n", message.c_str());
  return kExitUsage;
}

Json Db(double db) { return std::isfinite(db) ? Json(db) : Json(nullptr); }

Json ReportJson(const QuantizeFlags& f, const quant::QuantizeRequest& request, const quant::QuantizeOutcome& o) {
  Json j;
  j["model"] = f.model;
  j["out"] = f.out;
  j["mode"] = quant::ModeName(request.mode);
  if (request.mode == quant::QuantizationMode::kInt8) {
    j["io"] = quant::IoTypeName(request.int8.io);
    j["calibrator"] = quant::CalibratorName(request.calibration.calibrator);
    j["calibration_images"] = o.calibration_images;
    j["input_mean"] = o.preprocessing.mean;
    j["input_std"] = o.preprocessing.std;
  }
  j["float_bytes"] = o.float_bytes;
  j["quantized_bytes"] = o.quantized_bytes;
  if (o.report) {
    j["held_back_images"] = o.report->images;
    j["top1_agreements"] = o.report->top1_agreements;
    j["top1_agreement"] = o.report->top1_agreement();
    j["output_sqnr_db"] = Db(o.report->output_sqnr_db);
    j["layers"] = Json::array();
    for (const quant::LayerSqnr& l : o.report->layers) {
      j["layers"].push_back({{"op_index", l.op_index}, {"op", l.op}, {"tensor", l.tensor}, {"sqnr_db", Db(l.sqnr_db)}});
    }
  }
  if (o.edgetpu) {
    j["edgetpu"] = {{"fully_mapped", o.edgetpu->fully_mapped()}, {"mapped", o.edgetpu->mapped}, {"cpu", o.edgetpu->cpu}};
  }
  return j;
}

int RunQuantize(const QuantizeFlags& f) {
  quant::QuantizeRequest r;
  r.model_path = f.model;
  r.out_path = f.out;
  r.mode = f.mode == "int8" ? quant::QuantizationMode::kInt8
           : f.mode == "dynamic" ? quant::QuantizationMode::kDynamic
                                 : quant::QuantizationMode::kFloat16;
  r.edgetpu = f.target == "edgetpu";
  if (r.edgetpu && r.mode != quant::QuantizationMode::kInt8) {
    return UsageError("--target edgetpu needs --mode int8 (the Edge TPU runs 8-bit models only)");
  }
  if (f.keep_hard_swish && r.mode != quant::QuantizationMode::kInt8) {
    return UsageError("--keep-hard-swish applies to --mode int8 only (the other modes keep every op as it is)");
  }
  if (f.keep_hard_swish && r.edgetpu) {
    return UsageError("--keep-hard-swish cannot go with --target edgetpu: the Edge TPU has no HARD_SWISH");
  }
  r.keep_hard_swish = f.keep_hard_swish;
  if ((f.hybrid_depthwise || f.min_weight_elements) && r.mode != quant::QuantizationMode::kDynamic) {
    return UsageError("--hybrid-depthwise and --min-weight-elements apply to --mode dynamic only");
  }
  r.dynamic.quantize_depthwise = f.hybrid_depthwise;
  if (f.min_weight_elements) r.dynamic.min_weight_elements = *f.min_weight_elements;
  if (r.edgetpu && f.io == "float") {
    return UsageError("--target edgetpu needs 8-bit model I/O (--io uint8 or int8): a float input or output "
                      "would stay on the CPU");
  }
  if (r.mode == quant::QuantizationMode::kInt8 && f.calibration.empty()) {
    return UsageError("--mode int8 needs --calibration DATA (representative images: a folder, a dataset or "
                      "\"fashion-mnist\")");
  }
  if (f.mean.empty() != f.std.empty()) return UsageError("--mean and --std go together");
  const std::string io = !f.io.empty() ? f.io : (r.edgetpu ? "uint8" : "int8");
  r.int8.io = io == "uint8" ? quant::IoType::kUInt8 : io == "float" ? quant::IoType::kFloat32 : quant::IoType::kInt8;
  r.calibration_dir = f.calibration;
  r.calibration.calibrator = f.calibrator == "percentile" ? quant::Calibrator::kPercentile
                             : f.calibrator == "mse"      ? quant::Calibrator::kMse
                                                          : quant::Calibrator::kMinMax;
  r.calibration.percentile = f.percentile;
  r.calibration.num_threads = f.threads;
  r.samples = f.samples;
  r.report_samples = f.report_samples;
  if (!f.mean.empty()) r.preprocessing = quant::InputPreprocessing{f.mean, f.std};

  auto outcome = quant::QuantizeModel(r, stderr);
  if (!outcome.ok()) return ReportError(outcome.status());
  const quant::QuantizeOutcome& o = outcome.value();
  if (o.edgetpu && !o.edgetpu->fully_mapped()) {
    std::fprintf(stderr, "%s", edgetpu::FormatCompilerLog(*o.edgetpu, f.out, /*verbose=*/true).c_str());
    return ReportError(InvalidArgument(f.model + ": the " + quant::ModeName(r.mode) +
                                       " model would not map fully to the Edge TPU (" + std::to_string(o.edgetpu->cpu) +
                                       " of " + std::to_string(o.edgetpu->ops.size()) + " ops on the CPU); " +
                                       f.out + " not written"));
  }
  std::printf("wrote %s: %s", f.out.c_str(), quant::ModeName(r.mode));
  if (r.mode == quant::QuantizationMode::kInt8) {
    std::printf(" (I/O %s, %s calibration on %zu images)", io.c_str(),
                quant::CalibratorName(r.calibration.calibrator), o.calibration_images);
  }
  std::printf("\n");
  if (o.edgetpu) std::printf("Edge TPU: all %d ops would map\n", o.edgetpu->mapped);
  if (o.report) {
    std::printf("%s", quant::FormatReport(*o.report).c_str());
  } else {
    std::printf("model size: %lld bytes float -> %lld bytes\n", static_cast<long long>(o.float_bytes),
                static_cast<long long>(o.quantized_bytes));
  }
  if (!f.report_path.empty()) {
    std::ofstream file(f.report_path);
    file << ReportJson(f, r, o).dump(2) << "\n";
    if (!file) return ReportError(IoError(f.report_path + ": cannot write the report"));
  }
  return kExitOk;
}

}  // namespace

void AddQuantizeCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("quantize", "Post-training quantization of a float model (int8, dynamic, float16)");
  auto f = std::make_shared<QuantizeFlags>();
  app->add_option("model", f->model, "a float32 .tflite")->required();
  app->add_option("--out", f->out, "where to write the quantized .tflite")->required();
  app->add_option("--calibration", f->calibration,
                  "representative images: a folder of images (one subfolder per class, or images directly "
                  "in it), a folder of IDX or TFRecord files, a .tfrecord file or prefix, or fashion-mnist / "
                  "mnist; converted to the model's channels (gray: luma; RGB: gray replicated)");
  app->add_option("--mode", f->mode, "int8 (full integer), dynamic (int8 weights) or float16 (float16 weights)")
      ->check(CLI::IsMember({"int8", "dynamic", "float16"}))
      ->capture_default_str();
  app->add_option("--io", f->io, "model input/output type for int8 (default int8; uint8 with --target edgetpu)")
      ->check(CLI::IsMember({"uint8", "int8", "float"}));
  app->add_option("--calibrator", f->calibrator, "how activation ranges are chosen")
      ->check(CLI::IsMember({"minmax", "percentile", "mse"}))
      ->capture_default_str();
  app->add_option("--percentile", f->percentile, "percentile kept by --calibrator percentile")
      ->check(CLI::Range(50.0, 100.0))
      ->capture_default_str();
  app->add_option("--samples", f->samples, "calibration images (the first N, classes interleaved)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app->add_option("--report-samples", f->report_samples, "held-back images for the accuracy report (0: none)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  app->add_option("--report", f->report_path, "also write the report as JSON to this file");
  app->add_option("--target", f->target, "hardware to prepare the model for")->check(CLI::IsMember({"edgetpu"}));
  app->add_flag("--keep-hard-swish", f->keep_hard_swish,
               "int8: keep HARD_SWISH as one op (faster on CPUs; the Edge TPU cannot run it)");
  app->add_flag("--hybrid-depthwise", f->hybrid_depthwise,
               "dynamic: make DEPTHWISE_CONV_2D weights int8 too (default float: about 2 % of the weights, and "
               "each hybrid layer adds activation quantization noise)");
  app->add_option("--min-weight-elements", f->min_weight_elements,
                  "dynamic: weight tensors with fewer values stay float (default 1024, as TFLite's converter)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  app->add_option("--mean", f->mean, "input mean per channel (default: the model's metadata)")->delimiter(',');
  app->add_option("--std", f->std, "input std per channel (default: the model's metadata)")->delimiter(',');
  app->add_option("--threads", f->threads, "threads")->check(CLI::Range(1, 256));
  commands.push_back({app, [f] { return RunQuantize(*f); }});
}

}  // namespace edgeforge::cli
