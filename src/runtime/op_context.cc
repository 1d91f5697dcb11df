#include "runtime/op_kernel.h"

namespace edgeforge::runtime {

Status OpContext::Error(const std::string& what) const {
  return InvalidArgument("op " + std::to_string(op_index_) + " (" + ir::OpName(*op_) + "): " + what);
}

Status OpContext::UnsupportedError(const std::string& what) const {
  return Unimplemented("op " + std::to_string(op_index_) + " (" + ir::OpName(*op_) + "): " + what);
}

}  // namespace edgeforge::runtime
