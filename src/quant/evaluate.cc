#include "quant/evaluate.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "data/augment.h"
#include "edgeforge/image.h"
#include "edgeforge/interpreter.h"
#include "runtime/interpreter.h"
#include "tflite/reader.h"

namespace edgeforge::quant {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// output index -> dataset class (-1: none). See the header for the rule.
StatusOr<std::vector<int>> MatchOutputsToClasses(const std::vector<std::string>& model_labels, size_t outputs,
                                                 const std::vector<std::string>& class_names,
                                                 const std::string& source, std::FILE* warnings) {
  std::vector<int> class_of_output(outputs, -1);
  if (model_labels.empty()) {
    if (outputs != class_names.size()) {
      return InvalidArgument(source + ": the model has " + std::to_string(outputs) + " outputs and no labels, the dataset " +
                             std::to_string(class_names.size()) +
                             " classes: give the model's labels (--labels FILE) so classes can be matched by name");
    }
    for (size_t k = 0; k < outputs; ++k) class_of_output[k] = static_cast<int>(k);
    return class_of_output;
  }
  std::map<std::string, int> class_by_name;
  for (size_t c = 0; c < class_names.size(); ++c) class_by_name.emplace(Lower(class_names[c]), static_cast<int>(c));
  size_t matched = 0;
  for (size_t k = 0; k < outputs && k < model_labels.size(); ++k) {
    auto it = class_by_name.find(Lower(model_labels[k]));
    if (it != class_by_name.end()) {
      class_of_output[k] = it->second;
      ++matched;
    }
  }
  if (matched == 0 && outputs == class_names.size()) {
    // Same count, different names ("0".."9" vs "zero".."nine"): the order is the best guess.
    if (warnings != nullptr) {
      std::fprintf(warnings, "edgeforge: warning: %s: no model label names a dataset class; matching the %zu "
                   "outputs to the classes by position\n", source.c_str(), outputs);
    }
    for (size_t k = 0; k < outputs; ++k) class_of_output[k] = static_cast<int>(k);
    return class_of_output;
  }
  if (matched == 0) {
    return InvalidArgument(source + ": none of the model's " + std::to_string(model_labels.size()) +
                           " labels names a dataset class (" + class_names.front() + ", ...)");
  }
  return class_of_output;
}

void OutputToFloat(const runtime::RtTensor& t, std::vector<float>& out) {
  const size_t n = static_cast<size_t>(t.num_elements());
  out.resize(n);
  const QuantParams& q = t.quant();
  const float scale = q.scale.empty() ? 1.0f : q.scale[0];
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  for (size_t k = 0; k < n; ++k) {
    switch (t.dtype()) {
      case DType::kUInt8: out[k] = scale * static_cast<float>(t.as<uint8_t>()[k] - zp); break;
      case DType::kInt8: out[k] = scale * static_cast<float>(t.as<int8_t>()[k] - zp); break;
      default: out[k] = t.as<float>()[k]; break;  // float32, checked before
    }
  }
}

}  // namespace

StatusOr<EvaluationResult> EvaluateModel(std::shared_ptr<const ir::Graph> graph, const std::string& source,
                                         const data::Dataset& dataset, const std::vector<size_t>& indices,
                                         const EvaluationOptions& options) {
  if (graph->inputs.size() != 1 || graph->outputs.size() != 1) {
    return InvalidArgument(source + ": evaluation needs a model with one input and one output, not " +
                           std::to_string(graph->inputs.size()) + " and " + std::to_string(graph->outputs.size()));
  }
  const ir::Tensor& input = graph->tensor(graph->inputs[0]);
  EF_RETURN_IF_ERROR(CheckImageInput(input, source));
  const ir::Tensor& output = graph->tensor(graph->outputs[0]);
  if (output.dtype != DType::kFloat32 && output.dtype != DType::kUInt8 && output.dtype != DType::kInt8) {
    return InvalidArgument(source + ": output '" + output.name + "' is " + DTypeName(output.dtype) +
                           "; evaluation needs float32, uint8 or int8 class scores");
  }
  const size_t num_outputs = static_cast<size_t>(NumElements(output.shape));
  const int channels = input.shape[3];
  InputPreprocessing preprocessing = options.preprocessing.value_or(
      InputPreprocessing{graph->metadata.input_mean, graph->metadata.input_std});
  EF_RETURN_IF_ERROR(CheckPreprocessing(preprocessing, channels).WithContext(source));
  const std::vector<std::string>& model_labels =
      !options.model_labels.empty() ? options.model_labels : graph->metadata.labels;
  EF_ASSIGN_OR_RETURN(std::vector<int> class_of_output,
                      MatchOutputsToClasses(model_labels, num_outputs, dataset.class_names(), source, options.warnings));

  runtime::InterpreterOptions interpreter_options;
  interpreter_options.num_threads = options.num_threads;
  EF_ASSIGN_OR_RETURN(std::unique_ptr<runtime::Interpreter> interpreter,
                      runtime::Interpreter::Create(graph, source, interpreter_options));

  EvaluationResult result;
  result.class_names = dataset.class_names();
  const size_t num_classes = result.class_names.size();
  result.class_total.assign(num_classes, 0);
  result.class_correct.assign(num_classes, 0);
  result.has_other_column = std::count(class_of_output.begin(), class_of_output.end(), -1) > 0;
  result.confusion.assign(num_classes, std::vector<size_t>(num_classes + (result.has_other_column ? 1 : 0), 0));

  std::vector<size_t> order = indices;
  if (order.empty()) {
    order.resize(dataset.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  }
  if (options.limit > 0 && order.size() > options.limit) order = data::InterleaveClasses(dataset, order, options.limit);

  runtime::RtTensor& input_tensor = interpreter->input(0);
  const std::span<uint8_t> input_bytes(input_tensor.data, input_tensor.bytes());
  std::vector<float> scores;
  for (size_t index : order) {
    if (index >= dataset.size()) {
      return InvalidArgument("example " + std::to_string(index) + " is outside the dataset's " +
                             std::to_string(dataset.size()));
    }
    StatusOr<Image> image = dataset.Load(index);
    if (!image.ok()) {
      ++result.skipped;
      if (options.warnings != nullptr) {
        // Dataset errors usually start with the example's name already.
        const std::string name = dataset.Describe(index);
        const std::string& message = image.status().message();
        const bool named = message.find(name) != std::string::npos;
        std::fprintf(options.warnings, "edgeforge: warning: skipping %s%s%s\n", named ? "" : name.c_str(),
                     named ? "" : ": ", message.c_str());
      }
      continue;
    }
    const Image resized =
        ResizeBilinear(data::ConvertChannels(image.value(), channels), input.shape[2], input.shape[1]);
    EF_RETURN_IF_ERROR(ImageToTensor(resized, input.dtype, input.quant, preprocessing.mean, preprocessing.std,
                                     input_bytes)
                           .WithContext(dataset.Describe(index)));
    EF_RETURN_IF_ERROR(interpreter->Invoke());
    OutputToFloat(interpreter->output(0), scores);

    const std::vector<Classification> top = TopK(scores, 5);
    const int label = dataset.label(index);
    const int predicted = class_of_output[static_cast<size_t>(top[0].index)];
    ++result.evaluated;
    ++result.class_total[static_cast<size_t>(label)];
    if (predicted == label) {
      ++result.top1_correct;
      ++result.class_correct[static_cast<size_t>(label)];
    }
    for (const Classification& c : top) {
      if (class_of_output[static_cast<size_t>(c.index)] == label) {
        ++result.top5_correct;
        break;
      }
    }
    ++result.confusion[static_cast<size_t>(label)][predicted >= 0 ? static_cast<size_t>(predicted) : num_classes];
    result.predictions.push_back({index, label, top[0].index, predicted, top[0].score});
  }
  if (result.evaluated == 0) {
    return InvalidArgument(dataset.Summary() + ": no example could be evaluated (" + std::to_string(result.skipped) +
                           " skipped)");
  }
  return result;
}

StatusOr<EvaluationResult> EvaluateModel(const std::string& model_path, const data::Dataset& dataset,
                                         const std::vector<size_t>& indices, const EvaluationOptions& options) {
  EF_ASSIGN_OR_RETURN(ir::Graph graph, tflite::ReadModelFile(model_path));
  return EvaluateModel(std::make_shared<const ir::Graph>(std::move(graph)), model_path, dataset, indices, options);
}

std::string FormatEvaluation(const EvaluationResult& r) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "images: %zu evaluated, %zu skipped\ntop-1: %.2f %% (%zu)\ntop-5: %.2f %% (%zu)\n",
                r.evaluated, r.skipped, 100 * r.top1(), r.top1_correct, 100 * r.top5(), r.top5_correct);
  out += line;
  size_t name_width = 5;
  for (size_t c = 0; c < r.class_names.size(); ++c) {
    name_width = std::max(name_width, std::to_string(c).size() + 1 + r.class_names[c].size());
  }
  out += "per class:\n";
  for (size_t c = 0; c < r.class_names.size(); ++c) {
    if (r.class_total[c] == 0) {
      std::snprintf(line, sizeof line, "  %-*s       -    (0 / 0)\n", static_cast<int>(name_width), r.class_names[c].c_str());
    } else {
      std::snprintf(line, sizeof line, "  %-*s  %6.2f %%  (%zu / %zu)\n", static_cast<int>(name_width),
                    r.class_names[c].c_str(), 100 * r.class_accuracy(c), r.class_correct[c], r.class_total[c]);
    }
    out += line;
  }
  out += "confusion matrix (rows: true class, columns: predicted class";
  out += r.has_other_column ? "; last column: outputs that are no dataset class):\n" : "):\n";
  std::snprintf(line, sizeof line, "  %-*s", static_cast<int>(name_width), "");
  out += line;
  const size_t columns = r.confusion.empty() ? 0 : r.confusion[0].size();
  for (size_t c = 0; c < columns; ++c) {
    std::snprintf(line, sizeof line, " %6s", c < r.class_names.size() ? std::to_string(c).c_str() : "other");
    out += line;
  }
  out += "\n";
  for (size_t t = 0; t < r.confusion.size(); ++t) {
    std::snprintf(line, sizeof line, "  %-*s", static_cast<int>(name_width), (std::to_string(t) + " " + r.class_names[t]).c_str());
    out += line;
    for (size_t count : r.confusion[t]) {
      std::snprintf(line, sizeof line, " %6zu", count);
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace edgeforge::quant
