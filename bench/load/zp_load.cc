// zp-bench-load: a load generator for the zonepipe API and the named behind it.
//
//   zp-bench-load writes  --port P --token T [--connections 16] [--duration 10] [--zones 32]
//   zp-bench-load reads   --port P --token T [--connections 16] [--duration 10] [--records 100]
//   zp-bench-load get     --port P [--path /api/v1/nothing/] [--expect 404] [--connections 16]
//   zp-bench-load latency --port P --token T --dns-port D [--dns-port2 D2] [--samples 50]
//   [--records 100] zp-bench-load zones   --port P --token T --dns-port D [--zones 1000]
//   [--connections 8]
//
// Each connection is one thread with one keep-alive HTTP/1.1 connection to
// 127.0.0.1. The human-readable report goes to stderr; the last line on stdout
// is `RESULT key=value ...` for scripts (bench/run). Exit status: 0 when the
// run finished (even with errors counted), 1 when setup failed, 2 on bad usage.

#include <unistd.h>

#include <rapidjson/document.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <latch>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/load/dns_probe.h"
#include "bench/load/http_conn.h"
#include "bench/load/stats.h"

namespace zp::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint64_t kMaxRequestsPerConnection = 50'000'000;  // a bound besides the duration
constexpr int kMaxConnections = 512;
constexpr int kMaxDurationS = 600;
constexpr int kMaxSamples = 10'000;
constexpr int kMaxZones = 100'000;

struct Options {
  std::string mode;
  uint16_t port = 0;
  uint16_t dnsPort = 0;
  uint16_t dnsPort2 = 0;  // a secondary's port (latency mode): 0 = none
  std::string token;
  int connections = 16;
  int durationS = 10;
  int warmupS = 1;
  int zones = 32;
  int records = 100;
  int samples = 50;
  int intervalUs = 500;
  int gapMs = 10;
  int timeoutMs = 10000;
  int serveDeadlineMs = 5000;
  std::string path = "/api/v1/no-such-path/";
  int expect = 404;
  std::string domainSuffix = "bench.test";
  bool keep = false;  // zones: leave the zones in place (no deletion round)
  std::string run;    // zones/answered: the run label in the zones' names (default: a new one)
  int rate = 0;       // writes/reads/get: requests per second in all, paced evenly; 0 = unpaced
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(
      stderr,
      "zp-bench-load: %s\n"
      "usage: zp-bench-load writes|reads|get|latency|zones|answered|bigzone --port API_PORT\n"
      "  [--token vps_...] [--connections N] [--duration S] [--warmup S] [--zones K]\n"
      "  [--records R] [--dns-port P] [--samples N] [--interval-us U] [--gap-ms G]\n"
      "  [--timeout-ms T] [--serve-deadline-ms T] [--path P] [--expect STATUS]\n"
      "  [--domain-suffix D] [--keep 0|1] [--run LABEL] [--rate R]\n"
      "  --rate R: writes/reads/get send R requests/s in all (each connection its share,\n"
      "  on a fixed schedule, so a slow answer does not lower the offered load); 0 = unpaced\n"
      "  answered: waits until named answers the www record of each of the K zones a\n"
      "  `zones --keep 1 --run LABEL` run created (same --zones, --run, --domain-suffix)\n"
      "  bigzone: fills one zone with --records A records by change sets of 5,000, then\n"
      "  times: until named serves the last, --samples single changes -> served, three\n"
      "  pages of its records (first, middle, last), and its export\n",
      why.c_str());
  std::exit(2);
}

long numberArg(const std::string& flag, const char* text, long lo, long hi) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
    usage(flag + " wants a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
          ", not '" + text + "'");
  }
  return v;
}

Options parseOptions(int argc, char** argv) {
  if (argc < 2) usage("no mode given");
  Options o;
  o.mode = argv[1];
  if (o.mode != "writes" && o.mode != "reads" && o.mode != "get" && o.mode != "latency" &&
      o.mode != "zones" && o.mode != "answered" && o.mode != "bigzone") {
    usage("unknown mode '" + o.mode + "'");
  }
  for (int i = 2; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    const char* v = argv[i + 1];
    auto num = [&](long lo, long hi) { return static_cast<int>(numberArg(flag, v, lo, hi)); };
    if (flag == "--port")
      o.port = static_cast<uint16_t>(num(1, 65535));
    else if (flag == "--dns-port")
      o.dnsPort = static_cast<uint16_t>(num(1, 65535));
    else if (flag == "--dns-port2")
      o.dnsPort2 = static_cast<uint16_t>(num(1, 65535));
    else if (flag == "--token")
      o.token = v;
    else if (flag == "--connections")
      o.connections = num(1, kMaxConnections);
    else if (flag == "--duration")
      o.durationS = num(1, kMaxDurationS);
    else if (flag == "--warmup")
      o.warmupS = num(0, 60);
    else if (flag == "--zones")
      o.zones = num(1, kMaxZones);
    else if (flag == "--records")
      o.records = num(0, 1000000);
    else if (flag == "--samples")
      o.samples = num(1, kMaxSamples);
    else if (flag == "--interval-us")
      o.intervalUs = num(50, 1'000'000);
    else if (flag == "--gap-ms")
      o.gapMs = num(0, 10'000);
    else if (flag == "--timeout-ms")
      o.timeoutMs = num(100, 120'000);
    else if (flag == "--serve-deadline-ms")
      o.serveDeadlineMs = num(10, 120'000);
    else if (flag == "--path")
      o.path = v;
    else if (flag == "--expect")
      o.expect = num(100, 599);
    else if (flag == "--domain-suffix")
      o.domainSuffix = v;
    else if (flag == "--keep")
      o.keep = num(0, 1) == 1;
    else if (flag == "--run")
      o.run = v;
    else if (flag == "--rate")
      o.rate = num(0, 1'000'000);
    else
      usage("unknown option " + flag);
  }
  if (o.port == 0) usage("--port is required");
  if (o.mode != "get" && o.token.empty()) usage("--token is required for " + o.mode);
  if (o.mode == "answered" && o.run.empty()) usage("--run is required for answered");
  if ((o.mode == "latency" || o.mode == "zones" || o.mode == "answered" || o.mode == "bigzone") &&
      o.dnsPort == 0) {
    usage("--dns-port is required for " + o.mode);
  }
  if (o.path.empty() || o.path[0] != '/') usage("--path must start with /");
  return o;
}

double msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// A short label unique to this run, so zones of earlier runs never collide.
std::string runLabel() {
  const auto t = static_cast<unsigned long>(std::time(nullptr));
  char label[32];
  std::snprintf(label, sizeof label, "r%lx%x", t & 0xffffffUL,
                static_cast<unsigned>(::getpid()) & 0xfffU);
  return label;
}

std::string describeFailure(const Result<HttpReply>& r) {
  if (!r.ok()) return r.error().detail;
  return "HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 300);
}

// The top-level "uuid" of a JSON object body, or empty.
std::string uuidOf(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject()) return "";
  auto it = d.FindMember("uuid");
  if (it == d.MemberEnd() || !it->value.IsString()) return "";
  return it->value.GetString();
}

// Size of the top-level "records" array, or -1.
long recordsIn(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject()) return -1;
  auto it = d.FindMember("records");
  if (it == d.MemberEnd() || !it->value.IsArray()) return -1;
  return static_cast<long>(it->value.Size());
}

std::string recordBody(const std::string& name, const std::string& value) {
  return R"({"record_type": "A", "name": ")" + name + R"(", "value": ")" + value +
         R"(", "ttl": 300})";
}

std::string addressFor(uint64_t n) {
  return "198.51." + std::to_string(100 + (n / 254) % 100) + "." + std::to_string(1 + n % 254);
}

// Setup steps run before any measurement; a failure ends the program (exit 1).
class Setup {
 public:
  explicit Setup(const Options& o) : o_(o), conn_(o.port, milliseconds(o.timeoutMs)) {}

  std::string createZone(const std::string& domain) {
    const auto req = buildRequest("POST", "/api/v1/dns-zones/", o_.token,
                                  R"({"domain": ")" + domain + R"("})", o_.port);
    auto r = conn_.exchange(req);
    if (!r.ok() || r->status != 201) fail("POST /api/v1/dns-zones/ " + domain, r);
    std::string uuid = uuidOf(r->body);
    if (uuid.empty()) fail("the 201 for zone " + domain + " carries no uuid", r);
    return uuid;
  }

  void addRecord(const std::string& zone, const std::string& name, const std::string& value) {
    const auto req = buildRequest("POST", "/api/v1/dns-zones/" + zone + "/records/", o_.token,
                                  recordBody(name, value), o_.port);
    auto r = conn_.exchange(req);
    if (!r.ok() || r->status != 201) fail("POST record " + name + " into zone " + zone, r);
  }

  Result<HttpReply> addRecordReply(const std::string& path, const std::string& name,
                                   const std::string& value) {
    return conn_.exchange(buildRequest("POST", path, o_.token, recordBody(name, value), o_.port));
  }

  Result<HttpReply> get(const std::string& path) {
    return conn_.exchange(buildRequest("GET", path, o_.token, "", o_.port));
  }

  Result<HttpReply> post(const std::string& path, const std::string& body) {
    return conn_.exchange(buildRequest("POST", path, o_.token, body, o_.port));
  }

  [[noreturn]] static void fail(const std::string& what, const Result<HttpReply>& r) {
    std::fprintf(stderr, "zp-bench-load: setup failed: %s -> %s\n", what.c_str(),
                 describeFailure(r).c_str());
    std::exit(1);
  }

 private:
  const Options& o_;
  HttpConn conn_;
};

// What one connection's thread counted.
struct WorkerTally {
  uint64_t ok = 0;
  uint64_t errors = 0;
  std::map<std::string, uint64_t> failures;  // "HTTP 503" or a transport error -> count
  std::vector<double> latencyMs;             // successful requests in the measured window
  int connects = 0;
};

// Runs `connections` threads for warmup + duration; each calls `makeRequest(thread, n)` for its
// n-th request and counts replies with status `okStatus` as successes.
struct LoadResult {
  uint64_t ok = 0, errors = 0;
  double seconds = 0;
  Summary latency;
  std::map<std::string, uint64_t> failures;
  int connects = 0;
};

LoadResult runLoad(const Options& o, int okStatus,
                   const std::function<std::string(int, uint64_t)>& makeRequest) {
  std::vector<WorkerTally> tallies(static_cast<size_t>(o.connections));
  std::latch ready(o.connections + 1);
  Clock::time_point start, measureFrom, stopAt;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      WorkerTally& tally = tallies[static_cast<size_t>(t)];
      tally.latencyMs.reserve(1 << 16);
      HttpConn conn(o.port, milliseconds(o.timeoutMs));
      ready.arrive_and_wait();
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (uint64_t n = 0; n < kMaxRequestsPerConnection; ++n) {
        const std::string req = makeRequest(t, n);
        if (o.rate > 0) {  // request n of connection t is due at start + (n * conns + t) / rate
          const auto due =
              start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                          static_cast<double>(n * static_cast<uint64_t>(o.connections) +
                                              static_cast<uint64_t>(t)) /
                          o.rate));
          if (due >= stopAt) break;
          std::this_thread::sleep_until(due);
        }
        const auto t0 = Clock::now();
        if (t0 >= stopAt) break;
        auto r = conn.exchange(req);
        const auto t1 = Clock::now();
        const bool counted = t0 >= measureFrom && t1 <= stopAt;
        if (r.ok() && r->status == okStatus) {
          if (counted) {
            ++tally.ok;
            tally.latencyMs.push_back(msBetween(t0, t1));
          }
          continue;
        }
        if (counted) {
          ++tally.errors;
          ++tally.failures[r.ok() ? "HTTP " + std::to_string(r->status) : r.error().detail];
        }
        // A refused or broken connection: back off a little instead of spinning.
        if (!r.ok()) std::this_thread::sleep_for(milliseconds(5));
      }
      tally.connects = conn.connects();
    });
  }
  ready.arrive_and_wait();
  start = Clock::now();
  measureFrom = start + std::chrono::seconds(o.warmupS);
  stopAt = measureFrom + std::chrono::seconds(o.durationS);
  go.store(true, std::memory_order_release);
  for (auto& th : threads) th.join();

  LoadResult res;
  res.seconds = o.durationS;
  std::vector<double> all;
  for (auto& tally : tallies) {
    res.ok += tally.ok;
    res.errors += tally.errors;
    res.connects += tally.connects;
    for (const auto& [what, count] : tally.failures) res.failures[what] += count;
    all.insert(all.end(), tally.latencyMs.begin(), tally.latencyMs.end());
  }
  res.latency = summarize(std::move(all));
  return res;
}

void report(const Options& o, const std::string& what, const LoadResult& r) {
  const double rate = static_cast<double>(r.ok) / r.seconds;
  std::fprintf(stderr,
               "%s: %" PRIu64 " ok, %" PRIu64
               " errors in %.0f s with %d connections "
               "(%d TCP connects): %.0f/s; latency %s\n",
               what.c_str(), r.ok, r.errors, r.seconds, o.connections, r.connects, rate,
               describe(r.latency).c_str());
  for (const auto& [failure, count] : r.failures) {
    std::fprintf(stderr, "  %" PRIu64 " x %s\n", count, failure.c_str());
  }
  std::printf("RESULT mode=%s connections=%d seconds=%.0f ok=%" PRIu64 " errors=%" PRIu64
              " rate=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
              o.mode.c_str(), o.connections, r.seconds, r.ok, r.errors, rate, r.latency.p50,
              r.latency.p90, r.latency.p99, r.latency.max);
}

int runWrites(const Options& o) {
  Setup setup(o);
  const std::string run = runLabel();
  std::vector<std::string> zones;
  for (int z = 0; z < o.zones; ++z) {
    zones.push_back(setup.createZone(run + "-w" + std::to_string(z) + "." + o.domainSuffix));
  }
  std::fprintf(stderr, "writes: created %d zones (%s-w*.%s); %d s warm-up, %d s measured\n",
               o.zones, run.c_str(), o.domainSuffix.c_str(), o.warmupS, o.durationS);
  std::vector<std::string> paths;
  for (const auto& z : zones) paths.push_back("/api/v1/dns-zones/" + z + "/records/");
  const auto zoneCount = static_cast<uint64_t>(zones.size());
  auto result = runLoad(o, 201, [&](int t, uint64_t n) {
    const auto conn = static_cast<uint64_t>(t);
    const std::string name = "c" + std::to_string(t) + "-" + std::to_string(n);
    return buildRequest("POST", paths[(conn + n) % zoneCount], o.token,
                        recordBody(name, addressFor(n)), o.port);
  });
  report(o, "writes (POST record, 201)", result);
  return 0;
}

int runReads(const Options& o) {
  Setup setup(o);
  const std::string domain = runLabel() + "-read." + o.domainSuffix;
  const std::string zone = setup.createZone(domain);
  for (int i = 0; i < o.records; ++i)
    setup.addRecord(zone, "r" + std::to_string(i), addressFor(static_cast<uint64_t>(i)));
  const std::string path = "/api/v1/dns-zones/" + zone + "/";
  auto check = setup.get(path);
  if (!check.ok() || check->status != 200) Setup::fail("GET " + path, check);
  if (recordsIn(check->body) != o.records) {
    Setup::fail("GET " + path + " should list " + std::to_string(o.records) + " records", check);
  }
  std::fprintf(stderr,
               "reads: zone %s has %d records (%zu-byte body); %d s warm-up, %d s measured\n",
               domain.c_str(), o.records, check->body.size(), o.warmupS, o.durationS);
  const std::string req = buildRequest("GET", path, o.token, "", o.port);
  auto result = runLoad(o, 200, [&](int, uint64_t) { return req; });
  report(o, "reads (GET zone detail, 200)", result);
  return 0;
}

int runGet(const Options& o) {
  const std::string req = buildRequest("GET", o.path, o.token, "", o.port);
  auto result = runLoad(o, o.expect, [&](int, uint64_t) { return req; });
  report(o, "get " + o.path + " (" + std::to_string(o.expect) + ")", result);
  return 0;
}

int runLatency(const Options& o) {
  Setup setup(o);
  DnsProbe dns(o.dnsPort);
  const std::string domain = runLabel() + "-lat." + o.domainSuffix;
  const std::string zone = setup.createZone(domain);
  for (int i = 0; i < o.records; ++i)
    setup.addRecord(zone, "p" + std::to_string(i), addressFor(static_cast<uint64_t>(i)));

  // Wait until named serves the zone with its last prefilled record (or its SOA).
  int ignored = 0;
  const auto setupDeadline = Clock::now() + std::chrono::seconds(60);
  if (o.records > 0) {
    const std::string last = "p" + std::to_string(o.records - 1) + "." + domain;
    auto want = parseIpv4(addressFor(static_cast<uint64_t>(o.records - 1)));
    auto served = dns.waitForAddress(last, *want, milliseconds(20), setupDeadline, ignored);
    if (!served.ok()) {
      std::fprintf(stderr, "zp-bench-load: setup failed: %s (within 60 s)\n",
                   served.error().detail.c_str());
      return 1;
    }
  }

  // Baseline: how long one UDP query to named takes in-process.
  std::vector<double> rtt;
  for (int i = 0; i < 200; ++i) {
    const auto t0 = Clock::now();
    auto r = dns.query(domain, kTypeSoa, milliseconds(1000));
    if (r.ok() && r->rcode == kRcodeNoError && r->answerCount > 0)
      rtt.push_back(msBetween(t0, Clock::now()));
  }
  const Summary rttSummary = summarize(rtt);
  std::fprintf(stderr, "latency: zone %s (%d records) is served; named SOA query RTT %s\n",
               domain.c_str(), o.records, describe(rttSummary).c_str());
  if (rttSummary.count == 0) {
    std::fprintf(
        stderr,
        "zp-bench-load: setup failed: named on 127.0.0.1:%u does not answer the SOA of %s\n",
        o.dnsPort, domain.c_str());
    return 1;
  }

  std::vector<double> served, posts, servedSecondary;
  int timeouts = 0, httpErrors = 0, queries = 0, secondaryTimeouts = 0;
  std::optional<DnsProbe> secondary;
  if (o.dnsPort2 != 0) secondary.emplace(o.dnsPort2);
  const std::string path = "/api/v1/dns-zones/" + zone + "/records/";
  for (int i = 0; i < o.samples; ++i) {
    const std::string name = "lat" + std::to_string(i);
    const std::string value = addressFor(static_cast<uint64_t>(1000 + i));
    const auto t0 = Clock::now();
    auto r = setup.addRecordReply(path, name, value);
    const auto t201 = Clock::now();
    if (!r.ok() || r->status != 201) {
      ++httpErrors;
      std::fprintf(stderr, "  sample %d: POST %s -> %s\n", i, name.c_str(),
                   describeFailure(r).c_str());
      continue;
    }
    posts.push_back(msBetween(t0, t201));
    auto at = dns.waitForAddress(name + "." + domain, *parseIpv4(value),
                                 std::chrono::microseconds(o.intervalUs),
                                 t201 + milliseconds(o.serveDeadlineMs), queries);
    if (!at.ok()) {
      ++timeouts;
      std::fprintf(stderr, "  sample %d: %s\n", i, at.error().detail.c_str());
      continue;
    }
    served.push_back(msBetween(t201, *at));
    if (secondary) {
      auto at2 = secondary->waitForAddress(name + "." + domain, *parseIpv4(value),
                                           std::chrono::microseconds(1000),
                                           t201 + milliseconds(o.serveDeadlineMs), queries);
      if (at2.ok()) {
        servedSecondary.push_back(msBetween(t201, *at2));
      } else {
        ++secondaryTimeouts;
        std::fprintf(stderr, "  sample %d, secondary: %s\n", i, at2.error().detail.c_str());
      }
    }
    if (o.gapMs > 0) std::this_thread::sleep_for(milliseconds(o.gapMs));
  }
  const Summary s = summarize(served);
  const Summary p = summarize(posts);
  std::fprintf(stderr,
               "latency (201 -> named answers the new A record, probing every %d us): %s; "
               "%d not served within %d ms, %d POST failures, %d DNS queries sent\n"
               "  POST record itself: %s\n",
               o.intervalUs, describe(s).c_str(), timeouts, o.serveDeadlineMs, httpErrors, queries,
               describe(p).c_str());
  const Summary s2 = summarize(servedSecondary);
  if (secondary) {
    std::fprintf(stderr,
                 "latency (201 -> the secondary answers it, probing every 1000 us): %s; %d not "
                 "served within %d ms\n",
                 describe(s2).c_str(), secondaryTimeouts, o.serveDeadlineMs);
  }
  std::printf(
      "RESULT mode=latency samples=%zu timeouts=%d http_errors=%d p50_ms=%.3f p90_ms=%.3f "
      "p99_ms=%.3f max_ms=%.3f post_p50_ms=%.3f dns_rtt_p50_ms=%.3f secondary_samples=%zu "
      "secondary_timeouts=%d secondary_p50_ms=%.3f secondary_p90_ms=%.3f secondary_max_ms=%.3f\n",
      s.count, timeouts, httpErrors, s.p50, s.p90, s.p99, s.max, p.p50, rttSummary.p50, s2.count,
      secondaryTimeouts, s2.p50, s2.p90, s2.max);
  return 0;
}

// Runs `work(i)` for i in [0, count) on `connections` threads, each with its own keep-alive
// connection; returns when all are done. `work` answers whether request i succeeded.
void forEachOnConnections(const Options& o, int count,
                          const std::function<bool(HttpConn&, int)>& work, int& failures) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&] {
      HttpConn conn(o.port, milliseconds(o.timeoutMs));
      for (int i = next++; i < count; i = next++) {
        if (!work(conn, i)) ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  failures = failed.load();
}

// Polls named until `done(domain i)` holds for every zone (one UDP query per zone still
// waiting, round after round); returns when the last one did, or nullopt after `deadline`.
std::optional<Clock::time_point> waitForEveryZone(DnsProbe& dns, int count,
                                                  const std::function<bool(DnsProbe&, int)>& done,
                                                  Clock::time_point deadline) {
  std::vector<int> waiting(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) waiting[static_cast<size_t>(i)] = i;
  Clock::time_point last = Clock::now();
  while (!waiting.empty()) {
    if (Clock::now() > deadline) return std::nullopt;
    std::vector<int> still;
    for (int i : waiting) {
      if (done(dns, i)) {
        last = Clock::now();
      } else {
        still.push_back(i);
      }
    }
    waiting.swap(still);
  }
  return last;
}

// Zone churn (issue 8): `--zones` new zones with one A record each, created by
// `--connections` clients; the time from the last 201 until named answers every
// record. Then every zone is deleted; the time from the last 204 until named
// answers none of them.
std::string churnDomain(const Options& o, const std::string& run, int i) {
  return "z" + std::to_string(i) + "-" + run + "." + o.domainSuffix;
}

bool answersItsRecord(DnsProbe& probe, const Options& o, const std::string& run, int i) {
  auto r = probe.query("www." + churnDomain(o, run, i), kTypeA, milliseconds(200));
  const auto want = parseIpv4(addressFor(static_cast<uint64_t>(i)));
  return r.ok() && r->rcode == kRcodeNoError && r->addresses.size() == 1 &&
         r->addresses[0] == *want;
}

int runZones(const Options& o) {
  const std::string run = o.run.empty() ? runLabel() : o.run;
  auto domainOf = [&](int i) { return churnDomain(o, run, i); };
  std::vector<std::string> uuids(static_cast<size_t>(o.zones));
  int failures = 0;
  const auto t0 = Clock::now();
  forEachOnConnections(
      o, o.zones,
      [&](HttpConn& conn, int i) {
        auto z = conn.exchange(buildRequest("POST", "/api/v1/dns-zones/", o.token,
                                            R"({"domain": ")" + domainOf(i) + R"("})", o.port));
        if (!z.ok() || z->status != 201) return false;
        uuids[static_cast<size_t>(i)] = uuidOf(z->body);
        auto r = conn.exchange(
            buildRequest("POST", "/api/v1/dns-zones/" + uuids[static_cast<size_t>(i)] + "/records/",
                         o.token, recordBody("www", addressFor(static_cast<uint64_t>(i))), o.port));
        return r.ok() && r->status == 201;
      },
      failures);
  const auto lastCreate = Clock::now();
  if (failures > 0) {
    std::fprintf(stderr, "zp-bench-load: setup failed: %d of %d zone creations failed\n", failures,
                 o.zones);
    return 1;
  }
  DnsProbe dns(o.dnsPort);
  const auto deadline = lastCreate + milliseconds(o.serveDeadlineMs);
  auto served = waitForEveryZone(
      dns, o.zones, [&](DnsProbe& probe, int i) { return answersItsRecord(probe, o, run, i); },
      deadline);
  const double createMs = msBetween(t0, lastCreate);
  const double servedMs = served ? msBetween(lastCreate, *served) : -1;
  std::fprintf(stderr,
               "zones: %d zones + 1 record each answered 201 in %.0f ms (%d connections); named "
               "answers every record %.0f ms after the last 201%s\n",
               o.zones, createMs, o.connections, servedMs, served ? "" : " (deadline passed)");
  if (o.keep) {
    std::printf("RESULT mode=zones zones=%d create_ms=%.0f served_ms=%.0f run=%s\n", o.zones,
                createMs, servedMs, run.c_str());
    return 0;
  }

  const auto d0 = Clock::now();
  forEachOnConnections(
      o, o.zones,
      [&](HttpConn& conn, int i) {
        auto r = conn.exchange(
            buildRequest("DELETE", "/api/v1/dns-zones/" + uuids[static_cast<size_t>(i)] + "/",
                         o.token, "", o.port));
        return r.ok() && r->status == 204;
      },
      failures);
  const auto lastDelete = Clock::now();
  auto gone = waitForEveryZone(
      dns, o.zones,
      [&](DnsProbe& probe, int i) {
        auto r = probe.query(domainOf(i), kTypeSoa, milliseconds(200));
        return r.ok() && r->answerCount == 0;  // REFUSED: named no longer has the zone
      },
      lastDelete + milliseconds(o.serveDeadlineMs));
  const double goneMs = gone ? msBetween(lastDelete, *gone) : -1;
  std::fprintf(stderr,
               "zones: %d deletions answered 204 in %.0f ms (%d failed); named answers none of "
               "them %.0f ms after the last 204%s\n",
               o.zones, msBetween(d0, lastDelete), failures, goneMs,
               gone ? "" : " (deadline passed)");
  std::printf(
      "RESULT mode=zones zones=%d create_ms=%.0f served_ms=%.0f delete_ms=%.0f "
      "gone_ms=%.0f delete_errors=%d\n",
      o.zones, createMs, servedMs, msBetween(d0, lastDelete), goneMs, failures);
  return 0;
}

// After a restart (of named or the pusher): the time from now until named
// answers the record of every zone a `zones --keep 1` run left.
int runAnswered(const Options& o) {
  DnsProbe dns(o.dnsPort);
  const auto t0 = Clock::now();
  auto served = waitForEveryZone(
      dns, o.zones, [&](DnsProbe& probe, int i) { return answersItsRecord(probe, o, o.run, i); },
      t0 + milliseconds(o.serveDeadlineMs));
  const double ms = served ? msBetween(t0, *served) : -1;
  std::fprintf(stderr, "answered: named answers all %d zones %.0f ms after the start%s\n", o.zones,
               ms, served ? "" : " (deadline passed)");
  std::printf("RESULT mode=answered zones=%d served_ms=%.0f\n", o.zones, ms);
  return 0;
}

// A zone of `--records` records (issue 8: "a 1,000,000-record zone: created in
// bulk, served, read (paged), exported"). Filled by change sets of
// kBulkBatch creates (one version each); then the time until named answers
// the last record, `--samples` single POSTs -> named answers each, three
// pages of the record list and the whole export.
constexpr int kBulkBatch = 5000;

int runBigZone(const Options& o) {
  Setup setup(o);
  DnsProbe dns(o.dnsPort);
  const std::string domain = runLabel() + "-big." + o.domainSuffix;
  const std::string zone = setup.createZone(domain);
  const std::string zonePath = "/api/v1/dns-zones/" + zone + "/";
  const auto f0 = Clock::now();
  for (int from = 0; from < o.records; from += kBulkBatch) {
    std::string body = R"({"changes": [)";
    for (int i = from; i < std::min(o.records, from + kBulkBatch); ++i) {
      if (i > from) body += ',';
      body += R"({"action": "create", "record_type": "A", "name": "b)" + std::to_string(i) +
              R"(", "value": ")" + addressFor(static_cast<uint64_t>(i)) + R"(", "ttl": 300})";
    }
    body += "]}";
    auto r = setup.post(zonePath + "changesets/", body);
    if (!r.ok() || r->status != 201)
      Setup::fail("change set from record " + std::to_string(from), r);
  }
  const auto f1 = Clock::now();
  const double fillS = msBetween(f0, f1) / 1000;
  std::fprintf(stderr, "bigzone: %d records stored in %.1f s (%.0f records/s, change sets of %d)\n",
               o.records, fillS, o.records / fillS, kBulkBatch);

  int ignored = 0;
  const int lastIndex = o.records - 1;
  auto served =
      dns.waitForAddress("b" + std::to_string(lastIndex) + "." + domain,
                         *parseIpv4(addressFor(static_cast<uint64_t>(lastIndex))), milliseconds(20),
                         Clock::now() + milliseconds(o.serveDeadlineMs), ignored);
  if (!served.ok()) {
    std::fprintf(stderr, "zp-bench-load: named did not serve the zone's last record: %s\n",
                 served.error().detail.c_str());
    return 1;
  }
  const double servedMs = msBetween(f1, *served);
  std::fprintf(stderr, "bigzone: named answers the last record %.0f ms after the last 201\n",
               servedMs);

  // One change at a time in the full zone.
  std::vector<double> changeMs;
  int timeouts = 0;
  for (int i = 0; i < o.samples; ++i) {
    const std::string name = "one" + std::to_string(i);
    const std::string value = addressFor(static_cast<uint64_t>(o.records + i));
    auto r = setup.addRecordReply(zonePath + "records/", name, value);
    if (!r.ok() || r->status != 201) Setup::fail("POST " + name, r);
    const auto t0 = Clock::now();
    auto at = dns.waitForAddress(name + "." + domain, *parseIpv4(value),
                                 std::chrono::microseconds(o.intervalUs),
                                 t0 + milliseconds(o.serveDeadlineMs), ignored);
    if (at.ok()) {
      changeMs.push_back(msBetween(t0, *at));
    } else {
      ++timeouts;
    }
    std::this_thread::sleep_for(milliseconds(o.gapMs));
  }
  const Summary change = summarize(changeMs);

  // Pages of the record list (page_size 1000, the largest), and the export.
  const int total = o.records + o.samples;
  const int pages = (total + 999) / 1000;
  double pageMs[3] = {0, 0, 0};
  const int which[3] = {1, (pages + 1) / 2, pages};
  for (int k = 0; k < 3; ++k) {
    const std::string path =
        zonePath + "records/?page=" + std::to_string(which[k]) + "&page_size=1000";
    const auto t0 = Clock::now();
    auto r = setup.get(path);
    pageMs[k] = msBetween(t0, Clock::now());
    if (!r.ok() || r->status != 200) Setup::fail("GET " + path, r);
    rapidjson::Document d;
    d.Parse(r->body.c_str(), r->body.size());
    const size_t want = which[k] < pages ? 1000 : static_cast<size_t>(total - (pages - 1) * 1000);
    if (d.HasParseError() || !d.IsArray() || d.Size() != want) {
      Setup::fail("GET " + path + " should list " + std::to_string(want) + " records", r);
    }
  }
  const auto e0 = Clock::now();
  auto exported = setup.get(zonePath + "export");
  const double exportMs = msBetween(e0, Clock::now());
  if (!exported.ok() || exported->status != 200) Setup::fail("GET export", exported);
  size_t lines = 0;
  for (char c : exported->body) lines += c == '\n';
  std::fprintf(stderr,
               "bigzone: one change -> served: %s, %d not served; pages %d, %d, %d of %d: %.1f, "
               "%.1f, %.1f ms; export %zu bytes, %zu lines in %.0f ms\n",
               describe(change).c_str(), timeouts, which[0], which[1], which[2], pages, pageMs[0],
               pageMs[1], pageMs[2], exported->body.size(), lines, exportMs);
  std::printf(
      "RESULT mode=bigzone records=%d fill_s=%.1f fill_rate=%.0f served_ms=%.0f samples=%zu "
      "timeouts=%d p50_ms=%.3f p90_ms=%.3f max_ms=%.3f page_first_ms=%.1f page_mid_ms=%.1f "
      "page_last_ms=%.1f export_ms=%.0f export_bytes=%zu export_lines=%zu domain=%s\n",
      o.records, fillS, o.records / fillS, servedMs, change.count, timeouts, change.p50, change.p90,
      change.max, pageMs[0], pageMs[1], pageMs[2], exportMs, exported->body.size(), lines,
      domain.c_str());
  return 0;
}

}  // namespace
}  // namespace zp::bench

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  const auto o = zp::bench::parseOptions(argc, argv);
  if (o.mode == "writes") return zp::bench::runWrites(o);
  if (o.mode == "reads") return zp::bench::runReads(o);
  if (o.mode == "get") return zp::bench::runGet(o);
  if (o.mode == "zones") return zp::bench::runZones(o);
  if (o.mode == "answered") return zp::bench::runAnswered(o);
  if (o.mode == "bigzone") return zp::bench::runBigZone(o);
  return zp::bench::runLatency(o);
}
