// Quantization-aware training (--qat): fake quantization inserted into GraphModule's forward
// pass so the last epochs train the weights the int8 model will compute with.
//   * Weights of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: symmetric int8 per output
//     channel (ATen axis 0 for all three), of the batch-norm-folded weights where a BATCH_NORM
//     follows the op: during QAT batch norm uses its frozen moving statistics, so conv + BN is
//     exactly the folded affine op of the inference form (w' = w*g/sqrt(var+eps),
//     b' = beta - mean*g/sqrt(var+eps)); the BN step becomes adding b'.
//   * Activations: per-tensor asymmetric int8 at exactly the tensors that exist in the
//     inference form (ToInferenceForm keeps the names of surviving tensors), ranges an
//     exponential moving average of batch min/max (TF's MovingAverageQuantize, decay 0.99)
//     always holding 0. The input has the fixed pixel range, outputs of ops with fixed int8
//     parameters (LOGISTIC, SOFTMAX, TANH) use them, and ops whose output shares its input's
//     parameters (pooling, reshape, pad) reuse the input's.
//   * Straight-through estimator: gradients pass unchanged inside the range, zero outside.
// Rounding is TFLite's (half away from zero) and parameters come from core::ChooseAsymmetric,
// so a fake-quantized value is exactly what the int8 model's dequantized value would be.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "quant/calibrate.h"
#include "quant/int8_quantizer.h"
#include "train/ops_steps.h"

namespace edgeforge::train {

// x fake-quantized: (clamp(round(x / scale) + zp, qmin, qmax) - zp) * scale, with `scale` and
// `zero_point` tensors broadcasting against x (per tensor or per channel). Backward: the
// gradient where x lies inside [(qmin - zp) * scale, (qmax - zp) * scale], else 0.
torch::Tensor FakeQuantize(const torch::Tensor& x, const torch::Tensor& scale,
                           const torch::Tensor& zero_point, double qmin, double qmax);
// Per-tensor asymmetric int8 at the parameters core::ChooseAsymmetric gives [min, max].
torch::Tensor FakeQuantizeActivation(const torch::Tensor& x, float min, float max);
// Symmetric int8 in [-127, 127] with one scale max|w_c| / 127 per slice along dim 0.
torch::Tensor FakeQuantizeWeights(const torch::Tensor& w);

struct QatOptions {
  quant::ValueRange input_range{-1.0f, 1.0f};  // what any pixel maps to
  double decay = 0.99;
};

// The QAT state of one GraphModule; GraphModule calls the hooks from Forward.
class QatRuntime {
 public:
  // `training_graph` is the graph the module was created from.
  static StatusOr<std::unique_ptr<QatRuntime>> Create(const ir::Graph& training_graph,
                                                      const QatOptions& options);

  // After parameters and buffers are in `v`: fake-quantizes the input and the (folded) weights.
  void BeforeSteps(internal::Values& v, bool training);
  // Runs op `op_index` in QAT form when it has one (a folded BATCH_NORM adds b'); false when
  // the op's own step must run.
  bool RunInstead(int op_index, internal::Values& v) const;
  // After op `op_index`: fake-quantizes its outputs that the inference form keeps, updating
  // their moving ranges when `training`.
  void AfterOp(int op_index, internal::Values& v, bool training);

  // The moving ranges as [tensors, 3] (min, max, seen) for checkpoints.
  torch::Tensor State() const;
  Status LoadState(const torch::Tensor& state);

  // Ranges for every activation of `inference` (ToInferenceForm of the training graph, same
  // names); errors name a tensor QAT has no range for.
  StatusOr<quant::TensorRanges> RangesFor(const ir::Graph& inference) const;

  // Tensors (training graph) whose outputs are fake-quantized, for tests.
  std::vector<std::string> QuantizedTensorNames() const;

  ~QatRuntime();

 private:
  QatRuntime();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The int8 model of a QAT run: `inference` (ToInferenceForm of the EMA weights) quantized with
// the QAT ranges, HARD_SWISH rewritten and batch fixed to 1, so that it maps to the Edge TPU.
StatusOr<ir::Graph> ExportQatInt8(const ir::Graph& inference, const QatRuntime& qat, quant::IoType io);

}  // namespace edgeforge::train
