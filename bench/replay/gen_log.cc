// zp-bench-replay-gen: writes the replay benchmark's log file. It drives a
// real store (in --work, a new directory) with the bench workload
// (workload.h), then exports that store's log to --out with the code of
// `zonepipe log export`. Prints one `key=value` line per result on stdout
// (for bench/replay/run) and progress on stderr.
//
//   zp-bench-replay-gen --out FILE --work DIR [--events N] [--zones N]
//                       [--users N] [--batch N] [--map-gib N]
//
// Exit: 0 ok, 1 the generation or export failed, 100 usage.

#include <sys/resource.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "bench/replay/workload.h"
#include "pipelines/replay/log_file.h"

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "zp-bench-replay-gen: %s\n"
               "usage: zp-bench-replay-gen --out FILE --work DIR [--events N] [--zones N]\n"
               "                           [--users N] [--batch N] [--map-gib N]\n"
               "--work must not exist or be empty: the generating store is written there.\n",
               why);
  return 100;
}

bool parseCount(const char* text, uint64_t max, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v == 0 || v > max) return false;
  out = v;
  return true;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long maxRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  zp::bench::WorkloadOptions options;
  std::string out, work;
  uint64_t mapGib = 32;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + a).c_str());
    const char* v = argv[++i];
    uint64_t n = 0;
    if (a == "--out") {
      out = v;
    } else if (a == "--work") {
      work = v;
    } else if (a == "--events" && parseCount(v, uint64_t{1} << 32, n)) {
      options.events = n;
    } else if (a == "--zones" && parseCount(v, 99'999, n)) {
      options.zones = static_cast<uint32_t>(n);
    } else if (a == "--users" && parseCount(v, 10'000, n)) {
      options.users = static_cast<uint32_t>(n);
    } else if (a == "--batch" && parseCount(v, 100'000, n)) {
      options.batch = static_cast<uint32_t>(n);
    } else if (a == "--map-gib" && parseCount(v, 1024, n)) {
      mapGib = n;
    } else {
      return usage(("bad argument " + a + " " + v).c_str());
    }
  }
  if (out.empty() || work.empty()) return usage("--out and --work are required");
  std::error_code ec;
  if (std::filesystem::exists(work, ec) && !std::filesystem::is_empty(work, ec)) {
    return usage((work + " is not empty").c_str());
  }

  try {
    zp::store::StoreOptions so;
    so.dir = work + "/store";
    so.mapSize = static_cast<size_t>(mapGib) << 30;
    so.zonesPerUser = options.zones;  // the workload spreads zones over few users
    so.recordsPerZone = 1'000'000;
    // A deterministic clock that moves: one second per 1000 calls.
    uint64_t ticks = 0;
    so.clock = [&ticks] { return int64_t{1'700'000'000} + static_cast<int64_t>(ticks++ / 1000); };
    zp::store::Store store(so);

    const auto genStart = std::chrono::steady_clock::now();
    uint64_t nextReport = 0;
    auto stats = zp::bench::generateWorkload(store, options, [&](uint64_t seq) {
      if (seq < nextReport) return;
      nextReport = seq + options.events / 10;
      std::fprintf(stderr, "zp-bench-replay-gen: %" PRIu64 " of %" PRIu64 " events (%.1f s)\n", seq,
                   options.events, secondsSince(genStart));
    });
    if (!stats) {
      std::fprintf(stderr, "zp-bench-replay-gen: generation failed: %s\n",
                   stats.error().detail.c_str());
      return 1;
    }
    const double genSeconds = secondsSince(genStart);

    const auto exportStart = std::chrono::steady_clock::now();
    zp::bench::InProcessLogSource source(store);
    auto range = zp::replay::writeLogFile(source, out);
    if (!range) {
      std::fprintf(stderr, "zp-bench-replay-gen: export to %s failed: %s\n", out.c_str(),
                   range.error().detail.c_str());
      return 1;
    }
    const double exportSeconds = secondsSince(exportStart);

    std::printf("events=%" PRIu64 "\n", stats->events);
    std::printf("tokens=%" PRIu64 "\nzones=%" PRIu64 "\n", stats->tokens, stats->zones);
    std::printf("records_created=%" PRIu64 "\nrecords_updated=%" PRIu64 "\nrecords_deleted=%" PRIu64
                "\nlive_records=%" PRIu64 "\n",
                stats->recordsCreated, stats->recordsUpdated, stats->recordsDeleted,
                stats->liveRecords);
    std::printf("batches=%" PRIu64 "\n", stats->batches);
    std::printf("generate_seconds=%.3f\nexport_seconds=%.3f\n", genSeconds, exportSeconds);
    std::printf("log_bytes=%ju\n", static_cast<uintmax_t>(std::filesystem::file_size(out)));
    std::printf("max_rss_kib=%ld\n", maxRssKib());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zp-bench-replay-gen: %s\n", e.what());
    return 1;
  }
}
