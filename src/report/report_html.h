// report.html: one self-contained page (inline CSS, inline SVG charts, no network) showing a
// ReportData. Everything is rendered here as markup, so the page is complete without
// JavaScript; the data is also embedded as JSON in
//   <script type="application/json" id="report-data">
// for tools, and a small inline script only adds conveniences (highlighting a confusion
// cell's row and column) and marks the page: <body data-rendered="ok">, or
// data-render-error="message" when anything in it threw (what the Chromium test checks).
#pragma once

#include <string>

#include "edgeforge/status.h"
#include "report/report_data.h"

namespace edgeforge::report {

std::string RenderReportHtml(const ReportData& data);

// Writes RenderReportHtml(data) to `path`; the error names the file.
Status WriteReportHtml(const ReportData& data, const std::string& path);

}  // namespace edgeforge::report
