#include "serve/image_input.h"

namespace edgeforge::serve {

StatusOr<ImageInputSpec> ImageInputSpecFor(const Model& model) {
  const std::vector<TensorInfo> inputs = model.inputs();
  if (inputs.empty()) return InvalidArgument(model.source() + ": model has no inputs");
  const TensorInfo& in = inputs[0];
  if (in.shape.size() != 4 || in.shape[0] != 1 || (in.shape[3] != 1 && in.shape[3] != 3)) {
    return InvalidArgument(model.source() + ": input 0 '" + in.name + "' has shape " +
                           ShapeToString(in.shape) +
                           "; an image classifier needs [1,H,W,1] or [1,H,W,3]");
  }
  ImageInputSpec spec;
  spec.height = in.shape[1];
  spec.width = in.shape[2];
  spec.mode = in.shape[3] == 1 ? ColorMode::kGray : ColorMode::kRgb;
  spec.dtype = in.dtype;
  spec.quant = in.quant;
  spec.mean = model.input_mean();
  spec.std = model.input_std();
  return spec;
}

StatusOr<Image> DecodeForInput(std::span<const uint8_t> bytes, const std::string& source_name,
                               const ImageInputSpec& spec) {
  EF_ASSIGN_OR_RETURN(Image image, DecodeImage(bytes, source_name, spec.mode));
  return ResizeBilinear(image, spec.width, spec.height);
}

Status WriteInputTensor(const Image& resized, const ImageInputSpec& spec,
                        std::span<uint8_t> tensor) {
  return ImageToTensor(resized, spec.dtype, spec.quant, spec.mean, spec.std, tensor);
}

}  // namespace edgeforge::serve
