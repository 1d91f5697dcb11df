// How the `edgeforge` subcommands plug into main(): each file adds its CLI11 subcommand and the
// function that runs it. Exit codes: 0 success, 1 bad input (a file, a model, an image), 2 bad
// usage (flags).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Prints "edgeforge: error: <message>" to stderr and returns kExitBadInput (flag errors are
// caught by CLI11 before a command runs and exit with kExitUsage).
inline int ReportError(const Status& status) {
  std::fprintf(stderr, "edgeforge: error: %s\n", status.message().c_str());
  return kExitBadInput;
}

// Parses the command line and runs the chosen subcommand; `program` names the binary in usage
// errors. Shared by `edgeforge` and the device-only `edgeforge-lite`.
inline int ParseAndRun(CLI::App& app, std::vector<Command>& commands, int argc, char** argv,
                       const char* program) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: usage error: %s\nRun '%s --help' for usage.\n", program, e.what(), program);
    return kExitUsage;
  }
  for (Command& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return kExitUsage;
}

void AddInfoCommand(CLI::App& root, std::vector<Command>& commands);
void AddRunCommand(CLI::App& root, std::vector<Command>& commands);
void AddClassifyCommand(CLI::App& root, std::vector<Command>& commands);
void AddBenchCommand(CLI::App& root, std::vector<Command>& commands);
void AddEdgeTpuCommand(CLI::App& root, std::vector<Command>& commands);
void AddDequantizeCommand(CLI::App& root, std::vector<Command>& commands);
void AddExportCommand(CLI::App& root, std::vector<Command>& commands);
void AddImprintCommand(CLI::App& root, std::vector<Command>& commands);
void AddRetrainLastLayerCommand(CLI::App& root, std::vector<Command>& commands);
void AddQuantizeCommand(CLI::App& root, std::vector<Command>& commands);
void AddModelsCommand(CLI::App& root, std::vector<Command>& commands);
void AddDatasetCommand(CLI::App& root, std::vector<Command>& commands);
void AddEvaluateCommand(CLI::App& root, std::vector<Command>& commands);
void AddTrainCommand(CLI::App& root, std::vector<Command>& commands);
void AddServeCommand(CLI::App& root, std::vector<Command>& commands);
void AddMakeCommand(CLI::App& root, std::vector<Command>& commands);

}  // namespace edgeforge::cli
