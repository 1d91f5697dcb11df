#include "data/model_input.h"

#include <utility>

namespace edgeforge::data {

size_t ModelInput::byte_size() const {
  return static_cast<size_t>(width) * height * channels * DTypeSize(dtype);
}

StatusOr<ModelInput> DescribeImageInput(const std::string& source, const std::string& tensor_name,
                                        const Shape& shape, DType dtype, QuantParams quant,
                                        std::vector<float> mean, std::vector<float> std) {
  const std::string what = source + ": input '" + tensor_name + "'";
  if (shape.size() != 4 || shape[0] != 1 || shape[1] < 1 || shape[2] < 1 ||
      (shape[3] != 1 && shape[3] != 3)) {
    return InvalidArgument(what + " has shape " + ShapeToString(shape) +
                           "; an image classifier needs [1,H,W,1] or [1,H,W,3]");
  }
  if (dtype != DType::kFloat32 && dtype != DType::kUInt8 && dtype != DType::kInt8) {
    return Unimplemented(what + " is " + std::string(DTypeName(dtype)) +
                         "; images feed float32, uint8 or int8 inputs");
  }
  ModelInput input;
  input.height = shape[1];
  input.width = shape[2];
  input.channels = shape[3];
  input.dtype = dtype;
  input.quant = std::move(quant);
  input.mean = std::move(mean);
  input.std = std::move(std);
  return input;
}

StatusOr<Image> DecodeForModelInput(std::span<const uint8_t> bytes, const std::string& source_name,
                                    const ModelInput& input) {
  EF_ASSIGN_OR_RETURN(Image image, DecodeImage(bytes, source_name, input.color_mode()));
  return ResizeBilinear(image, input.width, input.height);
}

StatusOr<Image> LoadForModelInput(const std::string& path, const ModelInput& input) {
  EF_ASSIGN_OR_RETURN(Image image, LoadImage(path, input.color_mode()));
  return ResizeBilinear(image, input.width, input.height);
}

Status WriteModelInput(const Image& sized, const ModelInput& input, std::span<uint8_t> tensor) {
  return ImageToTensor(sized, input.dtype, input.quant, input.mean, input.std, tensor);
}

StatusOr<std::vector<uint8_t>> ModelInputBytes(const Image& image, const ModelInput& input) {
  if (image.channels != input.channels) {
    return InvalidArgument("an image with " + std::to_string(image.channels) +
                           " channels cannot feed a " + std::to_string(input.channels) +
                           "-channel input (convert it first)");
  }
  const Image resized = ResizeBilinear(image, input.width, input.height);
  std::vector<uint8_t> bytes(input.byte_size());
  EF_RETURN_IF_ERROR(WriteModelInput(resized, input, bytes));
  return bytes;
}

}  // namespace edgeforge::data
