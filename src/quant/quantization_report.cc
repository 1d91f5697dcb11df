#include "quant/quantization_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

#include "quant/activation_tap.h"

namespace edgeforge::quant {

namespace {

struct NoiseSums {
  double signal = 0;
  double noise = 0;
  double sqnr_db() const {
    if (noise == 0) return std::numeric_limits<double>::infinity();
    if (signal == 0) return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(signal / noise);
  }
};

size_t ArgMax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

std::string FormatDb(double db) {
  if (std::isinf(db)) return db > 0 ? "exact" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", db);
  return buf;
}

// Converters name a tensor after every op fused into it, joined by ';': the first is enough to
// find the layer in a table.
std::string ShortName(const std::string& name) {
  constexpr size_t kMax = 72;
  std::string s = name.substr(0, name.find(';'));
  if (s.size() > kMax) s = s.substr(0, kMax - 3) + "...";
  return s;
}

// Image `i` of the comparison, and where it comes from (for messages).
using ImageLoader = std::function<StatusOr<Image>(size_t i)>;
using ImageNamer = std::function<std::string(size_t i)>;

StatusOr<QuantizationReport> Compare(const ir::Graph& float_graph, const QuantizedGraph& quantized, size_t count,
                                     const ImageLoader& load, const ImageNamer& describe,
                                     const InputPreprocessing& preprocessing, int num_threads,
                                     const std::string& source) {
  EF_ASSIGN_OR_RETURN(auto float_tap, ActivationTap::Create(float_graph, source, num_threads));
  EF_ASSIGN_OR_RETURN(auto int8_tap, ActivationTap::Create(quantized.graph, source + " (quantized)", num_threads));

  // Layers: every op output both graphs hold as activations.
  struct Layer {
    int op_index;
    int float_tensor;
    int int8_tensor;
  };
  std::vector<Layer> layers;
  for (size_t i = 0; i < float_graph.ops.size(); ++i) {
    for (int t : float_graph.ops[i].outputs) {
      const int q = quantized.tensor_map[static_cast<size_t>(t)];
      if (q < 0 || float_graph.tensor(t).dtype != DType::kFloat32) continue;
      layers.push_back({static_cast<int>(i), t, q});
    }
  }
  const int float_out = float_graph.outputs[0];
  const int int8_out = quantized.tensor_map[static_cast<size_t>(float_out)];

  QuantizationReport report;
  std::vector<NoiseSums> sums(layers.size());
  NoiseSums output_sums;
  std::vector<float> x, xq;
  for (size_t i = 0; i < count; ++i) {
    const std::string where = describe(i);
    StatusOr<Image> image = load(i);
    if (!image.ok()) return image.status().WithContext(where);
    auto float_input = ImageInputBytes(*image, float_tap->input_tensor(), preprocessing);
    if (!float_input.ok()) return float_input.status().WithContext(where);
    auto int8_input = ImageInputBytes(*image, int8_tap->input_tensor(), preprocessing);
    if (!int8_input.ok()) return int8_input.status().WithContext(where);
    EF_RETURN_IF_ERROR(float_tap->Run(*float_input).WithContext(where));
    EF_RETURN_IF_ERROR(int8_tap->Run(*int8_input).WithContext(where));
    for (size_t l = 0; l < layers.size(); ++l) {
      float_tap->ReadFloat(layers[l].float_tensor, x);
      int8_tap->ReadFloat(layers[l].int8_tensor, xq);
      for (size_t k = 0; k < x.size() && k < xq.size(); ++k) {
        const double d = static_cast<double>(x[k]) - xq[k];
        sums[l].signal += static_cast<double>(x[k]) * x[k];
        sums[l].noise += d * d;
      }
    }
    float_tap->ReadFloat(float_out, x);
    int8_tap->ReadFloat(int8_out, xq);
    for (size_t k = 0; k < x.size() && k < xq.size(); ++k) {
      const double d = static_cast<double>(x[k]) - xq[k];
      output_sums.signal += static_cast<double>(x[k]) * x[k];
      output_sums.noise += d * d;
    }
    if (!x.empty() && ArgMax(x) == ArgMax(xq)) ++report.top1_agreements;
    ++report.images;
  }
  for (size_t l = 0; l < layers.size(); ++l) {
    LayerSqnr s;
    s.op_index = layers[l].op_index;
    s.op = ir::OpName(float_graph.ops[static_cast<size_t>(layers[l].op_index)]);
    s.tensor = float_graph.tensor(layers[l].float_tensor).name;
    s.sqnr_db = sums[l].sqnr_db();
    report.layers.push_back(std::move(s));
  }
  std::stable_sort(report.layers.begin(), report.layers.end(),
                   [](const LayerSqnr& a, const LayerSqnr& b) { return a.sqnr_db < b.sqnr_db; });
  report.output_sqnr_db = output_sums.sqnr_db();
  return report;
}

}  // namespace

StatusOr<QuantizationReport> CompareWithFloat(const ir::Graph& float_graph, const QuantizedGraph& quantized,
                                              const data::Dataset& dataset, const std::vector<size_t>& examples,
                                              const InputPreprocessing& preprocessing, int num_threads,
                                              const std::string& source) {
  return Compare(
      float_graph, quantized, examples.size(), [&](size_t i) { return dataset.Load(examples[i]); },
      [&](size_t i) { return dataset.Describe(examples[i]); }, preprocessing, num_threads, source);
}

StatusOr<QuantizationReport> CompareWithFloat(const ir::Graph& float_graph, const QuantizedGraph& quantized,
                                              const std::vector<std::string>& images,
                                              const InputPreprocessing& preprocessing, int num_threads,
                                              const std::string& source) {
  // Decoded in the model's channels, as `edgeforge classify` decodes a photo.
  const bool gray = float_graph.tensor(float_graph.inputs[0]).shape.back() == 1;
  return Compare(
      float_graph, quantized, images.size(),
      [&](size_t i) { return LoadImage(images[i], gray ? ColorMode::kGray : ColorMode::kRgb); },
      [&](size_t i) { return images[i]; }, preprocessing, num_threads, source);
}

std::string FormatReport(const QuantizationReport& r, size_t max_layers) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "model size: %.2f MiB float -> %.2f MiB quantized (%.1fx smaller)\n",
                static_cast<double>(r.float_bytes) / (1 << 20), static_cast<double>(r.quantized_bytes) / (1 << 20),
                r.quantized_bytes ? static_cast<double>(r.float_bytes) / static_cast<double>(r.quantized_bytes) : 0.0);
  out += line;
  if (r.images == 0) {
    out += "no held-back images: accuracy not measured\n";
    return out;
  }
  std::snprintf(line, sizeof line, "top-1 agreement with the float model: %zu/%zu (%.1f%%) on held-back images\n",
                r.top1_agreements, r.images, 100.0 * r.top1_agreement());
  out += line;
  out += "output SQNR: " + FormatDb(r.output_sqnr_db) + " dB\n";
  std::snprintf(line, sizeof line, "worst layers (SQNR, float vs int8 activations):\n  %5s  %-20s  %9s  %s\n", "op",
                "type", "SQNR dB", "tensor");
  out += line;
  for (size_t i = 0; i < r.layers.size() && i < max_layers; ++i) {
    const LayerSqnr& l = r.layers[i];
    std::snprintf(line, sizeof line, "  %5d  %-20s  %9s  %s\n", l.op_index, l.op.c_str(), FormatDb(l.sqnr_db).c_str(),
                  ShortName(l.tensor).c_str());
    out += line;
  }
  return out;
}

}  // namespace edgeforge::quant
