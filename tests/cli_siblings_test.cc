// `edgeforge train` (all but --head-only), `edgeforge export onnx` and `edgeforge serve` run the
// sibling executables edgeforge-train, edgeforge-export-onnx and edgeforge-serve next to the
// binary (src/cli/siblings.h): arguments handed over verbatim, exit code passed back, a clear
// error naming the expected path when a sibling is missing, and `edgeforge` itself free of
// protobuf, ONNX and cpp-httplib's OpenSSL/brotli.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace edgeforge {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;
using testing::RunShell;
using testing::TempDir;

struct Sibling {
  std::string command;  // the words after `edgeforge`
  std::string binary;   // the executable they run
};

class CliSibling : public ::testing::TestWithParam<Sibling> {};

// A copy of the CLI alone in a fresh folder, so which siblings sit beside it is up to the test.
std::string CopyCliInto(const TempDir& tmp) {
  const std::string cli = tmp.file("edgeforge");
  fs::copy_file(EF_CLI_PATH, cli);
  fs::permissions(cli, fs::perms::owner_all);
  return cli;
}

TEST_P(CliSibling, ArgumentsReachItUnchangedAndItsExitCodeComesBack) {
  TempDir tmp;
  const std::string cli = CopyCliInto(tmp);
  {  // a stand-in that prints what it was given
    std::ofstream script(tmp.file(GetParam().binary));
    script << "#!/bin/sh\nfor a in \"$@\"; do echo \"arg:$a\"; done\nexit 3\n";
  }
  fs::permissions(tmp.file(GetParam().binary), fs::perms::owner_all);
  auto r = RunShell(cli + " " + GetParam().command + " --from m.tflite --unfreeze-from 'block 5' --lr 0.01 --help");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "arg:--from\narg:m.tflite\narg:--unfreeze-from\narg:block 5\narg:--lr\narg:0.01\narg:--help\n");
}

TEST_P(CliSibling, MissingSiblingIsAnErrorNamingWhereItShouldBe) {
  TempDir tmp;
  const std::string cli = CopyCliInto(tmp);
  auto r = RunShell(cli + " " + GetParam().command + " model.tflite --threads 1");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("edgeforge: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not at " + tmp.file(GetParam().binary)), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(Siblings, CliSibling,
                         ::testing::Values(Sibling{"train", "edgeforge-train"},
                                           Sibling{"export onnx", "edgeforge-export-onnx"},
                                           Sibling{"serve", "edgeforge-serve"}),
                         [](const ::testing::TestParamInfo<Sibling>& info) {
                           std::string name = info.param.binary.substr(info.param.binary.find('-') + 1);
                           std::erase(name, '-');
                           return name;
                         });

TEST(CliSiblings, HelpAndUsageComeFromTheSiblings) {
  auto r = RunCli("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("export"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("serve"), std::string::npos) << r.out;
  r = RunCli("serve --help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--max-image-pixels"), std::string::npos) << r.out;
  r = RunCli("export onnx --help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the .onnx file to write"), std::string::npos) << r.out;
  r = RunCli("export --help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("onnx"), std::string::npos) << r.out;
  r = RunCli("serve");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("edgeforge: usage error: model is required"), std::string::npos) << r.err;
  EXPECT_EQ(RunCli("serve m.tflite --port 70000").exit_code, 2);
  EXPECT_EQ(RunCli("export").exit_code, 2);
}

TEST(CliSiblings, EdgeforgeLinksNeitherProtobufNorTheServersLibraries) {
  auto r = RunShell(std::string("ldd ") + EF_CLI_PATH);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* library : {"libprotobuf", "libonnx", "libssl", "libcrypto", "libbrotli"}) {
    EXPECT_EQ(r.out.find(library), std::string::npos) << library << " in\n" << r.out;
  }
}

}  // namespace
}  // namespace edgeforge
