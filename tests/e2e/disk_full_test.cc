// A full disk under the store, end to end (issue 12): the store's LMDB lives
// on a small tmpfs which a ballast file fills. Writes then answer
// 507 insufficient_storage with the documented JSON body, reads keep working,
// every acknowledged record stays stored and served, and once the ballast is
// gone writes work again without a restart. Needs `mount -t tmpfs` (root);
// skipped with a message where mounting is not permitted.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using std::chrono::milliseconds;

const std::string kZones = "/api/v1/dns-zones/";

// A tmpfs of `megabytes` mounted on a fresh directory; unmounted (lazily) and
// removed on destruction. ok() is false (with why()) where mounting fails.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(int megabytes) {
    char dir[] = "/tmp/zp-full-XXXXXX";
    if (::mkdtemp(dir) == nullptr) {
      why_ = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    path_ = dir;
    const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0755";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      why_ = std::string("mount -t tmpfs: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    if (!path_.empty()) ::rmdir(path_.c_str());
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  bool ok() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::string& path() const { return path_; }
  size_t freeBytes() const {
    struct statvfs s {};
    if (::statvfs(path_.c_str(), &s) != 0) return 0;
    return static_cast<size_t>(s.f_bavail) * s.f_frsize;
  }

 private:
  std::string path_;
  std::string why_;
  bool mounted_ = false;
};

rapidjson::Document json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  return d;
}

// Leaves about `keep` bytes free on `fs` with a ballast file; returns its path.
std::string fillUpTo(const SmallTmpfs& fs, size_t keep) {
  const std::string ballast = fs.path() + "/ballast";
  const size_t room = fs.freeBytes();
  std::ofstream out(ballast, std::ios::binary);
  const std::string chunk(1 << 16, '\0');
  for (size_t written = 0; written + chunk.size() + keep < room; written += chunk.size()) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  }
  return ballast;
}

TEST(DiskFullTest, WritesAnswer507ReadsWorkAndWritesResumeOnceThereIsRoom) {
  SmallTmpfs fs(16);
  if (!fs.ok()) GTEST_SKIP() << "cannot mount a small tmpfs here (" << fs.why() << ")";
  StackOptions options;
  options.extraConfig = {"store.dir = " + fs.path() + "/store", "quota.records_per_zone = 100000"};
  Stack stack(options);

  auto created = stack.http("POST", kZones, R"({"domain": "full.test"})", stack.token());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string uuid = json(created.body)["uuid"].GetString();
  const std::string records = kZones + uuid + "/records/";

  // Leave about 256 KiB free on the store's file system.
  ASSERT_GT(fs.freeBytes(), size_t{1} << 20);
  const std::string ballast = fillUpTo(fs, size_t{256} << 10);

  // Writes until the store refuses one; every refusal is the documented 507.
  const std::string value(200, 'v');
  int acknowledged = 0;
  HttpResponse refused;
  for (int i = 0; i < 20000 && refused.status == 0; ++i) {
    auto r = stack.http("POST", records,
                        R"({"record_type": "TXT", "name": "r)" + std::to_string(i) +
                            R"(", "value": ")" + value + R"("})",
                        stack.token());
    if (r.status == 201) {
      ++acknowledged;
    } else {
      refused = r;
    }
  }
  ASSERT_EQ(refused.status, 507) << refused.body;
  EXPECT_NE(refused.header("content-type").find("application/json"), std::string::npos);
  auto error = json(refused.body);
  ASSERT_TRUE(error.IsObject()) << refused.body;
  EXPECT_STREQ(error["error_code"].GetString(), "insufficient_storage");
  EXPECT_GT(acknowledged, 0);

  // Reads keep working and count every acknowledged record; the last one is served.
  auto detail = stack.http("GET", kZones + uuid + "/", "", stack.token());
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(json(detail.body)["record_count"].GetInt(), acknowledged);
  const std::string last = "r" + std::to_string(acknowledged - 1) + ".full.test";
  EXPECT_TRUE(Stack::waitFor([&] { return !stack.dig(last, "TXT").empty(); }, milliseconds(30000)))
      << last << " was acknowledged but is not served";

  // Room again: writes work without a restart, and are served.
  std::filesystem::remove(ballast);
  auto again =
      stack.http("POST", records, R"({"record_type": "A", "name": "again", "value": "192.0.2.7"})",
                 stack.token());
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_TRUE(Stack::waitFor([&] { return !stack.dig("again.full.test", "A").empty(); },
                             milliseconds(30000)));
}

// The pusher's zone directory full (named keeps its journals there too): a
// new zone cannot be published and its status says why, every zone keeps
// serving its last version; once there is room the new zone and the changes
// made meanwhile are deployed by the renderer's retries.
TEST(DiskFullTest, APusherWithAFullZoneDirectorySaysSoAndCatchesUp) {
  SmallTmpfs fs(8);
  if (!fs.ok()) GTEST_SKIP() << "cannot mount a small tmpfs here (" << fs.why() << ")";
  StackOptions options;
  options.extraConfig = {"push.zone_dir = " + fs.path() + "/zones"};
  Stack stack(options);

  auto first = stack.http("POST", kZones, R"({"domain": "served.test"})", stack.token());
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string servedUuid = json(first.body)["uuid"].GetString();
  const std::string servedRecords = kZones + servedUuid + "/records/";
  auto before =
      stack.http("POST", servedRecords,
                 R"({"record_type": "A", "name": "before", "value": "192.0.2.8"})", stack.token());
  ASSERT_EQ(before.status, 201) << before.body;
  ASSERT_TRUE(Stack::waitFor([&] { return !stack.dig("before.served.test", "A").empty(); },
                             milliseconds(30000)));

  const std::string ballast = fillUpTo(fs, 0);
  // Whatever is left goes too (the last partial chunk).
  {
    std::ofstream more(fs.path() + "/ballast2", std::ios::binary);
    const std::string page(4096, '\0');
    while (more.write(page.data(), static_cast<std::streamsize>(page.size()))) {
      more.flush();
      if (fs.freeBytes() == 0) break;
    }
  }
  auto lastError = [&](const std::string& uuid) -> std::string {
    auto d = json(stack.http("GET", kZones + uuid + "/", "", stack.token()).body);
    if (!d.IsObject() || !d.HasMember("last_error") || !d["last_error"].IsString()) return "";
    return d["last_error"].GetString();
  };

  auto created = stack.http("POST", kZones, R"({"domain": "waiting.test"})", stack.token());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string uuid = json(created.body)["uuid"].GetString();
  EXPECT_TRUE(Stack::waitFor([&] { return !lastError(uuid).empty(); }, milliseconds(30000)))
      << "the new zone's status never showed why it is not deployed";
  EXPECT_NE(lastError(uuid).find("cannot write"), std::string::npos) << lastError(uuid);
  EXPECT_EQ(stack.digQuery("waiting.test", "SOA").status, "REFUSED");

  // A change to a zone named serves: named journals it in the same directory,
  // which may or may not still hold its few bytes; either way the zone keeps
  // serving and the change is out once there is room.
  auto changed =
      stack.http("POST", servedRecords,
                 R"({"record_type": "A", "name": "www", "value": "192.0.2.9"})", stack.token());
  ASSERT_EQ(changed.status, 201) << changed.body;
  EXPECT_FALSE(stack.dig("before.served.test", "A").empty()) << "the last version stopped serving";

  std::filesystem::remove(ballast);
  std::filesystem::remove(fs.path() + "/ballast2");
  EXPECT_TRUE(
      Stack::waitFor([&] { return stack.digQuery("waiting.test", "SOA").status == "NOERROR"; },
                     milliseconds(30000)))
      << "the new zone was not deployed once the zone directory had room";
  EXPECT_TRUE(Stack::waitFor([&] { return !stack.dig("www.served.test", "A").empty(); },
                             milliseconds(30000)))
      << "the change was not deployed once the zone directory had room";
}

}  // namespace
}  // namespace zp::e2e
