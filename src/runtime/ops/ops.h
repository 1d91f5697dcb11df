// Factories of the reference op kernels, one source file each in this folder. Each file holds
// the op's Prepare (validation and precomputation from ir options and quantization) and Eval
// (a call into kernels/reference). The math itself lives in kernels/, which knows nothing of
// the IR.
#pragma once

#include <memory>

#include "runtime/op_kernel.h"

namespace edgeforge::runtime::ops {
std::unique_ptr<OpKernel> MakeConv2D();
std::unique_ptr<OpKernel> MakeDepthwiseConv2D();
std::unique_ptr<OpKernel> MakeFullyConnected();
std::unique_ptr<OpKernel> MakeAdd();
std::unique_ptr<OpKernel> MakeSub();
std::unique_ptr<OpKernel> MakeMul();
std::unique_ptr<OpKernel> MakeAveragePool2D();
std::unique_ptr<OpKernel> MakeMaxPool2D();
std::unique_ptr<OpKernel> MakeMean();
std::unique_ptr<OpKernel> MakeReshape();  // RESHAPE and SQUEEZE (a byte copy)
std::unique_ptr<OpKernel> MakeSoftmax();
std::unique_ptr<OpKernel> MakeLogistic();
std::unique_ptr<OpKernel> MakeTanh();
std::unique_ptr<OpKernel> MakeRelu();
std::unique_ptr<OpKernel> MakeRelu6();
std::unique_ptr<OpKernel> MakeHardSwish();
std::unique_ptr<OpKernel> MakePad();
std::unique_ptr<OpKernel> MakeConcatenation();
std::unique_ptr<OpKernel> MakeSplit();
std::unique_ptr<OpKernel> MakeQuantize();
std::unique_ptr<OpKernel> MakeDequantize();
std::unique_ptr<OpKernel> MakeL2Normalization();
std::unique_ptr<OpKernel> MakeResizeBilinear();
std::unique_ptr<OpKernel> MakeResizeNearestNeighbor();
std::unique_ptr<OpKernel> MakeArgMax();
std::unique_ptr<OpKernel> MakeCast();
}  // namespace edgeforge::runtime::ops
