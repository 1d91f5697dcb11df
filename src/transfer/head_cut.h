// Finding and cutting off the classifier head of a pretrained .tflite, so that what is left is a
// backbone whose output is the feature vector a new head reads. Used by head-only transfer
// learning (src/transfer/head_only.h) and by the fine-tune path, which imports the backbone into
// the trainer; it knows nothing about training.
//
// Recognised heads, found by walking back from the model's output over SOFTMAX, RESHAPE,
// SQUEEZE, QUANTIZE and DEQUANTIZE:
//   * the last FULLY_CONNECTED (Keras / TF2 classifiers): the feature is its input;
//   * a 1x1 CONV_2D on a [1,1,1,C] tensor followed by RESHAPE or SQUEEZE (TF-Slim MobileNet V1/V2,
//     the Coral models): the feature is the pooled [1,1,1,C] tensor;
//   * none, for a feature extractor (output [1,...,1,D], no SOFTMAX at the end, e.g. Coral's
//     mobilenet_v1_1.0_224_quant_embedding_extractor): the feature is the output itself
//     (before a trailing QUANTIZE / DEQUANTIZE, which would only change its type).
// A tensor named with `cut_at` overrides the search.
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::transfer {

enum class HeadKind {
  kFullyConnected,  // ... -> FULLY_CONNECTED [-> RESHAPE] [-> SOFTMAX] [-> (DE)QUANTIZE]
  kConv1x1,         // ... -> CONV_2D 1x1 -> RESHAPE|SQUEEZE [-> SOFTMAX] [-> (DE)QUANTIZE]
  kNone,            // a feature extractor: nothing to cut
  kCutAt,           // the tensor the user named
};
const char* HeadKindName(HeadKind kind);

struct HeadCut {
  HeadKind kind = HeadKind::kNone;
  // The pretrained graph up to the feature tensor: the ops that compute it (in their order),
  // the tensors they use, output 0 = the feature. Labels of the old classes are dropped; input
  // preprocessing metadata is kept.
  ir::Graph backbone;
  int feature = -1;          // index of the feature tensor in `backbone`
  std::string feature_name;  // its name (for messages and --cut-at)
  std::vector<std::string> removed_ops;  // op names of the cut head, in execution order
  // The pretrained model's output tensor (type and quantization), so the new head can give
  // its probabilities in the same type (uint8 for TF2 full-integer models with uint8 I/O).
  ir::Tensor original_output;
};

// `source` (the file name) starts every error message. Errors: a graph without exactly one
// input and one output; `cut_at` naming no tensor, a constant or the graph input; no
// recognisable head and no `cut_at` (the message lists the last ops and asks for --cut-at).
StatusOr<HeadCut> CutHead(const ir::Graph& pretrained, const std::string& cut_at, const std::string& source);

// The graph truncated so that `tensor` is its only output: the ops `tensor` depends on, in their
// order, and only the tensors those ops, the input and the output use. Returns the truncated
// graph and, through `new_index`, where `tensor` went.
ir::Graph TruncateAt(const ir::Graph& graph, int tensor, int* new_index);

}  // namespace edgeforge::transfer
