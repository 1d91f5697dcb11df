#include "quant/quantize_model.h"

#include <algorithm>
#include <filesystem>

#include "core/file.h"
#include "quant/dynamic_quantizer.h"
#include "quant/edgetpu_target.h"
#include "quant/float16_quantizer.h"
#include "quant/float_model.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge::quant {

namespace {

void Log(std::FILE* log, const std::string& line) {
  if (log) std::fprintf(log, "%s\n", line.c_str());
}

// Writes `graph` to `path`; returns the file size.
StatusOr<int64_t> Write(const ir::Graph& graph, const std::string& path) {
  EF_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, tflite::WriteModel(graph));
  EF_RETURN_IF_ERROR(core::WriteFileAtomic(path, bytes));
  return static_cast<int64_t>(bytes.size());
}

StatusOr<QuantizeOutcome> QuantizeInt8Model(const QuantizeRequest& r, ir::Graph float_graph,
                                            QuantizeOutcome outcome, std::FILE* log) {
  const std::string& source = r.model_path;
  if (r.edgetpu && r.keep_hard_swish) {
    return InvalidArgument(source + ": HARD_SWISH cannot be kept for the Edge TPU, which has no such op");
  }
  if (!r.keep_hard_swish) {
    const size_t rewritten = DecomposeHardSwish(float_graph).size();
    if (rewritten > 0) {
      Log(log, std::to_string(rewritten) +
                   " HARD_SWISH ops rewritten as x * relu6(x + 3) / 6 (the Edge TPU has no HARD_SWISH)");
    }
  }
  EF_RETURN_IF_ERROR(CheckInt8Support(float_graph, source));
  const ir::Tensor& input = float_graph.tensor(float_graph.inputs[0]);
  EF_RETURN_IF_ERROR(CheckImageInput(input, source));
  const InputPreprocessing& preprocessing = outcome.preprocessing;
  EF_RETURN_IF_ERROR(CheckPreprocessing(preprocessing, input.shape[3]).WithContext(source));

  EF_ASSIGN_OR_RETURN(std::unique_ptr<data::Dataset> dataset, OpenCalibrationData(r.calibration_dir));
  const SampleSplit split = SplitSamples(InterleaveClasses(*dataset), r.samples, r.report_samples);
  outcome.calibration_images = split.calibration.size();
  Log(log, "calibrating on " + std::to_string(split.calibration.size()) + " images from " + dataset->Summary() +
               " (" + CalibratorName(r.calibration.calibrator) + ")");
  const SampleSource samples = [&](size_t i) -> StatusOr<std::vector<uint8_t>> {
    const size_t example = split.calibration[i];
    StatusOr<Image> image = dataset->Load(example);
    if (!image.ok()) return image.status().WithContext(dataset->Describe(example));
    StatusOr<std::vector<uint8_t>> bytes = ImageInputBytes(*image, input, preprocessing);
    if (!bytes.ok()) return bytes.status().WithContext(dataset->Describe(example));
    return bytes;
  };
  EF_ASSIGN_OR_RETURN(TensorRanges ranges,
                      CalibrateRanges(float_graph, split.calibration.size(), samples, r.calibration, source));
  // The input's range is what any image can give, not only the calibration images.
  ranges[static_cast<size_t>(float_graph.inputs[0])] = PixelRange(preprocessing);

  Int8Options int8 = r.int8;
  if (r.edgetpu) int8.per_channel_fully_connected = false;
  EF_ASSIGN_OR_RETURN(QuantizedGraph quantized, QuantizeInt8(float_graph, ranges, int8, source));
  quantized.graph.metadata.input_mean = preprocessing.mean;
  quantized.graph.metadata.input_std = preprocessing.std;

  if (r.edgetpu) {
    MakeBatchStatic(quantized.graph);
    EF_ASSIGN_OR_RETURN(edgetpu::CompatibilityReport check, CheckEdgeTpu(quantized.graph));
    const bool maps = check.fully_mapped();
    outcome.edgetpu = std::move(check);
    if (!maps) return outcome;
  }
  EF_ASSIGN_OR_RETURN(outcome.quantized_bytes, Write(quantized.graph, r.out_path));
  outcome.written = true;

  if (!split.held_back.empty()) {
    Log(log, "comparing with the float model on " + std::to_string(split.held_back.size()) + " held-back images");
    EF_ASSIGN_OR_RETURN(QuantizationReport report,
                        CompareWithFloat(float_graph, quantized, *dataset, split.held_back, preprocessing,
                                         r.calibration.num_threads, source));
    outcome.report = std::move(report);
  } else {
    outcome.report = QuantizationReport{};
  }
  outcome.report->float_bytes = outcome.float_bytes;
  outcome.report->quantized_bytes = outcome.quantized_bytes;
  return outcome;
}

}  // namespace

const char* ModeName(QuantizationMode mode) {
  switch (mode) {
    case QuantizationMode::kInt8: return "int8";
    case QuantizationMode::kDynamic: return "dynamic";
    case QuantizationMode::kFloat16: return "float16";
  }
  return "?";
}

ValueRange PixelRange(const InputPreprocessing& p) {
  if (p.mean.empty()) return {0.0f, 255.0f};
  ValueRange r{0, 0};
  const size_t channels = std::max(p.mean.size(), p.std.size());
  for (size_t c = 0; c < channels; ++c) {
    const float mean = p.mean[p.mean.size() > 1 ? c : 0], std = p.std[p.std.size() > 1 ? c : 0];
    const float a = (0.0f - mean) / std, b = (255.0f - mean) / std;
    const float lo = std::min(a, b), hi = std::max(a, b);
    if (c == 0) r = {lo, hi};
    r.min = std::min(r.min, lo);
    r.max = std::max(r.max, hi);
  }
  return r;
}

StatusOr<QuantizeOutcome> QuantizeModel(const QuantizeRequest& r, std::FILE* log) {
  if (r.edgetpu && r.mode != QuantizationMode::kInt8) {
    return InvalidArgument("--target edgetpu needs --mode int8 (the Edge TPU runs 8-bit models only)");
  }
  EF_ASSIGN_OR_RETURN(ir::Graph model, tflite::ReadModelFile(r.model_path));
  EF_ASSIGN_OR_RETURN(ir::Graph float_graph, PrepareFloatModel(model, r.model_path));
  QuantizeOutcome outcome;
  std::error_code ec;
  outcome.float_bytes = static_cast<int64_t>(std::filesystem::file_size(r.model_path, ec));
  outcome.preprocessing = r.preprocessing.value_or(
      InputPreprocessing{float_graph.metadata.input_mean, float_graph.metadata.input_std});

  // Preprocessing given on the command line is what the model takes from now on.
  if (r.preprocessing) {
    float_graph.metadata.input_mean = r.preprocessing->mean;
    float_graph.metadata.input_std = r.preprocessing->std;
  }
  switch (r.mode) {
    case QuantizationMode::kInt8:
      if (r.calibration_dir.empty()) {
        return InvalidArgument("int8 quantization needs calibration data (--calibration DATA)");
      }
      return QuantizeInt8Model(r, float_graph, std::move(outcome), log);
    case QuantizationMode::kFloat16: {
      const ir::Graph half = QuantizeFloat16(float_graph);
      EF_ASSIGN_OR_RETURN(outcome.quantized_bytes, Write(half, r.out_path));
      outcome.written = true;
      return outcome;
    }
    case QuantizationMode::kDynamic: {
      const ir::Graph hybrid = QuantizeDynamicRange(float_graph, r.dynamic);
      EF_ASSIGN_OR_RETURN(outcome.quantized_bytes, Write(hybrid, r.out_path));
      outcome.written = true;
      return outcome;
    }
  }
  return Internal("unknown quantization mode");
}

}  // namespace edgeforge::quant
