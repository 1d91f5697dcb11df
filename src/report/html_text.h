// Text for the HTML report: escaping, and the one way each kind of number is shown, so the
// page, the console summary and the tests that look for a number on the page agree.
#pragma once

#include <cstdint>
#include <string>

namespace edgeforge::report {

// &, <, >, " and ' as entities: safe in element text and in quoted attributes.
std::string EscapeHtml(const std::string& text);

// 0.875 -> "87.5%".
std::string FormatPercent(double fraction);
// 1.2345 -> "1.23 ms"; below 0.1 ms three decimals ("0.045 ms").
std::string FormatMs(double ms);
// 31.24 -> "31.2 dB"; infinity -> "exact".
std::string FormatDb(double db);
// 12345678 -> "11.8 MiB", 2048 -> "2.0 KiB", 100 -> "100 B".
std::string FormatFileBytes(int64_t bytes);
// 2500000 -> "2.50 M".
std::string FormatMillions(int64_t count);
// printf("%.*f").
std::string FormatFixed(double value, int decimals);

}  // namespace edgeforge::report
