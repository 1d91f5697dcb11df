// Validation helpers shared by the shape, activation and resize op kernels: input/output
// counts, dtypes, per-tensor 8-bit quantization and constant integer inputs (axes, sizes,
// paddings). Every failure is ctx.Error / ctx.UnsupportedError naming the tensor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "runtime/op_kernel.h"

namespace edgeforge::runtime::ops::shape_util {

// "input 0 'name' (int8 [1,2,3])".
std::string Describe(const char* role, size_t index, const RtTensor& t);

// Checks that inputs 0..min_inputs-1 are present, at most max_inputs exist, and exactly
// `outputs` outputs are present.
Status CheckArity(OpContext& ctx, size_t min_inputs, size_t max_inputs, size_t outputs);

bool IsQuantized8(DType dtype);  // int8 or uint8

// int8/uint8 tensors must carry one scale (finite, > 0) and one zero point inside the type's
// range; others pass unchecked. `role`/`index` name the tensor in the error.
Status CheckPerTensorQuant(const OpContext& ctx, const char* role, size_t index, const RtTensor& t);

float Scale(const RtTensor& t);        // 1 when not quantized
int32_t ZeroPoint(const RtTensor& t);  // 0 when not quantized

// Same quantization parameters (a byte copy must not change the real values).
Status CheckSameQuant(const OpContext& ctx, const RtTensor& input, const RtTensor& output);

// A constant int32/int64 input's values (axis, size, paddings), read from the model.
StatusOr<std::vector<int64_t>> ConstantInts(const OpContext& ctx, size_t input_index,
                                            const char* what);

// Normalizes a possibly negative axis into [0, rank).
StatusOr<int> NormalizeAxis(const OpContext& ctx, int64_t axis, int rank, const char* what);

}  // namespace edgeforge::runtime::ops::shape_util
