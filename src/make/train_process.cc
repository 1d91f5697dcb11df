#include "make/train_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

extern char** environ;

namespace edgeforge::make {

namespace fs = std::filesystem;

StatusOr<std::string> FindTrainBinary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return IoError("/proc/self/exe: cannot find the running executable: " + ec.message());
  const fs::path train = self.parent_path() / "edgeforge-train";
  if (!fs::is_regular_file(train, ec) || ::access(train.c_str(), X_OK) != 0) {
    return NotFound(train.string() +
                    ": edgeforge-train not found next to edgeforge; training from scratch needs it (build with "
                    "LibTorch, Debian libtorch-dev). Transfer learning does not: pass --from PRETRAINED.tflite");
  }
  return train.string();
}

StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgument("no program to run");
  // stdout goes to a temporary file read back afterwards: no pipe to drain while waiting.
  char out_path[] = "/tmp/edgeforge-make-XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  if (out_fd < 0) return IoError(std::string("cannot create a temporary file: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_fd);
  ProcessResult result;
  if (spawned != 0) {
    ::unlink(out_path);
    return IoError(argv[0] + ": cannot start: " + std::strerror(spawned));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  std::ifstream in(out_path);
  std::stringstream text;
  text << in.rdbuf();
  result.out = text.str();
  ::unlink(out_path);
  return result;
}

StatusOr<double> ParseImagesPerSecond(const std::string& output) {
  const size_t unit = output.rfind(" images/s");
  if (unit == std::string::npos) return InvalidArgument("no 'images/s' in edgeforge-train's output: " + output);
  size_t begin = unit;
  while (begin > 0 && (std::isdigit(static_cast<unsigned char>(output[begin - 1])) || output[begin - 1] == '.')) {
    --begin;
  }
  const double rate = std::strtod(output.substr(begin, unit - begin).c_str(), nullptr);
  if (!(rate > 0)) return InvalidArgument("edgeforge-train reported no training speed: " + output);
  return rate;
}

TrainingSchedule ScheduleForBudget(double budget_minutes, double images_per_second, size_t train_examples,
                                   size_t classes) {
  TrainingSchedule schedule;
  if (train_examples == 0 || !(images_per_second > 0)) return schedule;
  const double images = 0.8 * budget_minutes * 60.0 * images_per_second;
  const double epochs = images / static_cast<double>(train_examples);
  if (epochs >= 1) {
    schedule.epochs = static_cast<int>(std::min(std::floor(epochs), 100.0));
  } else {
    schedule.examples = std::min(train_examples, std::max(static_cast<size_t>(images), 10 * classes));
  }
  return schedule;
}

StatusOr<std::vector<report::EpochCurve>> ReadMetricsCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound(path + ": cannot read the training metrics");
  std::string line;
  if (!std::getline(in, line)) return InvalidArgument(path + ": empty; expected a header line");
  std::map<std::string, size_t> column;
  {
    std::stringstream header(line);
    std::string name;
    for (size_t i = 0; std::getline(header, name, ','); ++i) column[name] = i;
  }
  for (const char* needed : {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"}) {
    if (!column.count(needed)) return InvalidArgument(path + ": no '" + needed + "' column in the header");
  }
  std::vector<report::EpochCurve> curves;
  for (int row = 2; std::getline(in, line); ++row) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    auto value = [&](const char* name) {
      const size_t i = column[name];
      return i < cells.size() ? std::strtod(cells[i].c_str(), nullptr) : std::nan("");
    };
    report::EpochCurve e;
    e.epoch = static_cast<int>(value("epoch"));
    e.train_loss = value("train_loss");
    e.train_accuracy = value("train_accuracy");
    e.val_loss = value("val_loss");
    e.val_accuracy = value("val_accuracy");
    if (e.epoch <= 0) return InvalidArgument(path + ":" + std::to_string(row) + ": expected an epoch number");
    curves.push_back(e);
  }
  return curves;
}

}  // namespace edgeforge::make
