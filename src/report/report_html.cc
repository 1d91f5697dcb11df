#include "report/report_html.h"

#include <span>

#include "core/file.h"
#include "report/html_text.h"
#include "report/report_json.h"
#include "report/report_sections.h"

namespace edgeforge::report {

namespace {

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  margin:0 auto;max-width:1160px;padding:16px 24px;color:#222;background:#fff}
h1{margin:8px 0 2px}h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}
.meta{color:#666;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:150px}
.card-label{color:#666;font-size:13px}.card-value{font-size:24px;font-weight:600}
table{border-collapse:collapse;margin:8px 0;font-size:14px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
table.data td{text-align:right}table.data td:first-child{text-align:left}
table.kv th{background:#f6f6f6;width:220px}
table.confusion td{text-align:center;min-width:38px}
table.confusion td.hl,table.confusion th.hl{outline:2px solid #333}
tr.chosen{background:#e8f4e8;font-weight:600}tr.cpu{background:#fdecea}
.bar{display:inline-block;width:80px;height:9px;background:#eee;vertical-align:middle}
.bar span{display:block;height:100%}
.charts{display:flex;flex-wrap:wrap;gap:16px}
svg.chart{font-size:11px;background:#fcfcfc;border:1px solid #eee;margin:6px 0}
svg.chart .chart-title{font-size:13px;font-weight:600}
svg.chart .grid{stroke:#e4e4e4}svg.chart .axis line{stroke:#888}
.missing{color:#888;font-style:italic}.note{color:#555}
.good{color:#1a7f37;font-weight:600}.bad{color:#b42318;font-weight:600}
code{font-size:13px}
#layers td:nth-child(3),#edgetpu-cpu-ops td{word-break:break-all;max-width:560px}
)css";

// Conveniences only: the page is complete without them. Any error is recorded on <body> so a
// headless browser can tell a broken script from a working one.
constexpr const char* kScript = R"js(
(function () {
  var body = document.body;
  window.addEventListener('error', function (e) { body.dataset.renderError = String(e.message); });
  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var classes = (data.dataset && data.dataset.class_names) ? data.dataset.class_names.length : 0;
    document.getElementById('data-check').textContent =
        'embedded data: ' + classes + ' classes, ' + data.curves.length + ' epochs, ' +
        data.files.length + ' files';
    // Highlight the row and column headers of the confusion cell under the pointer.
    document.querySelectorAll('table.confusion').forEach(function (table) {
      table.addEventListener('mouseover', function (e) {
        var cell = e.target.closest('td');
        table.querySelectorAll('.hl').forEach(function (c) { c.classList.remove('hl'); });
        if (!cell) return;
        var row = cell.parentElement;
        cell.classList.add('hl');
        row.cells[0].classList.add('hl');
        table.rows[0].cells[cell.cellIndex].classList.add('hl');
      });
    });
    body.dataset.rendered = 'ok';
  } catch (err) {
    body.dataset.renderError = String(err && err.message || err);
  }
})();
)js";

// The JSON goes inside <script>: "<" only occurs in JSON strings, where \u003c means the same
// character, so escaping it keeps "</script>" in a label from ending the block early.
std::string ScriptSafeJson(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string RenderReportHtml(const ReportData& data) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>" + EscapeHtml(data.title) + "</title><style>" + kStyle + "</style></head>\n<body>\n";
  html += "<h1>" + EscapeHtml(data.title) + "</h1><div class=\"meta\">" + EscapeHtml(data.created);
  if (!data.command.empty()) html += " &middot; <code>" + EscapeHtml(data.command) + "</code>";
  html += " &middot; <span id=\"data-check\"></span></div>\n";
  html += SummarySection(data) + DatasetSection(data) + RecipeSection(data) + CurvesSection(data) +
          AccuracySection(data) + ConfusionSection(data) + QuantizationSection(data) + LatencySection(data) +
          EdgeTpuSection(data) + FilesSection(data);
  const std::string json =
      ReportToJson(data).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  html += "<script type=\"application/json\" id=\"report-data\">" + ScriptSafeJson(json) + "</script>\n";
  html += "<script>" + std::string(kScript) + "</script>\n</body></html>\n";
  return html;
}

Status WriteReportHtml(const ReportData& data, const std::string& path) {
  const std::string html = RenderReportHtml(data);
  return core::WriteFileAtomic(
      path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(html.data()), html.size()));
}

}  // namespace edgeforge::report
