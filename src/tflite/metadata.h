// edgeforge's own entries in a .tflite's Model.metadata, and how ir::Metadata maps onto them.
//
// TFLite metadata is a list of (name, buffer) pairs. edgeforge writes:
//   edgeforge_labels       class labels joined with '\n' (index = class index)
//   edgeforge_preprocess   "mean=127.5,127.5,127.5;std=127.5,127.5,127.5" (per channel,
//                          input = (pixel - mean) / std); either list may be empty
//   edgeforge_name         ir::Metadata::name, UTF-8 text
//   edgeforge_description  ir::Metadata::description, UTF-8 text
// Entries are written only when their field is non-empty. Every other entry
// ("min_runtime_version", "TFLITE_METADATA", ...) is kept byte for byte in Metadata::extra.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::tflite {

inline constexpr char kLabelsEntry[] = "edgeforge_labels";
inline constexpr char kPreprocessEntry[] = "edgeforge_preprocess";
inline constexpr char kNameEntry[] = "edgeforge_name";
inline constexpr char kDescriptionEntry[] = "edgeforge_description";

// Adds one metadata entry read from a file to `metadata`: ours are decoded into their fields,
// any other is appended to `extra`. Fails only on a malformed edgeforge_preprocess entry.
Status DecodeMetadataEntry(const std::string& name, std::span<const uint8_t> bytes,
                           ir::Metadata* metadata);

// The entries to write for `metadata`: ours first, then `extra` in order. Fails when a label
// contains '\n' or an `extra` entry uses one of our names (it would be read back as ours).
StatusOr<std::vector<std::pair<std::string, std::vector<uint8_t>>>> EncodeMetadataEntries(
    const ir::Metadata& metadata);

}  // namespace edgeforge::tflite
