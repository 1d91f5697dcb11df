#include "quant/edgetpu_target.h"

#include <algorithm>

namespace edgeforge::quant {

void MakeBatchStatic(ir::Graph& graph) {
  for (ir::Tensor& t : graph.tensors) {
    if (std::find(t.shape_signature.begin(), t.shape_signature.end(), -1) != t.shape_signature.end()) {
      t.shape_signature.clear();
    }
  }
}

StatusOr<edgetpu::CompatibilityReport> CheckEdgeTpu(const ir::Graph& graph) {
  return edgetpu::CheckCompatibility(graph);
}

}  // namespace edgeforge::quant
