// `edgeforge make` from end to end: plan the data (data_plan.h), get a model by transfer
// learning or training from scratch (recipes.h), check the int8 model against the Edge TPU's
// rules, evaluate the float and int8 models on the test split, time the int8 model per op
// type, and write OUT/report.json and OUT/report.html next to the models and labels.
#pragma once

#include <cstdio>
#include <string>

#include "edgeforge/status.h"
#include "make/make_options.h"
#include "report/report_data.h"

namespace edgeforge::make {

struct MakeResult {
  std::string int8_model;
  std::string float_model;
  std::string labels;
  std::string report_json;
  std::string report_html;
  report::ReportData report;
};

// Progress goes to `log` (may be null). When the run fails after the report could be written
// (--target edgetpu with ops on the CPU), the error says so and names the report.
StatusOr<MakeResult> RunMake(const MakeOptions& options, std::FILE* log);

// The lines printed at the end: accuracies, latency, where the report is, how to serve.
std::string FormatMakeSummary(const MakeResult& result);

}  // namespace edgeforge::make
