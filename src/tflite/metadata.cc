#include "tflite/metadata.h"

#include <charconv>
#include <string_view>
#include <system_error>

namespace edgeforge::tflite {

namespace {

std::string AsText(std::span<const uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<uint8_t> AsBytes(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// "127.5,127.5,127.5" (or "" for an empty list). from_chars/to_chars: locale independent and
// exact, so floats survive a write/read round trip bit for bit.
Status ParseFloatList(std::string_view text, std::vector<float>* out) {
  out->clear();
  if (text.empty()) return Status::Ok();
  for (std::string_view item : Split(text, ',')) {
    float value = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (error != std::errc() || end != item.data() + item.size()) {
      return InvalidArgument("metadata '" + std::string(kPreprocessEntry) + "': '" +
                             std::string(item) + "' is not a number");
    }
    out->push_back(value);
  }
  return Status::Ok();
}

std::string FormatFloatList(const std::vector<float>& values) {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) text += ',';
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, values[i]);
    text.append(buffer, result.ptr);
  }
  return text;
}

// "mean=...;std=..."; unknown keys are ignored so that later versions can add some.
Status ParsePreprocess(std::string_view text, ir::Metadata* metadata) {
  for (std::string_view part : Split(text, ';')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("metadata '" + std::string(kPreprocessEntry) + "': '" +
                             std::string(part) + "' is not key=values");
    }
    const std::string_view key = part.substr(0, eq);
    const std::string_view values = part.substr(eq + 1);
    if (key == "mean") EF_RETURN_IF_ERROR(ParseFloatList(values, &metadata->input_mean));
    if (key == "std") EF_RETURN_IF_ERROR(ParseFloatList(values, &metadata->input_std));
  }
  return Status::Ok();
}

bool IsOurEntry(const std::string& name) {
  return name == kLabelsEntry || name == kPreprocessEntry || name == kNameEntry ||
         name == kDescriptionEntry;
}

}  // namespace

Status DecodeMetadataEntry(const std::string& name, std::span<const uint8_t> bytes,
                           ir::Metadata* metadata) {
  if (name == kLabelsEntry) {
    // Present means at least one label (possibly ""), so a single empty label round-trips.
    metadata->labels.clear();
    const std::string text = AsText(bytes);
    for (std::string_view label : Split(text, '\n')) metadata->labels.emplace_back(label);
  } else if (name == kPreprocessEntry) {
    return ParsePreprocess(AsText(bytes), metadata);
  } else if (name == kNameEntry) {
    metadata->name = AsText(bytes);
  } else if (name == kDescriptionEntry) {
    metadata->description = AsText(bytes);
  } else {
    metadata->extra.emplace_back(name, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }
  return Status::Ok();
}

StatusOr<std::vector<std::pair<std::string, std::vector<uint8_t>>>> EncodeMetadataEntries(
    const ir::Metadata& metadata) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> entries;
  if (!metadata.labels.empty()) {
    std::string joined;
    for (size_t i = 0; i < metadata.labels.size(); ++i) {
      if (metadata.labels[i].find('\n') != std::string::npos) {
        return InvalidArgument("metadata: label " + std::to_string(i) +
                               " contains a line break; labels are stored one per line");
      }
      if (i) joined += '\n';
      joined += metadata.labels[i];
    }
    entries.emplace_back(kLabelsEntry, AsBytes(joined));
  }
  if (!metadata.input_mean.empty() || !metadata.input_std.empty()) {
    const std::string text = "mean=" + FormatFloatList(metadata.input_mean) +
                             ";std=" + FormatFloatList(metadata.input_std);
    entries.emplace_back(kPreprocessEntry, AsBytes(text));
  }
  if (!metadata.name.empty()) entries.emplace_back(kNameEntry, AsBytes(metadata.name));
  if (!metadata.description.empty()) {
    entries.emplace_back(kDescriptionEntry, AsBytes(metadata.description));
  }
  for (const auto& [name, bytes] : metadata.extra) {
    if (IsOurEntry(name)) {
      return InvalidArgument("metadata: extra entry '" + name +
                             "' uses a name edgeforge reserves for its own fields");
    }
    entries.emplace_back(name, bytes);
  }
  return entries;
}

}  // namespace edgeforge::tflite
