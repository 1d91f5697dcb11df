// Commands that run in a sibling executable, installed in the same folder as `edgeforge` (the
// way git runs its subcommands): `edgeforge train` (all but --head-only) runs edgeforge-train,
// `edgeforge export onnx` runs edgeforge-export-onnx, `edgeforge serve` runs edgeforge-serve.
// So `edgeforge` itself never links or loads what only they need: LibTorch, protobuf and ONNX,
// cpp-httplib with OpenSSL and brotli. The arguments after the subcommand are handed over
// verbatim (--help included) and the sibling replaces the process (execv), so its output, exit
// code and process id are those of the `edgeforge` command.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"

namespace edgeforge::cli {

// What `edgeforge --help` and the siblings' own help say of the commands they run.
inline constexpr const char* kExportDescription = "Convert a model to another format";
inline constexpr const char* kExportOnnxDescription =
    "Write a .tflite model as ONNX (float as plain ONNX, int8/uint8 in QDQ form) for ONNX Runtime";
inline constexpr const char* kServeDescription =
    "Serve a classifier over HTTP: POST /v1/classify, GET /v1/model, GET /healthz";

// <folder of the running executable>/<name> (from /proc/self/exe; ./<name> when that cannot be
// read).
std::filesystem::path SiblingPath(std::string_view name);

// Replaces this process with the executable at `path`, run with `args` (argv[0] is `path`).
// Returns only on failure, after printing "edgeforge: error: ...", with kExitBadInput; when
// `path` does not exist the message is "<why_needed>; it is not at <path>".
int ExecSibling(const std::filesystem::path& path, const std::vector<std::string>& args,
                const std::string& why_needed);

// Makes `app`, the subcommand `edgeforge <command>`, a handoff: everything after it on the
// command line, flags and --help included, goes verbatim to the sibling executable `sibling`.
void AddSiblingHandoff(CLI::App* app, std::vector<Command>& commands, const std::string& command,
                       const std::string& sibling);

// main() of a sibling executable: parses its arguments as `edgeforge <words...> <arguments>`
// with the subcommand that `add` registers, so help, usage errors and exit codes are those the
// command had when it was part of `edgeforge`.
int RunSiblingMain(int argc, char** argv, const std::vector<std::string>& words,
                   void (*add)(CLI::App&, std::vector<Command>&));

}  // namespace edgeforge::cli
