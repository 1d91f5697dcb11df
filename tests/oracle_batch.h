// Many (model, input) runs through the TFLite oracle in one Node process: starting Node and
// loading the LiteRT wasm takes most of a second, so tests that compare dozens of models and
// inputs queue them and run them all at once.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "quant_test_graphs.h"
#include "test_util.h"

namespace edgeforge::testing {

class OracleBatch {
 public:
  // Inputs, outputs and the script go to `dir`, which must outlive Run().
  explicit OracleBatch(std::string dir) : dir_(std::move(dir)) {}

  // Queues output 0 of the model at `model_path` on `input`; returns its index for output().
  size_t Add(const std::string& model_path, const std::vector<uint8_t>& input) {
    const size_t index = jobs_.size();
    const std::string in = dir_ + "/oracle_in_" + std::to_string(index) + ".bin";
    WriteBytes(in, input);
    jobs_.push_back({model_path, in, dir_ + "/oracle_out_" + std::to_string(index) + ".bin"});
    return index;
  }

  // Runs every queued job; false (with a test failure naming the error) when the oracle failed.
  bool Run() {
    EXPECT_TRUE(std::filesystem::exists(QuantOracleScript()))
        << "The TFLite oracle is not installed at " << QuantOracleScript() << " (scripts/test.sh installs it)";
    const std::string list = dir_ + "/oracle_jobs.txt", script = dir_ + "/oracle_batch.mjs";
    {
      std::ofstream out(list);
      for (const Job& j : jobs_) out << j.model << '\t' << j.input << '\t' << j.output << '\n';
    }
    {
      // Models are loaded once each, in the order they were queued.
      std::ofstream out(script);
      out << "import fs from 'node:fs';\n"
             "import { pathToFileURL } from 'node:url';\n"
             "const { loadModel } = await import(pathToFileURL(process.argv[2]).href);\n"
             "const jobs = fs.readFileSync(process.argv[3], 'utf8').split('\\n').filter((l) => l)"
             ".map((l) => l.split('\\t'));\n"
             "let current = null, model = null;\n"
             "try {\n"
             "  for (const [path, input, output] of jobs) {\n"
             "    if (path !== current) {\n"
             "      if (model) model.dispose();\n"
             "      model = await loadModel(new Uint8Array(fs.readFileSync(path)));\n"
             "      current = path;\n"
             "    }\n"
             "    const result = (await model.run([new Uint8Array(fs.readFileSync(input))]))[0];\n"
             "    fs.writeFileSync(output, result);\n"
             "  }\n"
             "} catch (e) { console.error(`FAILED on ${current}: ${e.message ?? e}`); process.exit(1); }\n";
    }
    const CommandResult r =
        RunShell("node '" + script + "' '" + QuantOracleScript() + "' '" + list + "'");
    EXPECT_EQ(r.exit_code, 0) << "oracle failed: " << r.err;
    return r.exit_code == 0;
  }

  // Output `index` after Run().
  std::vector<uint8_t> output(size_t index) const { return ReadBytes(jobs_.at(index).output); }

 private:
  struct Job {
    std::string model, input, output;
  };
  std::string dir_;
  std::vector<Job> jobs_;
};

}  // namespace edgeforge::testing
