// ReportData as JSON: report.json, and the data block embedded in report.html. Keys are the
// struct fields' names; infinities (an exact layer's SQNR) become null because JSON has none.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "edgeforge/status.h"
#include "report/report_data.h"

namespace edgeforge::report {

nlohmann::ordered_json ReportToJson(const ReportData& data);

// Writes ReportToJson(data), indented, to `path`; the error names the file.
Status WriteReportJson(const ReportData& data, const std::string& path);

}  // namespace edgeforge::report
