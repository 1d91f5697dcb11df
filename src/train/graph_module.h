// Executes an ir::Graph (training form, see models/zoo.h; or an imported float .tflite) with
// ATen operations and autograd. Constants that are weights become trainable tensors; BATCH_NORM
// moving statistics become buffers. Activations are NCHW tensors in channels_last memory
// format, so convolutions take oneDNN's fast path (Debian's LibTorch otherwise falls back to a
// slow reference convolution); an NHWC float batch from the loader is exactly that layout.
//
// LibTorch types stay inside train/: c10::Error is caught at this boundary and becomes Status.
#pragma once

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::train {

class QatRuntime;
struct QatOptions;

struct Parameter {
  std::string name;    // the ir tensor name
  int tensor_index;    // index into the graph's tensors
  torch::Tensor value; // requires_grad; in ATen layout (see WriteBack)
  bool is_batch_norm = false;  // gamma / beta (no weight decay)
  bool trainable = true;       // false when frozen (transfer learning)
  double lr_scale = 1.0;       // the optimizer's step uses lr * lr_scale (fine-tuned backbones)
};

class GraphModule {
 public:
  // Validates that every op can be executed (names the op otherwise) and creates parameters
  // from the graph's float constants. `device` is torch::kCPU or torch::kCUDA.
  // `dtype` is the precision parameters and activations are computed in (kFloat32; kFloat64
  // for gradient checks in tests).
  static StatusOr<std::unique_ptr<GraphModule>> Create(const ir::Graph& graph,
                                                       torch::Device device,
                                                       torch::ScalarType dtype = torch::kFloat32);

  // images: [N, H, W, C] float (NHWC, as the loader gives it) on any device; returns the
  // logits [N, classes] (the input of the final SOFTMAX when the graph ends in one, else the
  // graph output flattened to [N, -1]). training: batch statistics + moving-average updates,
  // dropout active.
  StatusOr<torch::Tensor> Forward(const torch::Tensor& images, bool training);

  std::vector<Parameter>& parameters();
  // Named buffers (BN moving mean / variance): part of checkpoints and of the EMA.
  std::vector<std::pair<std::string, torch::Tensor>> buffers();
  // Freezes every parameter that comes before the op producing tensor `name`
  // (--unfreeze-from); error when no tensor has that name. The frozen prefix of the graph then
  // runs without autograd (no graph recorded, nothing kept for backward).
  Status FreezeBefore(const std::string& name);

  // Copies current parameter / buffer values back into the graph's constants (TFLite layouts),
  // e.g. after swapping in the EMA weights for export.
  Status WriteBack(ir::Graph* graph) const;

  // Quantization-aware training (train/qat.h): from now on Forward fake-quantizes weights
  // and activations, and every BATCH_NORM uses its frozen moving statistics (so conv + BN is
  // the folded op the int8 model computes). `graph` is the graph the module was created from.
  Status EnableQat(const ir::Graph& graph, const QatOptions& options);
  QatRuntime* qat();  // null until EnableQat

  ~GraphModule();

 private:
  GraphModule();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgeforge::train
