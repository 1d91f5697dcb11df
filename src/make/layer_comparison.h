// Per-layer quantization error between two model files that were not made by one quantizer
// run, e.g. head-only transfer learning's float model (a dequantized backbone) and its int8
// model (the backbone's own 8-bit bytes). Tensors are matched by name, then compared with
// quant::CompareWithFloat (SQNR per layer, output SQNR, top-1 agreement).
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "report/report_data.h"

namespace edgeforge::make {

// `images`: photos to run both models on. Errors name the files.
StatusOr<report::QuantizationSummary> CompareModelFiles(const std::string& float_path, const std::string& int8_path,
                                                        const std::vector<std::string>& images, int threads);

}  // namespace edgeforge::make
