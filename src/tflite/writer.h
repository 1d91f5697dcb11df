// Writing an ir::Graph as a .tflite file that the official TFLite runtime (and the Edge TPU
// compiler) load.
//
// Layout: schema version 3, one subgraph; buffer 0 is the empty sentinel and every constant
// tensor gets its own buffer with 16-byte aligned data (so a mapped file is used in place);
// operator codes are deduplicated by (builtin code, custom code, version) and carry both the
// old byte-sized code (min(code, 127)) and the 32-bit one; Graph::metadata is written as
// edgeforge's metadata entries plus every entry of Metadata::extra (see metadata.h).
//
// Refused with a clear error: training-only ops (BATCH_NORM, DROPOUT: run the ir passes
// first), builtins read as kUnsupportedBuiltin whose options were not kept (see op_options.h;
// custom ops round-trip with their options bytes), graphs whose tensors or ops break the
// reader's rules (so whatever is written reads back), and graphs read from a file with more
// than one subgraph (only subgraph 0 was read; set subgraph_count = 1 to write it alone).
// Not written: quantization min/max, SignatureDefs, subgraph names of the source file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::tflite {

StatusOr<std::vector<uint8_t>> WriteModel(const ir::Graph& graph);

// WriteModel, then core::WriteFileAtomic; errors start with `path`.
Status WriteModelFile(const ir::Graph& graph, const std::string& path);

}  // namespace edgeforge::tflite
