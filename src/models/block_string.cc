#include "models/block_string.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace edgeforge::models {

namespace {

struct Token {
  std::string text;
  size_t position = 0;  // of its first character in the block string
  int index = 0;        // 1-based, for messages
};

std::vector<Token> SplitTokens(const std::string& s) {
  std::vector<Token> tokens;
  size_t start = 0;
  int index = 1;
  while (true) {
    size_t end = s.find('_', start);
    if (end == std::string::npos) end = s.size();
    tokens.push_back({s.substr(start, end - start), start, index++});
    if (end == s.size()) break;
    start = end + 1;
  }
  return tokens;
}

Status TokenError(const std::string& block_string, const Token& t, const std::string& what) {
  return InvalidArgument("block string '" + block_string + "': token " + std::to_string(t.index) + " '" +
                         t.text + "' at position " + std::to_string(t.position) + ": " + what);
}

// A positive decimal integer made of digits only (no sign, no spaces), at most 6 digits.
bool ParsePositiveInt(const std::string& v, int* out) {
  if (v.empty() || v.size() > 6) return false;
  for (char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  *out = std::atoi(v.c_str());
  return *out > 0;
}

bool ParseRatio(const std::string& v, float* out) {
  if (v.empty()) return false;
  int dots = 0;
  for (char c : v) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  if (dots > 1 || v == ".") return false;
  *out = std::strtof(v.c_str(), nullptr);
  return true;
}

const char* KeyMeaning(const std::string& key) {
  if (key == "r") return "repeats";
  if (key == "k") return "kernel size";
  if (key == "e") return "expansion ratio";
  if (key == "i") return "input filters";
  if (key == "o") return "output filters";
  return "value";
}

}  // namespace

StatusOr<BlockArgs> DecodeBlockString(const std::string& block_string) {
  if (block_string.empty()) return InvalidArgument("block string is empty");
  BlockArgs args;
  std::map<std::string, Token> seen;
  for (const Token& t : SplitTokens(block_string)) {
    if (t.text.empty()) return TokenError(block_string, t, "empty token (two '_' in a row or a '_' at an end)");
    if (t.text == "noskip") {
      if (!args.id_skip) return TokenError(block_string, t, "'noskip' given twice");
      args.id_skip = false;
      continue;
    }
    size_t key_end = 0;
    while (key_end < t.text.size() && std::isalpha(static_cast<unsigned char>(t.text[key_end]))) ++key_end;
    const std::string key = t.text.substr(0, key_end);
    const std::string value = t.text.substr(key_end);
    if (key != "r" && key != "k" && key != "s" && key != "e" && key != "i" && key != "o" && key != "se") {
      return TokenError(block_string, t,
                        "unknown key '" + key + "' (expected r, k, s, e, i, o, se or noskip)");
    }
    if (auto it = seen.find(key); it != seen.end()) {
      return TokenError(block_string, t,
                        "key '" + key + "' repeats token " + std::to_string(it->second.index));
    }
    seen.emplace(key, t);
    if (value.empty()) return TokenError(block_string, t, "key '" + key + "' has no value");
    if (key == "s") {
      if (value.size() != 2 || value[0] < '1' || value[0] > '9' || value[1] < '1' || value[1] > '9') {
        return TokenError(block_string, t, "strides must be two digits 1-9, height then width (e.g. s22)");
      }
      args.stride_h = value[0] - '0';
      args.stride_w = value[1] - '0';
    } else if (key == "se") {
      if (!ParseRatio(value, &args.se_ratio) || !(args.se_ratio > 0.0f) || args.se_ratio > 1.0f) {
        return TokenError(block_string, t, "squeeze-excite ratio must be a number in (0, 1] (e.g. se0.25)");
      }
    } else {
      int v = 0;
      if (!ParsePositiveInt(value, &v)) {
        return TokenError(block_string, t, std::string(KeyMeaning(key)) + " must be a positive integer");
      }
      if (key == "r") args.num_repeat = v;
      if (key == "k") args.kernel_size = v;
      if (key == "e") args.expand_ratio = v;
      if (key == "i") args.input_filters = v;
      if (key == "o") args.output_filters = v;
    }
  }
  for (const char* required : {"r", "k", "s", "e", "i", "o"}) {
    if (!seen.count(required)) {
      return InvalidArgument("block string '" + block_string + "': key '" + required +
                             "' is missing at position " + std::to_string(block_string.size()) +
                             " (every block needs r, k, s, e, i and o)");
    }
  }
  return args;
}

StatusOr<std::vector<BlockArgs>> DecodeBlockStrings(const std::vector<std::string>& block_strings) {
  std::vector<BlockArgs> out;
  for (size_t i = 0; i < block_strings.size(); ++i) {
    auto args = DecodeBlockString(block_strings[i]);
    if (!args.ok()) return args.status().WithContext("block " + std::to_string(i));
    out.push_back(*args);
  }
  return out;
}

std::string EncodeBlockString(const BlockArgs& a) {
  std::string s = "r" + std::to_string(a.num_repeat) + "_k" + std::to_string(a.kernel_size) + "_s" +
                  std::to_string(a.stride_h) + std::to_string(a.stride_w) + "_e" +
                  std::to_string(a.expand_ratio) + "_i" + std::to_string(a.input_filters) + "_o" +
                  std::to_string(a.output_filters);
  if (a.has_se()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(a.se_ratio));
    s += std::string("_se") + buf;
  }
  if (!a.id_skip) s += "_noskip";
  return s;
}

int RoundFilters(int filters, float multiplier, int divisor, int min_depth) {
  if (multiplier == 1.0f) return filters;
  // Python evaluates these in double precision.
  const double scaled = static_cast<double>(filters) * static_cast<double>(multiplier);
  const int floor_depth = min_depth > 0 ? min_depth : divisor;
  int rounded = static_cast<int>(scaled + divisor / 2.0) / divisor * divisor;
  rounded = std::max(floor_depth, rounded);
  if (rounded < 0.9 * scaled) rounded += divisor;
  return rounded;
}

int RoundRepeats(int repeats, float multiplier) {
  if (multiplier == 1.0f) return repeats;
  return static_cast<int>(std::ceil(static_cast<double>(multiplier) * repeats));
}

}  // namespace edgeforge::models
