// The helpers the pusher and renderer stand on: running programs without a
// shell, and atomic file publishing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/util/atomic_file.h"
#include "common/util/subprocess.h"
#include "tests/push/temp_dir.h"

namespace zp {
namespace {

using std::chrono::milliseconds;

TEST(RunProcess, OutcomesOfAChild) {
  struct Case {
    const char* name;
    std::vector<std::string> argv;
    bool started, timedOut;
    int exitCode;
    const char* output;
    const char* errors;
  } cases[] = {
      {"success with output",
       {"sh", "-c", "echo out; echo err >&2"},
       true,
       false,
       0,
       "out\n",
       "err\n"},
      {"failure status", {"sh", "-c", "exit 3"}, true, false, 3, "", ""},
      {"no shell in between", {"echo", "$HOME;", "`id`"}, true, false, 0, "$HOME; `id`\n", ""},
      {"missing program", {"/nonexistent/program"}, false, false, -1, "", ""},
      {"timeout", {"sleep", "5"}, true, true, -1, "", ""},
      {"timeout even when output is closed",
       {"sh", "-c", "exec >&- 2>&-; sleep 5"},
       true,
       true,
       -1,
       "",
       ""},
  };
  for (const auto& c : cases) {
    const auto start = std::chrono::steady_clock::now();
    const ProcessResult r = runProcess(c.argv, milliseconds(300));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3)) << c.name;
    EXPECT_EQ(r.started, c.started) << c.name;
    EXPECT_EQ(r.timedOut, c.timedOut) << c.name;
    if (!c.timedOut) {
      EXPECT_EQ(r.exitCode, c.exitCode) << c.name;
    }
    EXPECT_EQ(r.output, c.output) << c.name;
    EXPECT_EQ(r.errors, c.errors) << c.name;
    EXPECT_EQ(r.ok(), c.started && !c.timedOut && c.exitCode == 0) << c.name;
    EXPECT_FALSE(r.describe().empty()) << c.name;
  }
}

TEST(RunProcess, DescribePrefersStderrAndSaysHowItEnded) {
  EXPECT_EQ(runProcess({"sh", "-c", "echo 'a problem' >&2; exit 1"}, milliseconds(2000)).describe(),
            "a problem (exit status 1)");
  EXPECT_EQ(runProcess({"sh", "-c", "echo fine"}, milliseconds(2000)).describe(), "fine");
  EXPECT_NE(runProcess({"/nonexistent"}, milliseconds(2000)).describe().find("could not start"),
            std::string::npos);
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(WriteFileAtomically, ReplacesWholeFilesAndLeavesNoTemporary) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/zone";
  for (const std::string& text :
       {std::string("first\n"), std::string(), std::string(100000, 'x')}) {
    writeFileAtomically(path, text);
    EXPECT_EQ(readAll(path), text);
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  }
  EXPECT_THROW(writeFileAtomically(dir.path() + "/missing/zone", "x"), std::system_error);
}

}  // namespace
}  // namespace zp
