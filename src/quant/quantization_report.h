// How much a quantized model differs from its float original, measured on images that were
// not used to calibrate: per layer, the signal-to-quantization-noise ratio between the float
// activations and the dequantized int8 ones,
//   SQNR = 10 log10( sum x^2 / sum (x - x_q)^2 )  in dB, over all images,
// listed worst first; how often both models pick the same top-1 class; and the file sizes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "edgeforge/status.h"
#include "ir/graph.h"
#include "quant/calibration_images.h"
#include "quant/int8_quantizer.h"

namespace edgeforge::quant {

struct LayerSqnr {
  int op_index = 0;    // in the float graph
  std::string op;      // "CONV_2D"
  std::string tensor;  // the op's output
  double sqnr_db = 0;  // +infinity when the int8 values are exact
};

struct QuantizationReport {
  std::vector<LayerSqnr> layers;  // worst (lowest SQNR) first
  double output_sqnr_db = 0;      // of the model's output 0
  size_t images = 0;
  size_t top1_agreements = 0;     // images where both models' top-1 class is the same
  int64_t float_bytes = 0;
  int64_t quantized_bytes = 0;

  double top1_agreement() const { return images ? static_cast<double>(top1_agreements) / images : 0; }
};

// Runs both models over `examples` of `dataset` (each fed as its model's input dtype and
// channels want, with `preprocessing`) and fills everything but the byte sizes.
// `quantized.tensor_map` relates the graphs' tensors.
StatusOr<QuantizationReport> CompareWithFloat(const ir::Graph& float_graph, const QuantizedGraph& quantized,
                                              const data::Dataset& dataset, const std::vector<size_t>& examples,
                                              const InputPreprocessing& preprocessing, int num_threads,
                                              const std::string& source);
// The same over image files.
StatusOr<QuantizationReport> CompareWithFloat(const ir::Graph& float_graph, const QuantizedGraph& quantized,
                                              const std::vector<std::string>& images,
                                              const InputPreprocessing& preprocessing, int num_threads,
                                              const std::string& source);

// The report as a table: sizes, top-1 agreement, then the `max_layers` worst layers.
std::string FormatReport(const QuantizationReport& report, size_t max_layers = 10);

}  // namespace edgeforge::quant
