#pragma once
// zonepipe's configuration: one struct with documented defaults (see
// pipelines/wiring/one_machine.cc for the default one-machine endpoints),
// loaded once in main and passed down. The file format is `key = value`
// lines; '#' starts a comment. Unknown keys are errors (a typo must not pass).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace zp::config {

struct Config {
  std::string home;  // ZONEPIPE_HOME: all state lives below it

  // logging
  std::string logLevel = "info";  // trace, debug, info, warn, error
  // "text" (one readable line per event) or "json" (one JSON object per line
  // with the zone, serial and request id as fields; common/log/json_format.h).
  std::string logFormat = "text";

  // API front end
  std::string apiAddress = "127.0.0.1";
  uint16_t apiPort = 8080;
  int apiThreads = 2;
  size_t apiMaxBody = 1 << 20;  // bytes; larger bodies get 413
  int apiTimeoutMs = 5000;      // a pipeline answer later than this is 503 unavailable
  // Per-token rate limit (token bucket): sustained requests per second and the
  // burst allowed on top; over it the API answers 429 rate_limited with
  // Retry-After. 0 turns the limit off (the default: size it to your clients).
  double apiRateLimit = 0;
  double apiRateBurst = 0;  // 0 = one second's worth of apiRateLimit
  // How often each API reports its tokens' last uses to the store (one write
  // per interval, not per request): `last_used_at` lags by at most this.
  int apiLastUsedFlushS = 60;
  // The account pages (/account/): how long a login lasts, and whether the
  // session cookie is marked Secure (set 1 when browsers reach the API over
  // TLS, e.g. through a TLS-terminating proxy).
  int64_t accountSessionLifetimeS = 8 * 3600;
  int accountSecureCookies = 0;

  // validator: instances bind one endpoint each; the API connects to all
  std::vector<std::string> validatorEndpoints;

  // store
  std::string storeDir;                       // LMDB environment directory
  std::string storeCommands;                  // ROUTER, validated commands in
  std::string storeQuery;                     // ROUTER, reads and log fetches
  std::string storeEvents;                    // PUB, committed events out
  size_t storeMapSize = size_t{4} << 30;      // LMDB map size (sparse reservation)
  size_t storeMapSizeMax = size_t{64} << 30;  // the store grows its map up to this
  int storeBatchMax = 1024;                   // commands per LMDB transaction (group commit)
  // The seq of a NEW store's first event (1 to 2^63); ignored once the log has
  // events. For continuing another system's numbering, and for tests of SOA
  // serials near 2^31 and 2^32.
  uint64_t storeFirstSeq = 1;
  int zonesPerUser = 1000;     // quota
  int recordsPerZone = 10000;  // quota

  // renderer
  std::string rendererStateDir;               // durable cursor
  std::string checkzone = "named-checkzone";  // path of named-checkzone
  // How many renderers share the zones (`zonepipe-renderer --instance i`,
  // 0 <= i < N; each renders the zones whose domain hashes to i). Changing it
  // makes every instance render all of its zones once (a new cursor file).
  uint32_t rendererInstances = 1;
  // named-checkzone runs at once. Each is a process start (~13 ms of CPU), so
  // more than the cores starves the store and API under write bursts; fewer
  // means more coalescing per zone, not lost changes.
  uint32_t rendererCheckWorkers = 2;
  // Nice value of the render threads and the named-checkzone runs they start
  // (0-19): they yield the CPU to the store and the API.
  int rendererNice = 10;
  // How often (ms) the renderer audits every zone: renders it from the store
  // and has the pusher compare it with what named serves, repairing drift.
  // A round also runs at start. 0 turns audits off.
  uint32_t rendererAuditIntervalMs = 600000;
  // Records per page when the renderer reads a whole zone from the store
  // (1-20,000; the store caps it): bounds every snapshot message (issue 8).
  uint32_t rendererSnapshotPage = 5000;
  // A whole zone version bigger than this (bytes, 256 B-64 MiB) goes to the
  // pusher in pieces of at most this size (Deploy.zoneFilePart).
  uint32_t rendererDeployPieceBytes = 1 << 20;

  // pusher
  std::string pushEndpoint;  // ROUTER the renderer connects to
  std::string pushZoneDir;   // zone files named loads
  // Where named keeps the zones' journals (the changes applied by UPDATE since
  // it last wrote the zone file). Empty: next to each zone file. named syncs
  // its journal twice per UPDATE; a directory on tmpfs makes those syncs free
  // at the cost of a repair after a host reboot (README, push.journal_dir).
  std::string pushJournalDir;
  std::string rndcConfig;    // rndc.conf of the primary named
  std::string pushStatus;    // ROUTER answering StatusQuery (served serials per nameserver)
  int pushConfirmMs = 5000;  // how long a reload may take to show in the primary's SOA serial
  // TCP connections the pusher spreads UPDATEs to different zones over (named
  // answers one UPDATE per connection at a time); 1-64.
  int pushUpdateConnections = 4;
  // The pusher NOTIFYs the secondaries of a zone at once after a quiet spell,
  // then at most once per this many ms while the zone keeps changing
  // (NotifyPacer); 0: named NOTIFYs them after every change itself.
  int pushNotifyIntervalMs = 250;

  // DNS data every zone gets
  std::vector<std::string> nameservers = {"ns1.zonepipe.test", "ns2.zonepipe.test"};
  std::string soaRname = "hostmaster.zonepipe.test";
  uint32_t soaRefresh = 3600, soaRetry = 600, soaExpire = 1209600, soaMinimum = 300;
  uint32_t nsTtl = 3600;

  // The nameservers themselves: the pusher loads zones into the primary and
  // asks every server's SOA to confirm what it serves. dns.nameservers[0] is
  // the primary's name, dns.nameservers[i] the name of dns.secondaries[i-1].
  // Addresses are ADDRESS or ADDRESS:PORT (IPv4; dnsPort when no port is
  // given). The secondaries follow the catalog zone the pusher maintains.
  std::string primaryAddress = "127.0.0.1";
  std::vector<std::string> secondaries = {"127.0.0.2"};
  uint16_t dnsPort = 1053;  // UDP/TCP port every nameserver answers on

  // Prometheus metrics (common/metrics/metrics.h): "ADDRESS:PORT" each program
  // serves http://ADDRESS:PORT/metrics on; "" or "0" serves none (the default
  // here; scripts/run sets 127.0.0.1 and free ports). Copy i of the validator
  // and renderer listens on PORT + i. Keys `metrics.api`, `metrics.validator`,
  // `metrics.store`, `metrics.renderer`, `metrics.push`.
  std::string metricsApi;
  std::string metricsValidator;
  std::string metricsStore;
  std::string metricsRenderer;
  std::string metricsPush;
};

// Applies `key = value` text over `base`. Errors name the line and key.
Result<Config> parse(const std::string& text, Config base);
// Reads and parses a file over `base`.
Result<Config> loadFile(const std::string& path, Config base);

// The text of a config file that reproduces `cfg` (for scripts and tests).
std::string render(const Config& cfg);

}  // namespace zp::config
