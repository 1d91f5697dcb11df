// Shared helpers for the test suite: where the shared test data lives, temporary folders,
// and running the `edgeforge` command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgeforge::testing {

// ../shared/testdata/<relative>.
std::string TestData(const std::string& relative);

// A fresh empty folder under the build tree, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal (a crash)
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs `edgeforge <args>` (args are passed to the shell as written; quote as needed).
CommandResult RunCli(const std::string& args);
// Runs any shell command.
CommandResult RunShell(const std::string& command);

std::vector<uint8_t> ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace edgeforge::testing
