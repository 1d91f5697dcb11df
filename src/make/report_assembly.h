// Turning the results of make's steps (evaluation, quantization report, Edge TPU check) into
// the plain report::ReportData sections, so the report module needs none of those modules.
#pragma once

#include <string>

#include "edgetpu/compatibility.h"
#include "quant/evaluate.h"
#include "quant/quantization_report.h"
#include "report/report_data.h"

namespace edgeforge::make {

report::ModelAccuracy AccuracySection(const quant::EvaluationResult& result, const std::string& model);
report::QuantizationSummary QuantizationSection(const quant::QuantizationReport& report);
report::EdgeTpuSummary EdgeTpuSection(const edgetpu::CompatibilityReport& report);

}  // namespace edgeforge::make
