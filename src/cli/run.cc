// edgeforge run MODEL --input IN.bin [--input IN1.bin ...] --output OUT.bin
// Raw little-endian tensors in (one file per graph input, in order), output 0's raw bytes out:
// the format of the goldens in ../shared/testdata/golden.
#include <memory>

#include "cli/command.h"
#include "core/file.h"
#include "edgeforge/interpreter.h"

namespace edgeforge::cli {

namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string output;
  int threads = 1;
};

int RunRun(const RunArgs& a) {
  auto model = Model::FromFile(a.model);
  if (!model.ok()) return ReportError(model.status());
  auto interp = Interpreter::Create(model.value(), {a.threads});
  if (!interp.ok()) return ReportError(interp.status());
  Interpreter& it = *interp.value();
  if (a.inputs.size() != it.num_inputs()) {
    return ReportError(InvalidArgument(a.model + " has " + std::to_string(it.num_inputs()) + " inputs, " +
                                       std::to_string(a.inputs.size()) + " --input files were given"));
  }
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    auto bytes = core::ReadFile(a.inputs[i]);
    if (!bytes.ok()) return ReportError(bytes.status());
    Status s = it.SetInput(i, bytes.value());
    if (!s.ok()) return ReportError(s.WithContext(a.inputs[i]));
  }
  Status s = it.Invoke();
  if (!s.ok()) return ReportError(s);
  s = core::WriteFileAtomic(a.output, it.output_bytes(0));
  if (!s.ok()) return ReportError(s);
  return kExitOk;
}

}  // namespace

void AddRunCommand(CLI::App& root, std::vector<Command>& commands) {
  auto* app = root.add_subcommand("run", "Run a model on raw tensors; write output 0's raw bytes");
  auto args = std::make_shared<RunArgs>();
  app->add_option("model", args->model, "a .tflite file")->required();
  app->add_option("--input", args->inputs, "raw little-endian bytes of an input, in input order")
      ->required()->take_all();
  app->add_option("--output", args->output, "file to write output 0's raw bytes to")->required();
  app->add_option("--threads", args->threads, "threads")->check(CLI::Range(1, 256));
  commands.push_back({app, [args] { return RunRun(*args); }});
}

}  // namespace edgeforge::cli
