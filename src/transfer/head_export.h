// The models head-only transfer learning writes: the cut backbone with the new head appended,
// in float and in the backbone's 8-bit type. See head_only.h for why the 8-bit model keeps the
// quantized backbone rather than re-quantizing the float model.
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ondevice/classifier_head.h"
#include "transfer/head_cut.h"

namespace edgeforge::transfer {

bool IsQuantizedBackbone(const HeadCut& cut);

// Float32 backbone (dequantized when it is 8-bit: ir::DequantizeGraph, which records the input
// preprocessing in the metadata) -> FULLY_CONNECTED -> SOFTMAX; labels in the metadata.
StatusOr<ir::Graph> BuildFloatModel(const HeadCut& cut, const ondevice::ClassifierHead& head,
                                    const std::vector<std::string>& labels);

// An 8-bit backbone -> FULLY_CONNECTED -> SOFTMAX in the backbone's type, then a QUANTIZE to the
// pretrained model's output type when that differed (TF2 int8 models with uint8 output), so the
// new model is fed and read like the pretrained one.
StatusOr<ir::Graph> BuildQuantizedModel(const HeadCut& cut, const ondevice::ClassifierHead& head,
                                        const std::vector<std::string>& labels);

}  // namespace edgeforge::transfer
