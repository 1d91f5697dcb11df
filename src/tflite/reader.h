// Reading .tflite files into an ir::Graph. This is where untrusted bytes enter edgeforge, so
// nothing is read before it is checked:
//   1. the bytes must carry the "TFL3" identifier and pass the flatbuffers Verifier (every
//      offset, vector and string lies inside the buffer);
//   2. then our own checks: schema version 3; buffer, tensor and opcode indices in range (-1
//      only for optional op inputs); constant data exactly shape x dtype bytes; consistent
//      quantization arrays; options of the ops we run (strides >= 1, known enums, ...);
//   3. only then are values copied into the graph, and no more than a few times the file's size
//      (flatbuffers let many tables share one vector; a small file must not expand without
//      bound).
// Every error names the source and what was wrong, e.g.
//   "m.tflite: tensor 12 'conv1/weights': buffer holds 100 bytes, shape [8,3,3,3] int8 needs 216".
//
// Constant tensors view the input bytes (never copied; Tensor::data_owner keeps them alive),
// except data not aligned to its element size, which is copied so kernels can read it safely.
// Only subgraph 0 is read (Graph::subgraph_count says how many the file had). Builtins we do
// not run become kUnsupportedBuiltin (named by Op::builtin_code), custom ops kCustom with their
// options bytes; tensor types outside ours (string, complex, float64, ...) are an error.
// Model.metadata: edgeforge's entries fill Graph::metadata (see metadata.h), others go to
// Metadata::extra; Model.description becomes Graph::description.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::tflite {

// Reads a model from `bytes`, which `owner` keeps alive (the graph's constant tensors point
// into them; with a null owner the caller must keep the bytes alive as long as the graph).
// `source_name` (a file name) starts every error message. Files over 2 GiB are read when their
// flatbuffer lies in the first 2 GiB and constants follow it (Buffer.offset / size).
StatusOr<ir::Graph> ReadModel(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                              const std::string& source_name);

// Maps `path` read-only and reads it; the graph's constants view the mapping.
StatusOr<ir::Graph> ReadModelFile(const std::string& path);

}  // namespace edgeforge::tflite
