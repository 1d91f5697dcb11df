// Reference kernels of RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on NHWC tensors
// [batch, height, width, channels], with TFLite's align_corners / half_pixel_centers
// coordinate mappings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgeforge::kernels::reference {

struct ResizeParams {
  int32_t batch = 1;
  int32_t input_height = 1;
  int32_t input_width = 1;
  int32_t channels = 1;
  int32_t output_height = 1;
  int32_t output_width = 1;
  bool align_corners = false;
  bool half_pixel_centers = false;  // bilinear: not together with align_corners
};

// Bilinear resize as the TFLite runtime computes it (its XNNPACK delegate, measured byte for
// byte): per output row/column a source position in float32, its two neighbours and the
// fraction alpha between them; float32 lerps horizontally then vertically, 8-bit tensors do the
// same in integers with alpha rounded to 1/2048 (raw values: quantization must not change).
void ResizeBilinear(const ResizeParams& params, const float* input, float* output);
void ResizeBilinear(const ResizeParams& params, const uint8_t* input, uint8_t* output);
void ResizeBilinear(const ResizeParams& params, const int8_t* input, int8_t* output);

// One output coordinate's neighbours along an axis. Exposed for tests.
struct BilinearTap {
  int32_t lower = 0;
  int32_t upper = 0;
  float alpha = 0;        // weight of `upper`, in [0, 1)
  int32_t alpha_q11 = 0;  // lrintf(alpha · 2048)
};
std::vector<BilinearTap> BilinearTaps(int32_t input_size, int32_t output_size, bool align_corners,
                                      bool half_pixel_centers);

// Source index of output index `out` along one axis (TFLite's GetNearestNeighbor).
int32_t NearestNeighborSource(int32_t out, int32_t input_size, int32_t output_size,
                              bool align_corners, bool half_pixel_centers);

// Nearest neighbour copies whole elements, so it works on bytes for every element type.
void ResizeNearestNeighbor(const ResizeParams& params, size_t element_size, const uint8_t* input,
                           uint8_t* output);

}  // namespace edgeforge::kernels::reference
