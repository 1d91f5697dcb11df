// A minimal program using only edgeforge's installed API: classify one photo, print the
// top-5 as "index score".
#include <edgeforge/image.h>
#include <edgeforge/interpreter.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MODEL.tflite IMAGE\n", argv[0]);
    return 2;
  }
  auto model = edgeforge::Model::FromFile(argv[1]);
  if (!model.ok()) return std::fprintf(stderr, "%s\n", model.status().message().c_str()), 1;
  auto interp = edgeforge::Interpreter::Create(model.value());
  if (!interp.ok()) return std::fprintf(stderr, "%s\n", interp.status().message().c_str()), 1;
  auto image = edgeforge::LoadImage(argv[2]);
  if (!image.ok()) return std::fprintf(stderr, "%s\n", image.status().message().c_str()), 1;

  edgeforge::TensorInfo in = interp.value()->input_info(0);
  edgeforge::Image resized = edgeforge::ResizeBilinear(image.value(), in.shape[2], in.shape[1]);
  edgeforge::Status s = edgeforge::ImageToTensor(resized, in.dtype, in.quant, model.value()->input_mean(),
                                                 model.value()->input_std(), interp.value()->input_bytes(0));
  if (s.ok()) s = interp.value()->Invoke();
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;

  std::vector<float> scores = interp.value()->OutputAsFloat(0);
  for (const auto& c : edgeforge::TopK(scores, 5)) std::printf("%d %.6f\n", c.index, c.score);
  return 0;
}
