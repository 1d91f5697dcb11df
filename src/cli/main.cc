// edgeforge: train, quantize, check and run TensorFlow Lite image classifiers.
#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace edgeforge::cli;
  CLI::App app{"edgeforge: run, check and retrain TensorFlow Lite image classifiers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "edgeforge 0.1.0");
  std::vector<Command> commands;
  AddInfoCommand(app, commands);
  AddRunCommand(app, commands);
  AddClassifyCommand(app, commands);
  AddBenchCommand(app, commands);
  AddEdgeTpuCommand(app, commands);
  AddDequantizeCommand(app, commands);
  AddExportCommand(app, commands);
  AddImprintCommand(app, commands);
  AddRetrainLastLayerCommand(app, commands);
  AddQuantizeCommand(app, commands);
  AddModelsCommand(app, commands);
  AddDatasetCommand(app, commands);
  AddEvaluateCommand(app, commands);
  AddTrainCommand(app, commands);
  AddServeCommand(app, commands);
  AddMakeCommand(app, commands);
  return ParseAndRun(app, commands, argc, argv, "edgeforge");
}
