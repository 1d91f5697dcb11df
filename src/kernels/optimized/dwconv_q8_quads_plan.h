// Factory of the quads depthwise plan (AVX-512 / AVX-512 VNNI), used by
// QuantizedDepthwiseConv::Create.
#pragma once

#include <memory>

#include "kernels/optimized/dw_common.h"
#include "kernels/optimized/dwconv.h"

namespace edgeforge::kernels::optimized {

// nullptr when the quads kernels do not cover the spec: ISA below AVX-512, depth multiplier
// other than 1, TFLite's fixed-point output stage, kernels larger than 16x16, or channel
// counts whose weight period lcm(64, C) makes the packed weights too large.
std::unique_ptr<QuantizedDepthwiseConv> CreateQuadsDepthwise(const QuantizedDepthwiseSpec& spec,
                                                             core::Isa isa, int num_threads);

}  // namespace edgeforge::kernels::optimized
