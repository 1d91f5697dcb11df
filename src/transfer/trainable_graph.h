// A pretrained .tflite made trainable for fine-tuning (`edgeforge train --from X --fine-tune`):
// its classifier head cut off (head_cut.h), every weight dequantized to float32
// (ir/dequantize_pass.h), and a new training-form head for the dataset's classes appended
// behind the feature: [MEAN over H, W when the feature is spatial] -> DROPOUT ->
// FULLY_CONNECTED + bias -> SOFTMAX (see models/zoo.h for the training form). Batch norm is
// already folded into the published convolutions, so fine-tuning trains folded weights and
// biases, as TFLite Model Maker's fine-tuning of a converted model would.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::transfer {

// Every tensor of the new head is named with this prefix (the rest is the pretrained backbone).
inline constexpr const char* kTransferHeadPrefix = "transfer_head/";

struct TrainableTransferGraph {
  ir::Graph graph;           // float, training form, output = SOFTMAX of the new head
  std::string feature_name;  // where the backbone ends (the new head's input)
  int image_size = 0;        // the pretrained input's height (= width)
  int channels = 0;
};

// `labels` become the metadata labels; the head's weights are drawn from `seed`. Errors name
// `source`: no recognisable head (without `cut_at`), an input that is not [1, S, S, C] square.
StatusOr<TrainableTransferGraph> MakeTrainableTransferGraph(const ir::Graph& pretrained,
                                                            const std::string& cut_at,
                                                            const std::vector<std::string>& labels,
                                                            float dropout, uint64_t seed,
                                                            const std::string& source);

}  // namespace edgeforge::transfer
