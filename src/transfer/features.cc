#include "transfer/features.h"

namespace edgeforge::transfer {

StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Create(std::shared_ptr<const ir::Graph> backbone,
                                                                     const std::string& source, int threads) {
  const ir::Graph& g = *backbone;
  const ir::Tensor& out = g.tensor(g.outputs.at(0));
  for (size_t d = 0; d + 1 < out.shape.size(); ++d) {
    if (out.shape[d] != 1) {
      return InvalidArgument(source + ": feature tensor '" + out.name + "' is " + ShapeToString(out.shape) +
                             "; head-only training needs one feature vector per image, [1,...,1,D] (cut at a "
                             "pooled tensor with --cut-at)");
    }
  }
  if (out.shape.empty() || (out.dtype != DType::kUInt8 && out.dtype != DType::kInt8 && out.dtype != DType::kFloat32)) {
    return InvalidArgument(source + ": feature tensor '" + out.name + "' must be uint8, int8 or float32, is " +
                           DTypeName(out.dtype));
  }
  auto e = std::make_unique<FeatureExtractor>();
  e->source_ = source;
  e->graph_ = std::move(backbone);
  e->dim_ = static_cast<int>(out.shape.back());
  e->color_mode_ = g.tensor(g.inputs[0]).shape[3] == 1 ? ColorMode::kGray : ColorMode::kRgb;
  EF_ASSIGN_OR_RETURN(e->interp_, runtime::Interpreter::Create(e->graph_, source, {threads}));
  return e;
}

Status FeatureExtractor::Compute(const Image& image, std::vector<uint8_t>* raw, std::vector<float>* values) {
  runtime::RtTensor& in = interp_->input(0);
  const Image resized = ResizeBilinear(image, static_cast<int>(in.shape()[2]), static_cast<int>(in.shape()[1]));
  EF_RETURN_IF_ERROR(ImageToTensor(resized, in.dtype(), in.quant(), graph_->metadata.input_mean,
                                   graph_->metadata.input_std, std::span<uint8_t>(in.data, in.bytes())));
  EF_RETURN_IF_ERROR(interp_->Invoke());
  const runtime::RtTensor& out = interp_->output(0);
  raw->assign(out.data, out.data + out.bytes());
  const QuantParams& q = out.quant();
  const float scale = q.empty() ? 1.f : q.scale[0];
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  values->resize(static_cast<size_t>(dim_));
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

StatusOr<FeatureSet> ComputeFeatures(FeatureExtractor& extractor, const std::vector<data::LabelledImage>& images,
                                     const std::vector<std::string>& class_names, const FeatureRequest& request,
                                     bool allow_empty_classes, std::FILE* log) {
  FeatureSet set;
  set.dim = extractor.dim();
  std::vector<int> per_class(class_names.size(), 0);
  std::mt19937 rng(request.seed);
  auto add = [&](const Image& image, const data::LabelledImage& from) -> Status {
    std::vector<uint8_t> raw;
    std::vector<float> values;
    EF_RETURN_IF_ERROR(extractor.Compute(image, &raw, &values));
    set.raw.push_back(std::move(raw));
    set.values.push_back(std::move(values));
    set.labels.push_back(from.label);
    set.paths.push_back(from.path);
    return Status::Ok();
  };
  for (const data::LabelledImage& img : images) {
    auto image = LoadImage(img.path, extractor.color_mode());
    if (!image.ok()) {
      // A broken photo among many should not stop training; it is named so it can be fixed.
      if (log) std::fprintf(log, "edgeforge: skipping unreadable image: %s\n", image.status().message().c_str());
      continue;
    }
    EF_RETURN_IF_ERROR(add(*image, img));
    for (int v = 0; v < request.augment_variants; ++v) {
      EF_RETURN_IF_ERROR(add(v < kFixedViews ? FixedView(*image, v + 1) : RandomCropAndFlip(*image, request.augment, rng), img));
    }
    per_class[static_cast<size_t>(img.label)]++;
  }
  if (!allow_empty_classes) {
    for (size_t c = 0; c < per_class.size(); ++c) {
      if (per_class[c] == 0) return InvalidArgument("class '" + class_names[c] + "' has no readable image");
    }
  }
  return set;
}

}  // namespace edgeforge::transfer
