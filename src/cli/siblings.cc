#include "cli/siblings.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace edgeforge::cli {

namespace {

// argv for execv and CLI11: pointers into `args`, then a null.
std::vector<char*> PointersTo(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

std::filesystem::path SiblingPath(std::string_view name) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path(".") : self.parent_path()) / name;
}

int ExecSibling(const std::filesystem::path& path, const std::vector<std::string>& args,
                const std::string& why_needed) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ReportError(NotFound(why_needed + "; it is not at " + path.string()));
  std::vector<std::string> owned = {path.string()};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv = PointersTo(owned);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(argv[0], argv.data());
  return ReportError(IoError(path.string() + ": cannot run: " + std::strerror(errno)));
}

void AddSiblingHandoff(CLI::App* app, std::vector<Command>& commands, const std::string& command,
                       const std::string& sibling) {
  app->prefix_command();  // every argument after the subcommand is kept, in order, for the sibling
  app->set_help_flag();   // --help too: the sibling answers it
  const std::string why =
      "'edgeforge " + command + "' runs " + sibling + ", which is built and installed with edgeforge";
  commands.push_back({app, [app, sibling, why] { return ExecSibling(SiblingPath(sibling), app->remaining(), why); }});
}

int RunSiblingMain(int argc, char** argv, const std::vector<std::string>& words,
                   void (*add)(CLI::App&, std::vector<Command>&)) {
  CLI::App app{"edgeforge", "edgeforge"};
  app.require_subcommand(1);
  std::vector<Command> commands;
  add(app, commands);
  std::vector<std::string> args = {"edgeforge"};
  args.insert(args.end(), words.begin(), words.end());
  args.insert(args.end(), argv + 1, argv + argc);
  std::vector<char*> pointers = PointersTo(args);
  return ParseAndRun(app, commands, static_cast<int>(args.size()), pointers.data(), "edgeforge");
}

}  // namespace edgeforge::cli
