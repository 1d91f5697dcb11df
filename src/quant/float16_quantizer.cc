#include "quant/float16_quantizer.h"

#include <cstring>
#include <map>

#include "core/float16.h"
#include "quant/graph_surgery.h"

namespace edgeforge::quant {

ir::Graph QuantizeFloat16(const ir::Graph& float_graph) {
  ir::Graph g = float_graph;
  std::map<int, int> widened;  // float32 constant -> the DEQUANTIZE output replacing it
  std::vector<ir::Op> dequantizes;
  for (ir::Op& op : g.ops) {
    for (int& input : op.inputs) {
      if (input < 0) continue;
      const ir::Tensor& t = g.tensor(input);
      if (!t.is_constant() || t.dtype != DType::kFloat32) continue;
      if (auto it = widened.find(input); it != widened.end()) {
        input = it->second;
        continue;
      }
      ir::Tensor half;
      half.name = t.name;
      half.dtype = DType::kFloat16;
      half.shape = t.shape;
      std::vector<uint16_t> bits;
      for (float v : t.values<float>()) bits.push_back(core::FloatToHalf(v));
      half.SetValues(bits);
      ir::Tensor wide;
      wide.name = t.name + "/dequantized";
      wide.dtype = DType::kFloat32;
      wide.shape = t.shape;
      const int half_index = g.AddTensor(std::move(half));
      const int wide_index = g.AddTensor(std::move(wide));
      ir::Op dq;
      dq.type = ir::OpType::kDequantize;
      dq.version = 3;  // float16 input
      dq.inputs = {half_index};
      dq.outputs = {wide_index};
      dequantizes.push_back(std::move(dq));
      widened[input] = wide_index;
      input = wide_index;
    }
  }
  dequantizes.insert(dequantizes.end(), g.ops.begin(), g.ops.end());
  g.ops = std::move(dequantizes);
  g.description = "edgeforge post-training quantization (float16)";
  RemoveUnusedTensors(g);
  return g;
}

}  // namespace edgeforge::quant
