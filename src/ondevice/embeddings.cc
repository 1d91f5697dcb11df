#include "ondevice/embeddings.h"

#include <cstring>

#include "edgeforge/image.h"
#include "tflite/reader.h"

namespace edgeforge::ondevice {

StatusOr<std::unique_ptr<EmbeddingExtractor>> EmbeddingExtractor::Open(const std::string& path, int threads) {
  EF_ASSIGN_OR_RETURN(ir::Graph graph, tflite::ReadModelFile(path));
  auto e = std::make_unique<EmbeddingExtractor>();
  e->path_ = path;
  e->graph_ = std::make_shared<const ir::Graph>(std::move(graph));
  const ir::Graph& g = *e->graph_;
  if (g.inputs.size() != 1) {
    return InvalidArgument(path + ": an embedding extractor has one image input, this model has " +
                           std::to_string(g.inputs.size()));
  }
  const ir::Tensor& in = g.tensor(g.inputs[0]);
  if (in.shape.size() != 4 || in.shape[0] != 1 || (in.shape[3] != 1 && in.shape[3] != 3)) {
    return InvalidArgument(path + ": input '" + in.name + "' is " + ShapeToString(in.shape) +
                           "; an image extractor takes [1,H,W,3] or [1,H,W,1]");
  }
  const ir::Tensor& out = g.tensor(g.outputs[0]);
  for (size_t d = 0; d + 1 < out.shape.size(); ++d) {
    if (out.shape[d] != 1) {
      return InvalidArgument(path + ": output '" + out.name + "' is " + ShapeToString(out.shape) +
                             "; an embedding extractor's output is [1,...,1,D]");
    }
  }
  if (out.shape.empty() || (out.dtype != DType::kUInt8 && out.dtype != DType::kInt8 && out.dtype != DType::kFloat32)) {
    return InvalidArgument(path + ": output '" + out.name + "' must be a uint8, int8 or float32 vector");
  }
  for (const ir::Op& op : g.ops) {
    for (int t : op.outputs) {
      if (t == g.outputs[0] && op.type == ir::OpType::kSoftmax) {
        return InvalidArgument(path + ": ends with SOFTMAX, so it is a classifier; give the model's embedding "
                               "extractor (the network without its classification layer)");
      }
    }
  }
  e->dim_ = out.shape.back();
  EF_ASSIGN_OR_RETURN(e->interp_, runtime::Interpreter::Create(e->graph_, path, {threads}));
  return e;
}

Status EmbeddingExtractor::Embed(const std::string& image_path, std::vector<uint8_t>* raw,
                                 std::vector<float>* values) {
  runtime::RtTensor& in = interp_->input(0);
  const ColorMode mode = in.shape()[3] == 1 ? ColorMode::kGray : ColorMode::kRgb;
  EF_ASSIGN_OR_RETURN(Image image, LoadImage(image_path, mode));
  Image resized = ResizeBilinear(image, in.shape()[2], in.shape()[1]);
  const ir::Graph& g = *graph_;
  EF_RETURN_IF_ERROR(ImageToTensor(resized, in.dtype(), in.quant(), g.metadata.input_mean, g.metadata.input_std,
                                   std::span<uint8_t>(in.data, in.bytes())));
  EF_RETURN_IF_ERROR(interp_->Invoke());
  const runtime::RtTensor& out = interp_->output(0);
  raw->assign(out.data, out.data + out.bytes());
  values->resize(static_cast<size_t>(dim_));
  const QuantParams& q = out.quant();
  const float scale = q.empty() ? 1.f : q.scale[0];
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  for (int i = 0; i < dim_; ++i) {
    float v;
    switch (out.dtype()) {
      case DType::kUInt8: v = scale * static_cast<float>(out.as<uint8_t>()[i] - zp); break;
      case DType::kInt8: v = scale * static_cast<float>(out.as<int8_t>()[i] - zp); break;
      default: v = out.as<float>()[i]; break;
    }
    (*values)[static_cast<size_t>(i)] = v;
  }
  return Status::Ok();
}

StatusOr<EmbeddingSet> EmbedAll(EmbeddingExtractor& extractor, const data::LabelledImages& images, std::FILE* log) {
  EmbeddingSet set;
  set.dim = extractor.dim();
  std::vector<int> per_class(images.class_names.size(), 0);
  for (const data::LabelledImage& img : images.images) {
    std::vector<uint8_t> raw;
    std::vector<float> values;
    Status s = extractor.Embed(img.path, &raw, &values);
    if (!s.ok()) {
      if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kUnimplemented ||
          s.code() == StatusCode::kNotFound) {
        if (log) std::fprintf(log, "edgeforge: skipping unreadable image: %s\n", s.message().c_str());
        continue;
      }
      return s;
    }
    set.raw.push_back(std::move(raw));
    set.values.push_back(std::move(values));
    set.labels.push_back(img.label);
    set.paths.push_back(img.path);
    per_class[static_cast<size_t>(img.label)]++;
  }
  for (size_t c = 0; c < per_class.size(); ++c) {
    if (per_class[c] == 0) {
      return InvalidArgument("class '" + images.class_names[c] + "' has no readable image");
    }
  }
  return set;
}

}  // namespace edgeforge::ondevice
