// Placeholder factories: removed as each op gets its real file.
#include "runtime/ops/ops.h"
namespace edgeforge::runtime::ops {
std::unique_ptr<OpKernel> MakeReshape() { return nullptr; }
std::unique_ptr<OpKernel> MakeLogistic() { return nullptr; }
std::unique_ptr<OpKernel> MakeTanh() { return nullptr; }
std::unique_ptr<OpKernel> MakeRelu() { return nullptr; }
std::unique_ptr<OpKernel> MakeRelu6() { return nullptr; }
std::unique_ptr<OpKernel> MakeHardSwish() { return nullptr; }
std::unique_ptr<OpKernel> MakePad() { return nullptr; }
std::unique_ptr<OpKernel> MakeConcatenation() { return nullptr; }
std::unique_ptr<OpKernel> MakeSplit() { return nullptr; }
std::unique_ptr<OpKernel> MakeL2Normalization() { return nullptr; }
std::unique_ptr<OpKernel> MakeResizeBilinear() { return nullptr; }
std::unique_ptr<OpKernel> MakeResizeNearestNeighbor() { return nullptr; }
std::unique_ptr<OpKernel> MakeArgMax() { return nullptr; }
std::unique_ptr<OpKernel> MakeCast() { return nullptr; }
}  // namespace edgeforge::runtime::ops
