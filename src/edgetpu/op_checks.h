// Whether the Edge TPU compiler could map one op, judged on the op alone (where it sits in the
// graph, and so the partition, is compatibility.cc's business). The checks run in the order
// the compiler's log suggests it applies them, and the first failure gives the reason:
//   1. custom op ......................................... "Operation not supported"
//   2. 8-bit types: activations int8/uint8 and quantized, constants 8-bit or int32/int64
//      (biases int32) ...................................... "... unsupported data type"
//      (a QUANTIZE of a float input is the compiler's "otherwise supported, but not mapped")
//   3. op in the supported-operations table for the runtime ... "Operation not supported"
//   4. op version ......................................... "Operation version not supported"
//   5. activations with at most the 3 innermost dimensions larger than 1
//                                                     ... "Tensor has unsupported rank ..."
//   6. the op's known limitations ........... "... not mapped due to some unspecified limitation"
// Model requirements: coral.ai/docs/edgetpu/models-intro/#model-requirements.
#pragma once

#include <string>

#include "ir/graph.h"

namespace edgeforge::edgetpu {

struct OpCheck {
  bool mappable = false;
  std::string reason;  // the compiler's wording (compiler_messages.h); kMapped when mappable
  std::string detail;  // what exactly failed, naming tensors and values; empty when mappable
};

// `runtime_version`: the Edge TPU runtime targeted (supported_ops.h). The op's tensor indices
// must be valid for `graph` (compatibility.cc checks them first).
OpCheck CheckOp(const ir::Graph& graph, const ir::Op& op, int runtime_version);

}  // namespace edgeforge::edgetpu
