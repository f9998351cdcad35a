// The durable cursor file and the named-checkzone gate.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pipelines/render/checkzone.h"
#include "pipelines/render/cursor_file.h"

namespace zp::render {
namespace {

namespace fs = std::filesystem;

// A fresh directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "zp-render-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(CursorFile, StartsAtZeroAndRoundTrips) {
  TempDir dir;
  CursorFile cursor(dir.path() + "/state");
  EXPECT_EQ(cursor.load(), 0u);
  for (uint64_t v : {uint64_t{1}, uint64_t{42}, UINT64_MAX}) {
    cursor.save(v);
    EXPECT_EQ(CursorFile(dir.path() + "/state").load(), v);
  }
  EXPECT_FALSE(fs::exists(dir.path() + "/state/cursor.tmp"));
}

TEST(CursorFile, GarbageIsAnErrorNotAZero) {
  TempDir dir;
  CursorFile cursor(dir.path());
  for (const char* text : {"", "abc", "12x", "-1", "99999999999999999999999", " 5"}) {
    writeText(cursor.path(), text);
    EXPECT_THROW((void)cursor.load(), std::runtime_error) << "`" << text << "`";
  }
  writeText(cursor.path(), "17\n");
  EXPECT_EQ(cursor.load(), 17u);
}

const char* kGoodZone =
    "example.test. 300 IN SOA ns1.zonepipe.test. hostmaster.zonepipe.test. 7 3600 600 1209600 "
    "300\n"
    "example.test. 3600 IN NS ns1.zonepipe.test.\n"
    "www.example.test. 300 IN A 192.0.2.1\n";

TEST(ZoneChecker, VerdictsOfNamedCheckzone) {
  TempDir dir;
  struct Case {
    const char* name;
    std::string program;
    std::string zone;
    CheckVerdict verdict;
    const char* messagePart;
  } cases[] = {
      {"valid zone", "named-checkzone", kGoodZone, CheckVerdict::kAccepted, ""},
      {"CNAME beside A", "named-checkzone",
       std::string(kGoodZone) + "www.example.test. 300 IN CNAME other.test.\n",
       CheckVerdict::kRefused, "CNAME and other data"},
      {"no SOA", "named-checkzone", "www.example.test. 300 IN A 192.0.2.1\n",
       CheckVerdict::kRefused, "example.test"},
      {"program missing", "/nonexistent/named-checkzone", kGoodZone, CheckVerdict::kFailed,
       "could not start"},
  };
  for (const auto& c : cases) {
    ZoneChecker checker(c.program, dir.path());
    const CheckResult result = checker.check("example.test", c.zone);
    EXPECT_EQ(result.verdict, c.verdict) << c.name << ": " << result.message;
    EXPECT_NE(result.message.find(c.messagePart), std::string::npos)
        << c.name << ": " << result.message;
    EXPECT_EQ(result.message.find(dir.path()), std::string::npos) << "temp path leaked";
  }
  EXPECT_TRUE(fs::is_empty(dir.path())) << "temporary files left behind";
}

TEST(ZoneChecker, UnwritableTempDirIsAFailureNotARefusal) {
  ZoneChecker checker("named-checkzone", "/nonexistent-dir");
  EXPECT_EQ(checker.check("example.test", kGoodZone).verdict, CheckVerdict::kFailed);
}

}  // namespace
}  // namespace zp::render
