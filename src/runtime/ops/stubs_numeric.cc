// Placeholder factories: removed as each op gets its real file.
#include "runtime/ops/ops.h"
namespace edgeforge::runtime::ops {
std::unique_ptr<OpKernel> MakeConv2D() { return nullptr; }
std::unique_ptr<OpKernel> MakeDepthwiseConv2D() { return nullptr; }
std::unique_ptr<OpKernel> MakeFullyConnected() { return nullptr; }
std::unique_ptr<OpKernel> MakeAdd() { return nullptr; }
std::unique_ptr<OpKernel> MakeSub() { return nullptr; }
std::unique_ptr<OpKernel> MakeMul() { return nullptr; }
std::unique_ptr<OpKernel> MakeAveragePool2D() { return nullptr; }
std::unique_ptr<OpKernel> MakeMaxPool2D() { return nullptr; }
std::unique_ptr<OpKernel> MakeMean() { return nullptr; }
std::unique_ptr<OpKernel> MakeSoftmax() { return nullptr; }
std::unique_ptr<OpKernel> MakeQuantize() { return nullptr; }
std::unique_ptr<OpKernel> MakeDequantize() { return nullptr; }
}  // namespace edgeforge::runtime::ops
