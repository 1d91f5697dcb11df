// Helpers for the ONNX export tests (header-only: test sources are globbed into one binary):
// where ONNX Runtime is installed and how to run it, and running edgeforge on raw inputs.
//
// ONNX Runtime is onnxruntime-node, npm-installed from tests/ort/package.json into
// <build>/ort (scripts/test.sh does it; see tests/ort/run_ort.mjs), or wherever EF_ORT_DIR says.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "edgeforge/interpreter.h"
#include "test_util.h"

namespace edgeforge::testing {

inline std::string OrtDir() {
  const char* env = std::getenv("EF_ORT_DIR");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string(EF_BINARY_DIR) + "/ort";
}

inline bool OrtInstalled() {
  return std::filesystem::exists(OrtDir() + "/node_modules/onnxruntime-node/package.json");
}

inline std::string OrtInstallHint() {
  return "ONNX Runtime is not installed in " + OrtDir() + "; install it with: mkdir -p " + OrtDir() +
         " && cp " + EF_SOURCE_DIR + "/tests/ort/package.json " + OrtDir() + " && (cd " + OrtDir() +
         " && npm install --ignore-scripts --no-audit --no-fund --no-package-lock)";
}

// Runs `model` in ONNX Runtime once per (input file, output file) pair, one session for all.
inline CommandResult RunOrt(const std::string& model,
                            const std::vector<std::pair<std::string, std::string>>& inputs_outputs) {
  std::string command = "node '" + std::string(EF_SOURCE_DIR) + "/tests/ort/run_ort.mjs' --ort-dir '" + OrtDir() +
                        "' '" + model + "'";
  for (const auto& [in, out] : inputs_outputs) command += " '" + in + "' '" + out + "'";
  return RunShell(command);
}

// Output 0 of `model` run by edgeforge's interpreter on the raw bytes of input 0.
inline StatusOr<std::vector<uint8_t>> RunEdgeforge(const std::shared_ptr<const Model>& model,
                                                   const std::vector<uint8_t>& input) {
  EF_ASSIGN_OR_RETURN(std::unique_ptr<Interpreter> interp, Interpreter::Create(model));
  EF_RETURN_IF_ERROR(interp->SetInput(0, input));
  EF_RETURN_IF_ERROR(interp->Invoke());
  std::span<const uint8_t> out = interp->output_bytes(0);
  return std::vector<uint8_t>(out.begin(), out.end());
}

}  // namespace edgeforge::testing
