#include "report/report_sections.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/html_text.h"
#include "report/svg_charts.h"

namespace edgeforge::report {

namespace {

const char* const kFloatColor = "#1f77b4";
const char* const kInt8Color = "#d62728";

std::string Section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + EscapeHtml(title) + "</h2>" + body + "</section>\n";
}

std::string Missing(const std::string& what) {
  return "<p class=\"missing\">" + EscapeHtml(what) + "</p>";
}

std::string Cell(const std::string& text, const std::string& attributes = "") {
  return "<td" + (attributes.empty() ? "" : " " + attributes) + ">" + text + "</td>";
}

std::string HeaderRow(const std::vector<std::string>& names) {
  std::string row = "<tr>";
  for (const std::string& n : names) row += "<th>" + EscapeHtml(n) + "</th>";
  return row + "</tr>";
}

std::string ClassName(const ReportData& data, size_t c) {
  return c < data.dataset.class_names.size() ? data.dataset.class_names[c] : "class " + std::to_string(c);
}

// A small inline bar behind a percentage, so a column of accuracies reads like a chart.
std::string PercentBar(double fraction, const char* color) {
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  return "<span class=\"bar\"><span style=\"width:" + FormatFixed(100 * clamped, 1) + "%;background:" + color +
         "\"></span></span> " + FormatPercent(fraction);
}

std::string Card(const std::string& id, const std::string& label, const std::string& value) {
  return "<div class=\"card\"><div class=\"card-label\">" + EscapeHtml(label) +
         "</div><div class=\"card-value\" id=\"" +
         id + "\">" + EscapeHtml(value) + "</div></div>";
}

std::string ConfusionTable(const ReportData& data, const ModelAccuracy& a, const std::string& id) {
  std::string html = "<table class=\"confusion\" id=\"" + id + "\"><tr><th>true \\ predicted</th>";
  const size_t columns = a.confusion.empty() ? 0 : a.confusion.front().size();
  for (size_t c = 0; c < columns; ++c) {
    const bool other = a.has_other_column && c + 1 == columns;
    html += "<th>" + EscapeHtml(other ? "other" : ClassName(data, c)) + "</th>";
  }
  html += "</tr>";
  for (size_t t = 0; t < a.confusion.size(); ++t) {
    size_t row_total = 0;
    for (size_t v : a.confusion[t]) row_total += v;
    html += "<tr><th>" + EscapeHtml(ClassName(data, t)) + "</th>";
    for (size_t p = 0; p < a.confusion[t].size(); ++p) {
      const size_t count = a.confusion[t][p];
      const double share = row_total ? static_cast<double>(count) / static_cast<double>(row_total) : 0;
      // Diagonal cells in blue, mistakes in red; the colour's strength is the row share.
      const std::string rgb = t == p ? "31,119,180" : "214,39,40";
      const std::string text_color = share > 0.6 ? "#fff" : "#000";
      html += Cell(std::to_string(count), "style=\"background:rgba(" + rgb + "," + FormatFixed(share, 3) +
                                              ");color:" + text_color + "\" title=\"" +
                                              EscapeHtml(ClassName(data, t)) + " predicted as " +
                                              EscapeHtml(p < data.dataset.class_names.size() ? ClassName(data, p)
                                                                                              : "other") +
                                              ": " + std::to_string(count) + " (" + FormatPercent(share) + ")\"");
    }
    html += "</tr>";
  }
  return html + "</table>";
}

}  // namespace

std::string SummarySection(const ReportData& data) {
  std::string cards;
  cards += Card("float-top1", "float top-1", data.float_accuracy ? FormatPercent(data.float_accuracy->top1) : "n/a");
  cards += Card("int8-top1", "int8 top-1", data.int8_accuracy ? FormatPercent(data.int8_accuracy->top1) : "n/a");
  cards += Card("int8-latency", "int8 latency (CPU)", data.latency ? FormatMs(data.latency->median_ms) : "n/a");
  std::string tpu = "n/a";
  if (data.edgetpu) {
    tpu = std::to_string(data.edgetpu->mapped) + " / " + std::to_string(data.edgetpu->mapped + data.edgetpu->cpu) +
          " ops mapped";
  }
  cards += Card("edgetpu-mapped", "Edge TPU", tpu);
  if (data.quantization && data.quantization->int8_bytes > 0) {
    cards += Card("int8-size", "int8 model size", FormatFileBytes(data.quantization->int8_bytes));
  }
  return Section("summary", "Summary", "<div class=\"cards\">" + cards + "</div>");
}

std::string DatasetSection(const ReportData& data) {
  const DatasetSummary& d = data.dataset;
  std::string html = "<table class=\"kv\">";
  html += "<tr><th>data</th>" + Cell(EscapeHtml(d.spec)) + "</tr>";
  html += "<tr><th>description</th>" + Cell(EscapeHtml(d.description)) + "</tr>";
  std::string names;
  for (const std::string& n : d.class_names) names += (names.empty() ? "" : ", ") + n;
  html += "<tr><th>classes</th>" + Cell(std::to_string(d.class_names.size()) + ": " + EscapeHtml(names)) + "</tr>";
  html += "<tr><th>training examples</th>" + Cell(std::to_string(d.train_examples)) + "</tr>";
  html += "<tr><th>test examples</th>" + Cell(std::to_string(d.test_examples) +
                                               (d.test_split.empty() ? "" : " (" + EscapeHtml(d.test_split) + ")")) +
          "</tr>";
  html += "<tr><th>model input</th>" + Cell(std::to_string(d.image_size) + "&times;" + std::to_string(d.image_size) +
                                             "&times;" + std::to_string(d.channels)) + "</tr>";
  return Section("dataset", "Dataset", html + "</table>");
}

std::string RecipeSection(const ReportData& data) {
  const RecipeSummary& r = data.recipe;
  std::string html = "<p><strong>" + EscapeHtml(r.kind) + "</strong>: " + EscapeHtml(r.reason) + "</p>";
  html += "<table class=\"kv\">";
  html += "<tr><th>target</th>" + Cell(EscapeHtml(r.target)) + "</tr>";
  if (r.latency_budget_ms > 0) html += "<tr><th>latency budget</th>" + Cell(FormatMs(r.latency_budget_ms)) + "</tr>";
  if (!r.pretrained.empty()) html += "<tr><th>pretrained model</th>" + Cell(EscapeHtml(r.pretrained)) + "</tr>";
  if (!r.architecture.empty()) {
    html += "<tr><th>architecture</th>" + Cell(EscapeHtml(r.architecture) + " width " + FormatFixed(r.width, 2)) +
            "</tr>";
  }
  if (r.epochs > 0) {
    html += "<tr><th>epochs</th>" + Cell(std::to_string(r.epochs) +
                                        (r.epochs_reason.empty() ? "" : " (" + EscapeHtml(r.epochs_reason) + ")")) +
            "</tr>";
  }
  html += "</table>";
  if (!r.candidates.empty()) {
    html += "<p>Candidates, scored the MnasNet way: score = ln(MACs) &times; (latency / target)<sup>w</sup>, "
            "w = &minus;0.07 within the budget and &minus;1 over it.</p><table class=\"data\" id=\"candidates\">" +
            HeaderRow({"architecture", "width", "MACs", "parameters", "float latency", "proxy", "score", ""});
    for (const CandidateScore& c : r.candidates) {
      html += std::string(c.chosen ? "<tr class=\"chosen\">" : "<tr>") + Cell(EscapeHtml(c.architecture)) +
              Cell(FormatFixed(c.width, 2)) + Cell(FormatMillions(c.macs)) + Cell(FormatMillions(c.parameters)) +
              Cell(FormatMs(c.latency_ms)) + Cell(FormatFixed(c.proxy, 3)) + Cell(FormatFixed(c.score, 3)) +
              Cell(c.chosen ? "chosen" : "") + "</tr>";
    }
    html += "</table>";
  }
  return Section("recipe", "Recipe", html);
}

std::string CurvesSection(const ReportData& data) {
  if (data.curves.empty()) {
    return Section("curves", "Training curves",
                   Missing("No per-epoch curves: this recipe trained without epochs of the whole model."));
  }
  LineChart loss{"Loss", "epoch", "loss", {}, {}, false};
  LineChart accuracy{"Accuracy", "epoch", "accuracy", {}, {}, true};
  ChartSeries train_loss{"train loss", kFloatColor, {}, false}, val_loss{"val loss", kInt8Color, {}, true};
  ChartSeries train_acc{"train accuracy", kFloatColor, {}, false}, val_acc{"val accuracy", kInt8Color, {}, true};
  std::string table = "<details><summary>per-epoch numbers</summary><table class=\"data\" id=\"curves-table\">" +
                      HeaderRow({"epoch", "train loss", "train accuracy", "val loss", "val accuracy"});
  for (const EpochCurve& e : data.curves) {
    loss.x.push_back(e.epoch);
    accuracy.x.push_back(e.epoch);
    train_loss.y.push_back(e.train_loss);
    val_loss.y.push_back(e.val_loss);
    train_acc.y.push_back(e.train_accuracy);
    val_acc.y.push_back(e.val_accuracy);
    table += "<tr>" + Cell(std::to_string(e.epoch)) + Cell(FormatFixed(e.train_loss, 4)) +
             Cell(FormatPercent(e.train_accuracy)) + Cell(FormatFixed(e.val_loss, 4)) +
             Cell(FormatPercent(e.val_accuracy)) + "</tr>";
  }
  loss.series = {train_loss, val_loss};
  accuracy.series = {train_acc, val_acc};
  return Section("curves", "Training curves",
                 "<div class=\"charts\">" + LineChartSvg(loss) + LineChartSvg(accuracy) + "</div>" + table +
                     "</table></details>");
}

std::string AccuracySection(const ReportData& data) {
  if (!data.float_accuracy && !data.int8_accuracy) {
    return Section("accuracy", "Accuracy", Missing("Not evaluated."));
  }
  std::string html = "<table class=\"data\" id=\"accuracy-table\">" +
                     HeaderRow({"model", "file", "images", "top-1", "top-5"});
  std::vector<BarItem> bars;
  auto row = [&](const char* name, const std::optional<ModelAccuracy>& a, const char* color) {
    if (!a) return;
    html += "<tr>" + Cell(name) + Cell(EscapeHtml(a->model)) + Cell(std::to_string(a->evaluated)) +
            Cell(PercentBar(a->top1, color)) + Cell(PercentBar(a->top5, color)) + "</tr>";
    bars.push_back({std::string(name) + " top-1", 100 * a->top1, FormatPercent(a->top1)});
    bars.push_back({std::string(name) + " top-5", 100 * a->top5, FormatPercent(a->top5)});
  };
  row("float", data.float_accuracy, kFloatColor);
  row("int8", data.int8_accuracy, kInt8Color);
  html += "</table>";
  html += "<h3>Per class (top-1)</h3><table class=\"data\" id=\"per-class\">" +
          HeaderRow({"class", "images", "float", "int8"});
  const ModelAccuracy* any = data.int8_accuracy ? &*data.int8_accuracy : &*data.float_accuracy;
  for (size_t c = 0; c < any->class_accuracy.size(); ++c) {
    size_t images = 0;
    if (c < any->confusion.size()) {
      for (size_t v : any->confusion[c]) images += v;
    }
    auto cell = [&](const std::optional<ModelAccuracy>& a, const char* color) {
      return a && c < a->class_accuracy.size() ? Cell(PercentBar(a->class_accuracy[c], color)) : Cell("n/a");
    };
    html += "<tr>" + Cell(EscapeHtml(ClassName(data, c))) + Cell(std::to_string(images)) +
            cell(data.float_accuracy, kFloatColor) + cell(data.int8_accuracy, kInt8Color) + "</tr>";
  }
  html += "</table>";
  return Section("accuracy", "Accuracy: float vs int8", BarChartSvg("top-1 / top-5 (%)", bars, "#6b6bd6") + html);
}

std::string ConfusionSection(const ReportData& data) {
  std::string html;
  if (data.int8_accuracy) html += "<h3>int8 model</h3>" + ConfusionTable(data, *data.int8_accuracy, "confusion-int8");
  if (data.float_accuracy) {
    html += "<h3>float model</h3>" + ConfusionTable(data, *data.float_accuracy, "confusion-float");
  }
  if (html.empty()) html = Missing("Not evaluated.");
  return Section("confusion", "Confusion matrices", html);
}

std::string QuantizationSection(const ReportData& data) {
  if (!data.quantization) return Section("quantization", "Quantization error", Missing("Not measured."));
  const QuantizationSummary& q = *data.quantization;
  std::string html = "<table class=\"kv\">";
  if (q.images > 0) {
    html += "<tr><th>output SQNR</th>" + Cell(FormatDb(q.output_sqnr_db)) + "</tr>";
    html += "<tr><th>top-1 agreement float / int8</th>" + Cell(FormatPercent(q.top1_agreement) + " of " +
                                                                  std::to_string(q.images) + " held-back images") +
            "</tr>";
  }
  if (q.float_bytes > 0) html += "<tr><th>float model</th>" + Cell(FormatFileBytes(q.float_bytes)) + "</tr>";
  if (q.int8_bytes > 0) html += "<tr><th>int8 model</th>" + Cell(FormatFileBytes(q.int8_bytes)) + "</tr>";
  html += "</table>";
  if (!q.note.empty()) html += "<p class=\"note\">" + EscapeHtml(q.note) + "</p>";
  if (q.layers.empty()) return Section("quantization", "Quantization error", html);
  // Worst 20 layers as bars (higher SQNR is better; exact layers have nothing to draw).
  std::vector<BarItem> bars;
  for (size_t i = 0; i < std::min<size_t>(20, q.layers.size()); ++i) {
    const LayerError& l = q.layers[i];
    const double value = std::isfinite(l.sqnr_db) ? std::max(0.0, l.sqnr_db) : 0.0;
    bars.push_back({"#" + std::to_string(l.op_index) + " " + l.op, value, FormatDb(l.sqnr_db)});
  }
  html += "<p>Signal-to-quantization-noise ratio per layer, 10&middot;log<sub>10</sub>(&Sigma;x&sup2; / "
          "&Sigma;(x &minus; x<sub>q</sub>)&sup2;), worst first; below about 20 dB a layer loses accuracy.</p>";
  html += BarChartSvg("per-layer SQNR, worst " + std::to_string(bars.size()), bars, "#ff7f0e");
  html += "<details><summary>all " + std::to_string(q.layers.size()) + " layers</summary><table class=\"data\" "
          "id=\"layers\">" + HeaderRow({"op", "type", "tensor", "SQNR"});
  for (const LayerError& l : q.layers) {
    html += "<tr>" + Cell(std::to_string(l.op_index)) + Cell(EscapeHtml(l.op)) + Cell(EscapeHtml(l.tensor)) +
            Cell(FormatDb(l.sqnr_db)) + "</tr>";
  }
  return Section("quantization", "Quantization error", html + "</table></details>");
}

std::string LatencySection(const ReportData& data) {
  if (!data.latency) return Section("latency", "Latency", Missing("Not measured."));
  const LatencySummary& l = *data.latency;
  std::string html = "<p>" + EscapeHtml(l.model) + " in edgeforge's runtime on this machine, " +
                     std::to_string(l.threads) + " thread(s), median of " + std::to_string(l.runs) +
                     " runs: <strong id=\"latency-total\">" + FormatMs(l.median_ms) + "</strong>";
  if (l.float_median_ms) html += " (float model: " + FormatMs(*l.float_median_ms) + ")";
  html += ".</p>";
  std::vector<BarItem> bars;
  std::string table = "<table class=\"data\" id=\"latency-table\">" + HeaderRow({"op type", "count", "ms", "share"});
  double sum = 0;
  for (const OpTypeLatency& o : l.by_op_type) sum += o.ms;
  for (const OpTypeLatency& o : l.by_op_type) {
    bars.push_back({o.op + " \xC3\x97" + std::to_string(o.count), o.ms, FormatMs(o.ms)});
    table += "<tr>" + Cell(EscapeHtml(o.op)) + Cell(std::to_string(o.count)) + Cell(FormatMs(o.ms)) +
             Cell(FormatPercent(sum > 0 ? o.ms / sum : 0)) + "</tr>";
  }
  return Section("latency", "Latency per op type", html + BarChartSvg("ms per inference", bars, "#2ca02c") + table +
                                                       "</table>");
}

std::string EdgeTpuSection(const ReportData& data) {
  if (!data.edgetpu) return Section("edgetpu", "Edge TPU check", Missing("Not checked."));
  const EdgeTpuSummary& e = *data.edgetpu;
  std::string html = "<p id=\"edgetpu-verdict\" class=\"" + std::string(e.fully_mapped ? "good" : "bad") + "\">";
  html += e.fully_mapped ? "Every op maps to the Edge TPU"
                         : std::to_string(e.cpu) + " op(s) would run on the CPU";
  html += ": " + std::to_string(e.mapped) + " mapped, " + std::to_string(e.cpu) + " on the CPU.</p>";
  if (!e.model_reason.empty()) html += "<p class=\"bad\">" + EscapeHtml(e.model_reason) + "</p>";
  if (e.first_cpu_op) {
    html += "<p>First op on the CPU: #" + std::to_string(*e.first_cpu_op) + " " + EscapeHtml(e.first_cpu_op_name) +
            "; everything from the partition point on runs on the CPU.</p>";
  }
  std::string cpu_rows, all_rows;
  for (const EdgeTpuOp& o : e.ops) {
    const std::string row = std::string(o.mapped ? "<tr>" : "<tr class=\"cpu\">") + Cell(std::to_string(o.index)) +
                            Cell(EscapeHtml(o.op)) + Cell(o.mapped ? "Edge TPU" : "CPU") + Cell(EscapeHtml(o.reason)) +
                            Cell(EscapeHtml(o.detail)) + "</tr>";
    all_rows += row;
    if (!o.mapped) cpu_rows += row;
  }
  const std::string header = HeaderRow({"op", "type", "runs on", "reason", "detail"});
  if (!cpu_rows.empty()) html += "<table class=\"data\" id=\"edgetpu-cpu-ops\">" + header + cpu_rows + "</table>";
  html += "<details><summary>all " + std::to_string(e.ops.size()) + " ops</summary><table class=\"data\">" + header +
          all_rows + "</table></details>";
  return Section("edgetpu", "Edge TPU check", html);
}

std::string FilesSection(const ReportData& data) {
  std::string html = "<table class=\"data\" id=\"files\">" + HeaderRow({"file", "size"});
  for (const WrittenFile& f : data.files) {
    // The report files are listed while they are being written: no size yet.
    html += "<tr>" + Cell("<code>" + EscapeHtml(f.path) + "</code>") +
            Cell(f.bytes > 0 ? FormatFileBytes(f.bytes) : "") + "</tr>";
  }
  html += "</table>";
  if (!data.notes.empty()) {
    html += "<h3>Notes</h3><ul>";
    for (const std::string& n : data.notes) html += "<li>" + EscapeHtml(n) + "</li>";
    html += "</ul>";
  }
  return Section("files", "Files written", html);
}

}  // namespace edgeforge::report
