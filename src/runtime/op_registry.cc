#include "runtime/op_kernel.h"
#include "runtime/ops/hybrid_ops.h"
#include "runtime/ops/ops.h"

namespace edgeforge::runtime {

std::unique_ptr<OpKernel> CreateReferenceKernel(ir::OpType type) {
  using ir::OpType;
  switch (type) {
    case OpType::kConv2D: return ops::WithHybrid(ops::MakeConv2D(), ops::MakeHybridConv2D(), 2);
    case OpType::kDepthwiseConv2D: return ops::WithHybrid(ops::MakeDepthwiseConv2D(), ops::MakeHybridDepthwiseConv2D(), 4);
    case OpType::kFullyConnected: return ops::WithHybrid(ops::MakeFullyConnected(), ops::MakeHybridFullyConnected(), 3);
    case OpType::kAdd: return ops::MakeAdd();
    case OpType::kSub: return ops::MakeSub();
    case OpType::kMul: return ops::MakeMul();
    case OpType::kAveragePool2D: return ops::MakeAveragePool2D();
    case OpType::kMaxPool2D: return ops::MakeMaxPool2D();
    case OpType::kMean: return ops::MakeMean();
    case OpType::kReshape: return ops::MakeReshape();
    case OpType::kSqueeze: return ops::MakeReshape();
    case OpType::kSoftmax: return ops::MakeSoftmax();
    case OpType::kLogistic: return ops::MakeLogistic();
    case OpType::kTanh: return ops::MakeTanh();
    case OpType::kRelu: return ops::MakeRelu();
    case OpType::kRelu6: return ops::MakeRelu6();
    case OpType::kHardSwish: return ops::MakeHardSwish();
    case OpType::kPad: return ops::MakePad();
    case OpType::kConcatenation: return ops::MakeConcatenation();
    case OpType::kSplit: return ops::MakeSplit();
    case OpType::kQuantize: return ops::MakeQuantize();
    case OpType::kDequantize: return ops::MakeDequantize();
    case OpType::kL2Normalization: return ops::MakeL2Normalization();
    case OpType::kResizeBilinear: return ops::MakeResizeBilinear();
    case OpType::kResizeNearestNeighbor: return ops::MakeResizeNearestNeighbor();
    case OpType::kArgMax: return ops::MakeArgMax();
    case OpType::kCast: return ops::MakeCast();
    case OpType::kBatchNorm:
    case OpType::kDropout:
    case OpType::kUnsupportedBuiltin:
    case OpType::kCustom:
      return nullptr;
  }
  return nullptr;
}

}  // namespace edgeforge::runtime
