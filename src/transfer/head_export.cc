#include "transfer/head_export.h"

#include "ir/dequantize_pass.h"

namespace edgeforge::transfer {

namespace {
constexpr int32_t kQuantizeBuiltinCode = 114;  // TFLite BuiltinOperator QUANTIZE
}

bool IsQuantizedBackbone(const HeadCut& cut) {
  const DType d = cut.backbone.tensor(cut.feature).dtype;
  return d == DType::kUInt8 || d == DType::kInt8;
}

StatusOr<ir::Graph> BuildFloatModel(const HeadCut& cut, const ondevice::ClassifierHead& head,
                                    const std::vector<std::string>& labels) {
  ir::Graph backbone;
  if (IsQuantizedBackbone(cut)) {
    EF_ASSIGN_OR_RETURN(backbone, ir::DequantizeGraph(cut.backbone));
  } else {
    backbone = cut.backbone;
  }
  ondevice::ClassifierHead float_head = head;
  float_head.l2_normalize = false;
  return ondevice::AppendHead(backbone, float_head, labels);
}

StatusOr<ir::Graph> BuildQuantizedModel(const HeadCut& cut, const ondevice::ClassifierHead& head,
                                        const std::vector<std::string>& labels) {
  if (!IsQuantizedBackbone(cut)) {
    return InvalidArgument("the backbone's features '" + cut.feature_name +
                           "' are float: quantize the float model instead");
  }
  EF_ASSIGN_OR_RETURN(ir::Graph g, ondevice::AppendHead(cut.backbone, head, labels));
  const ir::Tensor probs = g.tensor(g.outputs[0]);
  const DType want = cut.original_output.dtype;
  if (probs.dtype == DType::kInt8 && want == DType::kUInt8) {
    // Same scale 1/256, zero point moved from -128 to 0: TFLite's requantizing QUANTIZE.
    ir::Tensor out = probs;
    out.name = "head/probabilities_uint8";
    out.dtype = DType::kUInt8;
    out.quant.zero_point = {0};
    const int o = g.AddTensor(std::move(out));
    ir::Op q;
    q.type = ir::OpType::kQuantize;
    q.builtin_code = kQuantizeBuiltinCode;
    q.version = 1;
    q.inputs = {g.outputs[0]};
    q.outputs = {o};
    g.AddOp(q);
    g.outputs = {o};
  }
  return g;
}

}  // namespace edgeforge::transfer
