#include "report/svg_charts.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/html_text.h"

namespace edgeforge::report {

namespace {

// 1, 2 or 5 times a power of ten, at least `raw`: tick steps people read at a glance.
double NiceStep(double raw) {
  if (!(raw > 0)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) return m * magnitude;
  }
  return 10 * magnitude;
}

std::string Num(double v) { return FormatFixed(v, 1); }

std::string TickText(double v, bool percent) {
  if (percent) return FormatFixed(100 * v, 0) + "%";
  if (std::fabs(v) >= 100 || v == std::floor(v)) return FormatFixed(v, 0);
  return FormatFixed(v, std::fabs(v) >= 1 ? 1 : 2);
}

std::string SvgOpen(int width, int height, const std::string& title) {
  return "<svg class=\"chart\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
         std::to_string(height) + "\" role=\"img\" aria-label=\"" + EscapeHtml(title) + "\">" +
         "<text x=\"" + std::to_string(width / 2) +
         "\" y=\"16\" text-anchor=\"middle\" class=\"chart-title\">" + EscapeHtml(title) + "</text>";
}

}  // namespace

std::string LineChartSvg(const LineChart& c) {
  std::string svg = SvgOpen(c.width, c.height, c.title);
  const double left = 56, right = c.width - 12.0, top = 28, bottom = c.height - 58.0;
  double y_min = std::numeric_limits<double>::infinity(), y_max = -y_min;
  for (const ChartSeries& s : c.series) {
    for (double v : s.y) {
      if (std::isfinite(v)) y_min = std::min(y_min, v), y_max = std::max(y_max, v);
    }
  }
  if (c.x.empty() || !std::isfinite(y_min)) {
    return svg + "<text x=\"" + std::to_string(c.width / 2) + "\" y=\"" + std::to_string(c.height / 2) +
           "\" text-anchor=\"middle\">no data</text></svg>";
  }
  if (c.y_as_percent) y_min = std::max(0.0, y_min), y_max = std::min(1.0, std::max(y_max, y_min + 0.01));
  if (y_max - y_min < 1e-9) y_max = y_min + 1;
  const double step = NiceStep((y_max - y_min) / 5);
  y_min = std::floor(y_min / step) * step;
  y_max = std::ceil(y_max / step) * step;
  const double x_min = c.x.front(), x_max = std::max(c.x.back(), x_min + 1);
  auto px = [&](double x) { return left + (x - x_min) / (x_max - x_min) * (right - left); };
  auto py = [&](double y) { return bottom - (y - y_min) / (y_max - y_min) * (bottom - top); };

  svg += "<g class=\"axis\">";
  for (double y = y_min; y <= y_max + step / 2; y += step) {
    svg += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(right) + "\" y1=\"" + Num(py(y)) + "\" y2=\"" + Num(py(y)) +
           "\" class=\"grid\"/><text x=\"" + Num(left - 6) + "\" y=\"" + Num(py(y) + 4) +
           "\" text-anchor=\"end\">" + TickText(y, c.y_as_percent) + "</text>";
  }
  const size_t x_every = std::max<size_t>(1, c.x.size() / 10);
  for (size_t i = 0; i < c.x.size(); i += x_every) {
    svg += "<text x=\"" + Num(px(c.x[i])) + "\" y=\"" + Num(bottom + 16) + "\" text-anchor=\"middle\">" +
           TickText(c.x[i], false) + "</text>";
  }
  svg += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(left) + "\" y1=\"" + Num(top) + "\" y2=\"" + Num(bottom) +
         "\"/><line x1=\"" + Num(left) + "\" x2=\"" + Num(right) + "\" y1=\"" + Num(bottom) + "\" y2=\"" +
         Num(bottom) + "\"/>";
  svg += "<text x=\"" + Num((left + right) / 2) + "\" y=\"" + Num(bottom + 32) + "\" text-anchor=\"middle\">" +
         EscapeHtml(c.x_label) + "</text>";
  svg += "<text transform=\"translate(14," + Num((top + bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + EscapeHtml(c.y_label) + "</text></g>";

  double legend_x = left;
  for (const ChartSeries& s : c.series) {
    std::string points;
    std::string markers;
    for (size_t i = 0; i < std::min(s.y.size(), c.x.size()); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      points += Num(px(c.x[i])) + "," + Num(py(s.y[i])) + " ";
      const std::string value = c.y_as_percent ? FormatPercent(s.y[i]) : FormatFixed(s.y[i], 4);
      markers += "<circle cx=\"" + Num(px(c.x[i])) + "\" cy=\"" + Num(py(s.y[i])) + "\" r=\"3\" fill=\"" +
                 s.color + "\"><title>" + EscapeHtml(s.name) + " at " + TickText(c.x[i], false) + ": " + value +
                 "</title></circle>";
    }
    svg += "<polyline fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"2\"" +
           (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + points + "\"/>" + markers;
    const double ly = c.height - 10.0;
    svg += "<line x1=\"" + Num(legend_x) + "\" x2=\"" + Num(legend_x + 20) + "\" y1=\"" + Num(ly - 4) + "\" y2=\"" +
           Num(ly - 4) + "\" stroke=\"" + s.color + "\" stroke-width=\"2\"" +
           (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/><text x=\"" + Num(legend_x + 24) + "\" y=\"" +
           Num(ly) + "\">" + EscapeHtml(s.name) + "</text>";
    legend_x += 40 + 7.0 * static_cast<double>(s.name.size());
  }
  return svg + "</svg>";
}

std::string BarChartSvg(const std::string& title, const std::vector<BarItem>& items, const std::string& color,
                        int width) {
  const int row = 22, top = 28;
  const int height = top + row * static_cast<int>(std::max<size_t>(items.size(), 1)) + 8;
  std::string svg = SvgOpen(width, height, title);
  if (items.empty()) {
    return svg + "<text x=\"" + std::to_string(width / 2) + "\" y=\"" + std::to_string(top + 14) +
           "\" text-anchor=\"middle\">no data</text></svg>";
  }
  double max_value = 0;
  for (const BarItem& item : items) max_value = std::max(max_value, item.value);
  if (!(max_value > 0)) max_value = 1;
  const double label_width = 190, value_width = 90;
  const double bar_space = width - label_width - value_width;
  for (size_t i = 0; i < items.size(); ++i) {
    const double y = top + static_cast<double>(i) * row;
    const double w = std::max(0.0, items[i].value) / max_value * bar_space;
    svg += "<text x=\"" + Num(label_width - 6) + "\" y=\"" + Num(y + 15) + "\" text-anchor=\"end\">" +
           EscapeHtml(items[i].label) + "</text><rect x=\"" + Num(label_width) + "\" y=\"" + Num(y + 3) +
           "\" width=\"" + Num(w) + "\" height=\"" + std::to_string(row - 6) + "\" fill=\"" + color +
           "\"><title>" + EscapeHtml(items[i].label + ": " + items[i].value_text) + "</title></rect><text x=\"" +
           Num(label_width + w + 4) + "\" y=\"" + Num(y + 15) + "\">" + EscapeHtml(items[i].value_text) +
           "</text>";
  }
  return svg + "</svg>";
}

}  // namespace edgeforge::report
