// edgeforge-lite: the device binary (cmake/device.cmake). Only the commands that run a model
// (info, run, classify, bench), so it links against the inference modules alone and stays small;
// everything else is in the full `edgeforge`. In its own folder because the full CLI globs
// src/cli/*.cc, and this file has a main() of its own.
#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace edgeforge::cli;
  CLI::App app{"edgeforge-lite: run TensorFlow Lite image classifiers on the device"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "edgeforge-lite 0.1.0");
  std::vector<Command> commands;
  AddInfoCommand(app, commands);
  AddRunCommand(app, commands);
  AddClassifyCommand(app, commands);
  AddBenchCommand(app, commands);
  return ParseAndRun(app, commands, argc, argv, "edgeforge-lite");
}
