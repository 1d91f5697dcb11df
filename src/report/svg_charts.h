// Inline SVG charts for the HTML report: drawn here as markup, so the page needs no script,
// no font or library from the network, and looks the same in any browser or when printed.
#pragma once

#include <string>
#include <vector>

namespace edgeforge::report {

struct ChartSeries {
  std::string name;
  std::string color;  // CSS colour
  std::vector<double> y;  // one value per x; NaN leaves a gap
  bool dashed = false;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<double> x;
  std::vector<ChartSeries> series;
  bool y_as_percent = false;  // values are fractions, axis shows percent
  int width = 520;
  int height = 300;
};

// Axes with ticks, one polyline (and point markers with a <title> tooltip) per series, and a
// legend. Empty x: a chart frame saying "no data".
std::string LineChartSvg(const LineChart& chart);

struct BarItem {
  std::string label;
  double value = 0;
  std::string value_text;  // shown at the end of the bar
};

// Horizontal bars, one row per item, scaled to the largest value (non-negative values).
std::string BarChartSvg(const std::string& title, const std::vector<BarItem>& items, const std::string& color,
                        int width = 640);

}  // namespace edgeforge::report
