// `edgeforge quantize` from end to end: read a float .tflite, calibrate it on a dataset
// (int8), rewrite it in the chosen mode, optionally check it for the Edge TPU, write it,
// and measure it against the float model on held-back images.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "edgeforge/status.h"
#include "edgetpu/compatibility.h"
#include "quant/calibrate.h"
#include "quant/calibration_images.h"
#include "quant/dynamic_quantizer.h"
#include "quant/int8_quantizer.h"
#include "quant/quantization_report.h"

namespace edgeforge::quant {

enum class QuantizationMode {
  kInt8,     // full integer: int8 weights and activations
  kDynamic,  // int8 weights, float activations (hybrid kernels)
  kFloat16,  // float16 weights behind DEQUANTIZE
};
const char* ModeName(QuantizationMode mode);

struct QuantizeRequest {
  std::string model_path;
  std::string out_path;
  QuantizationMode mode = QuantizationMode::kInt8;
  // int8: any spec OpenCalibrationData takes (a folder of images, class folders, IDX, TFRecord,
  // "fashion-mnist"); named for the folder it used to be.
  std::string calibration_dir;
  Int8Options int8;
  DynamicRangeOptions dynamic;
  CalibrationOptions calibration;
  size_t samples = 100;        // calibration images
  size_t report_samples = 10;  // held-back images for the report (0: no report)
  // Overrides the preprocessing recorded in the model's metadata.
  std::optional<InputPreprocessing> preprocessing;
  // int8 rewrites HARD_SWISH (DecomposeHardSwish) so that the model maps to the Edge TPU;
  // keeping it gives one op instead of three (a CPU-only model) and cannot go with `edgetpu`.
  bool keep_hard_swish = false;
  // uint8 I/O is the caller's; here: static batch, then require a full Edge TPU mapping.
  bool edgetpu = false;
};

struct QuantizeOutcome {
  bool written = false;  // false when the Edge TPU check failed
  size_t calibration_images = 0;
  InputPreprocessing preprocessing;  // what calibration fed the model
  int64_t float_bytes = 0;
  int64_t quantized_bytes = 0;
  std::optional<QuantizationReport> report;
  std::optional<edgetpu::CompatibilityReport> edgetpu;
};

// Progress lines go to `log` (may be null).
StatusOr<QuantizeOutcome> QuantizeModel(const QuantizeRequest& request, std::FILE* log);

// The float range an input normalised with `preprocessing` can take, over all channels: pixels
// 0..255 through (p - mean) / std ([0, 255] without preprocessing).
ValueRange PixelRange(const InputPreprocessing& preprocessing);

}  // namespace edgeforge::quant
