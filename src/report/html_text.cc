#include "report/html_text.h"

#include <cmath>
#include <cstdio>

namespace edgeforge::report {

std::string EscapeHtml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatFixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

std::string FormatPercent(double fraction) { return FormatFixed(100.0 * fraction, 1) + "%"; }

std::string FormatMs(double ms) { return FormatFixed(ms, ms < 0.1 ? 3 : 2) + " ms"; }

std::string FormatDb(double db) {
  if (std::isinf(db) && db > 0) return "exact";
  if (!std::isfinite(db)) return "n/a";
  return FormatFixed(db, 1) + " dB";
}

std::string FormatFileBytes(int64_t bytes) {
  if (bytes >= 1024 * 1024) return FormatFixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1) + " MiB";
  if (bytes >= 1024) return FormatFixed(static_cast<double>(bytes) / 1024.0, 1) + " KiB";
  return std::to_string(bytes) + " B";
}

std::string FormatMillions(int64_t count) { return FormatFixed(static_cast<double>(count) / 1e6, 2) + " M"; }

}  // namespace edgeforge::report
