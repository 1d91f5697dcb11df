// The Edge TPU compiler's own words for each operation's status, as edgetpu_compiler prints them
// in its operation log (the "Status" column). Reports use these exact strings so that users can
// search for them and compare our prediction with a real compiler log line by line.
// Where each wording was seen (compiler logs quoted in google-coral/edgetpu issues):
//   kMapped, kMoreThanOneSubgraph .......... #75, #461 (ops after the first unmapped one)
//   kNotSupported ......................... #659 (FLOOR_MOD)
//   kUnsupportedDataType .................. #222, #609; f0cal/google-coral#20 (DEQUANTIZE)
//   kVersionNotSupported .................. #396 (RESIZE_BILINEAR v3), tiny_yolo log
//   kUnspecifiedLimitation ................ #512; f0cal/google-coral#20 (QUANTIZE of a float input)
//   kUnsupportedRank ...................... #30 (CONV_2D with batch 30)
//   kDynamicSizedTensors .................. the compiler's error for a shape_signature with -1
#pragma once

namespace edgeforge::edgetpu {

inline constexpr const char* kMapped = "Mapped to Edge TPU";
inline constexpr const char* kNotSupported = "Operation not supported";
inline constexpr const char* kUnsupportedDataType =
    "Operation is working on an unsupported data type";
inline constexpr const char* kVersionNotSupported = "Operation version not supported";
inline constexpr const char* kMoreThanOneSubgraph = "More than one subgraph is not supported";
inline constexpr const char* kUnspecifiedLimitation =
    "Operation is otherwise supported, but not mapped due to some unspecified limitation";
inline constexpr const char* kUnsupportedRank =
    "Tensor has unsupported rank (up to 3 innermost dimensions mapped)";
inline constexpr const char* kDynamicSizedTensors =
    "Attempting to use a delegate that only supports static-sized tensors with a graph that has "
    "dynamic-sized tensors";

// The custom op that holds the compiled part of a model (what the compiler writes).
inline constexpr const char* kEdgeTpuCustomOp = "edgetpu-custom-op";

}  // namespace edgeforge::edgetpu
