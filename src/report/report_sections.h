// The sections of report.html, each an HTML fragment (<section>...</section>) built from one
// part of ReportData. A section whose data is missing says "not measured" and why, rather
// than disappearing, so every report has the same outline.
#pragma once

#include <string>

#include "report/report_data.h"

namespace edgeforge::report {

std::string SummarySection(const ReportData& data);     // headline numbers
std::string DatasetSection(const ReportData& data);
std::string RecipeSection(const ReportData& data);      // recipe, reason, candidates
std::string CurvesSection(const ReportData& data);      // training curves
std::string AccuracySection(const ReportData& data);    // float vs int8, per class
std::string ConfusionSection(const ReportData& data);   // heat-map tables
std::string QuantizationSection(const ReportData& data);  // per-layer SQNR
std::string LatencySection(const ReportData& data);     // per op type
std::string EdgeTpuSection(const ReportData& data);
std::string FilesSection(const ReportData& data);       // files written, notes

}  // namespace edgeforge::report
