#include "make/layer_comparison.h"

#include <filesystem>
#include <map>

#include "make/report_assembly.h"
#include "quant/quantization_report.h"
#include "tflite/reader.h"

namespace edgeforge::make {

namespace {

// Preprocessing for the float model: its metadata, or else what the 8-bit model's input
// quantization says pixels mean (real = scale * (q - zero_point), i.e. mean = zero_point,
// std = 1 / scale), which is how a dequantized backbone expects its input.
quant::InputPreprocessing FloatPreprocessing(const ir::Graph& float_graph, const ir::Graph& int8_graph) {
  if (!float_graph.metadata.input_mean.empty()) {
    return {float_graph.metadata.input_mean, float_graph.metadata.input_std};
  }
  const ir::Tensor& input = int8_graph.tensor(int8_graph.inputs[0]);
  if (input.quant.scale.size() == 1 && input.quant.scale[0] > 0) {
    return {{static_cast<float>(input.quant.zero_point.at(0))}, {1.0f / input.quant.scale[0]}};
  }
  return {};
}

}  // namespace

StatusOr<report::QuantizationSummary> CompareModelFiles(const std::string& float_path, const std::string& int8_path,
                                                        const std::vector<std::string>& images, int threads) {
  EF_ASSIGN_OR_RETURN(ir::Graph float_graph, tflite::ReadModelFile(float_path));
  EF_ASSIGN_OR_RETURN(ir::Graph int8_graph, tflite::ReadModelFile(int8_path));
  if (float_graph.inputs.size() != 1 || int8_graph.inputs.size() != 1 || float_graph.outputs.empty() ||
      int8_graph.outputs.empty()) {
    return InvalidArgument(float_path + " and " + int8_path + ": expected one input and an output each");
  }
  std::map<std::string, int> int8_by_name;
  for (size_t t = 0; t < int8_graph.tensors.size(); ++t) {
    if (!int8_graph.tensors[t].is_constant()) int8_by_name[int8_graph.tensors[t].name] = static_cast<int>(t);
  }
  quant::QuantizedGraph quantized;
  quantized.tensor_map.assign(float_graph.tensors.size(), -1);
  for (size_t t = 0; t < float_graph.tensors.size(); ++t) {
    auto it = int8_by_name.find(float_graph.tensors[t].name);
    if (it != int8_by_name.end() && !float_graph.tensors[t].is_constant()) quantized.tensor_map[t] = it->second;
  }
  // The outputs correspond whatever their names.
  quantized.tensor_map[static_cast<size_t>(float_graph.outputs[0])] = int8_graph.outputs[0];
  const quant::InputPreprocessing preprocessing = FloatPreprocessing(float_graph, int8_graph);
  quantized.graph = std::move(int8_graph);
  EF_ASSIGN_OR_RETURN(quant::QuantizationReport compared,
                      quant::CompareWithFloat(float_graph, quantized, images, preprocessing, threads, float_path));
  std::error_code ec;
  compared.float_bytes = static_cast<int64_t>(std::filesystem::file_size(float_path, ec));
  compared.quantized_bytes = static_cast<int64_t>(std::filesystem::file_size(int8_path, ec));
  return QuantizationSection(compared);
}

}  // namespace edgeforge::make
