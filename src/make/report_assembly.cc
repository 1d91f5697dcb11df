#include "make/report_assembly.h"

namespace edgeforge::make {

report::ModelAccuracy AccuracySection(const quant::EvaluationResult& r, const std::string& model) {
  report::ModelAccuracy a;
  a.model = model;
  a.evaluated = r.evaluated;
  a.top1 = r.top1();
  a.top5 = r.top5();
  for (size_t c = 0; c < r.class_names.size(); ++c) a.class_accuracy.push_back(r.class_accuracy(c));
  a.confusion = r.confusion;
  a.has_other_column = r.has_other_column;
  return a;
}

report::QuantizationSummary QuantizationSection(const quant::QuantizationReport& r) {
  report::QuantizationSummary q;
  for (const quant::LayerSqnr& l : r.layers) q.layers.push_back({l.op_index, l.op, l.tensor, l.sqnr_db});
  q.output_sqnr_db = r.output_sqnr_db;
  q.images = r.images;
  q.top1_agreement = r.top1_agreement();
  q.float_bytes = r.float_bytes;
  q.int8_bytes = r.quantized_bytes;
  return q;
}

report::EdgeTpuSummary EdgeTpuSection(const edgetpu::CompatibilityReport& r) {
  report::EdgeTpuSummary e;
  e.mapped = r.mapped;
  e.cpu = r.cpu;
  e.fully_mapped = r.fully_mapped();
  e.first_cpu_op = r.first_cpu_op;
  e.model_reason = r.model_reason.empty() ? "" : r.model_reason + (r.model_detail.empty() ? "" : ": " + r.model_detail);
  for (const edgetpu::OpVerdict& v : r.ops) {
    e.ops.push_back({v.index, v.op, v.mapped, v.reason, v.detail});
    if (r.first_cpu_op && v.index == *r.first_cpu_op) e.first_cpu_op_name = v.op;
  }
  return e;
}

}  // namespace edgeforge::make
