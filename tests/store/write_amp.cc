// zp-store-writeamp: measures the store's write path directly (no sockets):
// bytes the process writes to disk per durable commit (/proc/self/io
// write_bytes) and commands/s of applyBatch, on a store grown to a given
// number of records. Usage:
//   zp-store-writeamp [records=100000] [batch=256] [commits=50] [zones=100]
// Each measured commit creates `batch` A records spread over the zones
// (random-looking uuids, like production). Prints one line per phase.

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

uint64_t writeBytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  throw std::runtime_error("no write_bytes in /proc/self/io");
}

// Bytes written to the device that holds `path`, by every process
// (/proc/diskstats, sectors written * 512): what really reached the disk.
uint64_t deviceWriteBytes(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
  std::ifstream in("/proc/diskstats");
  unsigned major = 0, minor = 0;
  std::string name;
  uint64_t f[7] = {};
  std::string rest;
  while (in >> major >> minor >> name >> f[0] >> f[1] >> f[2] >> f[3] >> f[4] >> f[5] >> f[6]) {
    std::getline(in, rest);
    if (major == ::major(st.st_dev) && minor == ::minor(st.st_dev)) return f[6] * 512;
  }
  return 0;  // not a block device (tmpfs, overlay): reported as 0
}

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

struct Phase {
  double cpu = 0;
  uint64_t bytes = 0;
  uint64_t deviceBytes = 0;
  double seconds = 0;
  size_t commits = 0;
  size_t commands = 0;
};

class Driver {
 public:
  Driver(const std::string& dir, size_t zones) : dir_(dir) {
    StoreOptions o;
    o.dir = dir;
    o.mapSize = size_t{8} << 30;
    o.zonesPerUser = 100000;
    o.recordsPerZone = 1000000;
    store_ = std::make_unique<Store>(o);
    std::vector<Cmd> cmds;
    cmds.reserve(zones);
    for (size_t i = 0; i < zones; ++i) {
      cmds.emplace_back("bench", createZone("z" + std::to_string(i) + ".bench.test"));
    }
    std::vector<schema::Command::Reader> readers;
    for (auto& c : cmds) readers.push_back(c.reader());
    BatchResult r = store_->applyBatch(readers);
    for (auto& w : r.replies) {
      Msg m(w.asPtr());
      if (!m.reply().getBody().isZone()) throw std::runtime_error("zone creation failed");
      zones_.emplace_back(m.reply().getBody().getZone().getZone().getUuid().cStr());
    }
  }

  // Applies `commits` batches of `batch` record creations.
  Phase run(size_t commits, size_t batch) {
    Phase p;
    const double cpuBefore = cpuSeconds();
    const uint64_t before = writeBytes();
    const uint64_t deviceBefore = deviceWriteBytes(dir_);
    const auto start = std::chrono::steady_clock::now();
    for (size_t c = 0; c < commits; ++c) {
      std::vector<Cmd> cmds;
      cmds.reserve(batch);
      for (size_t i = 0; i < batch; ++i, ++n_) {
        cmds.emplace_back("bench", createRecord(zones_[n_ % zones_.size()], schema::RecordType::A,
                                                "r" + std::to_string(n_),
                                                "192.0.2." + std::to_string(n_ % 250 + 1)));
      }
      std::vector<schema::Command::Reader> readers;
      for (auto& cmd : cmds) readers.push_back(cmd.reader());
      BatchResult r = store_->applyBatch(readers);
      if (r.events.size() != batch) throw std::runtime_error("a command failed");
      ++p.commits;
      p.commands += batch;
    }
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    p.bytes = writeBytes() - before;
    p.cpu = cpuSeconds() - cpuBefore;
    p.deviceBytes = deviceWriteBytes(dir_) - deviceBefore;
    return p;
  }
  size_t records() const { return n_; }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::vector<std::string> zones_;
  size_t n_ = 0;
};

void print(const char* what, size_t records, size_t batch, const Phase& p) {
  const auto commits = static_cast<double>(p.commits);
  const auto commands = static_cast<double>(p.commands);
  std::printf(
      "%-8s records=%zu batch=%zu commits=%zu  write_bytes %.2f MB/commit  device %.2f MB/commit "
      "(%.1f KB/command)  %.0f commands/s  %.2f ms/commit (cpu %.2f ms)\n",
      what, records, batch, p.commits, static_cast<double>(p.bytes) / 1e6 / commits,
      static_cast<double>(p.deviceBytes) / 1e6 / commits,
      static_cast<double>(p.deviceBytes) / 1e3 / commands, commands / p.seconds,
      p.seconds * 1e3 / commits, p.cpu * 1e3 / commits);
}

int main(int argc, char** argv) {
  const size_t records = argc > 1 ? std::stoul(argv[1]) : 100000;
  const size_t batch = argc > 2 ? std::stoul(argv[2]) : 256;
  const size_t commits = argc > 3 ? std::stoul(argv[3]) : 50;
  const size_t zones = argc > 4 ? std::stoul(argv[4]) : 100;
  TempDir dir;
  // A sixth argument keeps the store there (for mdb_stat).
  Driver d(argc > 5 ? std::string(argv[5]) : dir.path() + "/store", zones);
  size_t fillBatch = 1000;
  while (d.records() < records) {
    const size_t left = records - d.records();
    const size_t step = std::min<size_t>(left, fillBatch * 20);
    Phase p =
        d.run(step / fillBatch == 0 ? 1 : step / fillBatch, step < fillBatch ? step : fillBatch);
    print("fill", d.records(), fillBatch, p);
  }
  print("measure", d.records(), batch, d.run(commits, batch));
  print("measure", d.records(), 32, d.run(commits, 32));
  return 0;
}

}  // namespace
}  // namespace zp::store::testing

int main(int argc, char** argv) { return zp::store::testing::main(argc, argv); }
