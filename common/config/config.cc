#include "common/config/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

namespace zp::config {
namespace {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> splitList(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

template <typename T>
bool parseNumber(const std::string& v, T& out) {
  T n{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return false;
  out = n;
  return true;
}

using Setter = std::function<bool(Config&, const std::string&)>;

template <typename T>
Setter num(T Config::*m) {
  return [m](Config& c, const std::string& v) { return parseNumber(v, c.*m); };
}
Setter str(std::string Config::*m) {
  return [m](Config& c, const std::string& v) {
    c.*m = v;
    return true;
  };
}
Setter list(std::vector<std::string> Config::*m) {
  return [m](Config& c, const std::string& v) {
    c.*m = splitList(v);
    return true;
  };
}

struct Key {
  const char* name;
  Setter set;
  std::function<std::string(const Config&)> get;
};

template <typename T>
Key numKey(const char* n, T Config::*m) {
  return {n, num(m), [m](const Config& c) { return std::to_string(c.*m); }};
}
Key strKey(const char* n, std::string Config::*m) {
  return {n, str(m), [m](const Config& c) { return c.*m; }};
}
Key listKey(const char* n, std::vector<std::string> Config::*m) {
  return {n, list(m), [m](const Config& c) {
            std::string out;
            for (const auto& s : c.*m) out += (out.empty() ? "" : ",") + s;
            return out;
          }};
}

Key oneOfKey(const char* n, std::string Config::*m, std::vector<std::string> allowed) {
  return {n,
          [m, allowed](Config& c, const std::string& v) {
            for (const auto& a : allowed) {
              if (v == a) {
                c.*m = v;
                return true;
              }
            }
            return false;
          },
          [m](const Config& c) { return c.*m; }};
}

const std::vector<Key>& keys() {
  static const std::vector<Key> k = {
      strKey("home", &Config::home),
      strKey("log.level", &Config::logLevel),
      oneOfKey("log.format", &Config::logFormat, {"text", "json"}),
      strKey("api.address", &Config::apiAddress),
      numKey("api.port", &Config::apiPort),
      numKey("api.threads", &Config::apiThreads),
      numKey("api.max_body", &Config::apiMaxBody),
      numKey("api.timeout_ms", &Config::apiTimeoutMs),
      numKey("api.rate_limit", &Config::apiRateLimit),
      numKey("api.rate_burst", &Config::apiRateBurst),
      numKey("api.last_used_flush_s", &Config::apiLastUsedFlushS),
      numKey("account.session_lifetime_s", &Config::accountSessionLifetimeS),
      numKey("account.secure_cookies", &Config::accountSecureCookies),
      listKey("validator.endpoints", &Config::validatorEndpoints),
      strKey("store.dir", &Config::storeDir),
      strKey("store.commands", &Config::storeCommands),
      strKey("store.query", &Config::storeQuery),
      strKey("store.events", &Config::storeEvents),
      numKey("store.map_size", &Config::storeMapSize),
      numKey("store.map_size_max", &Config::storeMapSizeMax),
      numKey("store.batch_max", &Config::storeBatchMax),
      {"store.first_seq",
       [](Config& c, const std::string& v) {  // 1..2^63: seq 0 means "none", and the log
         uint64_t n = 0;                      // needs room above its first seq
         if (!parseNumber(v, n) || n == 0 || n > (uint64_t{1} << 63)) return false;
         c.storeFirstSeq = n;
         return true;
       },
       [](const Config& c) { return std::to_string(c.storeFirstSeq); }},
      numKey("quota.zones_per_user", &Config::zonesPerUser),
      numKey("quota.records_per_zone", &Config::recordsPerZone),
      strKey("renderer.state_dir", &Config::rendererStateDir),
      strKey("renderer.checkzone", &Config::checkzone),
      numKey("renderer.check_workers", &Config::rendererCheckWorkers),
      numKey("renderer.nice", &Config::rendererNice),
      numKey("renderer.audit_interval_ms", &Config::rendererAuditIntervalMs),
      {"renderer.snapshot_page",
       [](Config& c, const std::string& v) {  // 0 would mean "the store's default"; say a number
         uint32_t n = 0;
         if (!parseNumber(v, n) || n == 0 || n > 20000) return false;
         c.rendererSnapshotPage = n;
         return true;
       },
       [](const Config& c) { return std::to_string(c.rendererSnapshotPage); }},
      {"renderer.deploy_piece_bytes",
       [](Config& c, const std::string& v) {
         uint32_t n = 0;
         if (!parseNumber(v, n) || n < 256 || n > (64u << 20)) return false;
         c.rendererDeployPieceBytes = n;
         return true;
       },
       [](const Config& c) { return std::to_string(c.rendererDeployPieceBytes); }},
      {"renderer.instances",
       [](Config& c, const std::string& v) {  // 1..1024: zero renderers would render nothing
         uint32_t n = 0;
         if (!parseNumber(v, n) || n == 0 || n > 1024) return false;
         c.rendererInstances = n;
         return true;
       },
       [](const Config& c) { return std::to_string(c.rendererInstances); }},
      strKey("push.endpoint", &Config::pushEndpoint),
      strKey("push.zone_dir", &Config::pushZoneDir),
      strKey("push.journal_dir", &Config::pushJournalDir),
      strKey("push.rndc_config", &Config::rndcConfig),
      strKey("push.status", &Config::pushStatus),
      numKey("push.confirm_ms", &Config::pushConfirmMs),
      numKey("push.update_connections", &Config::pushUpdateConnections),
      numKey("push.notify_interval_ms", &Config::pushNotifyIntervalMs),
      listKey("dns.nameservers", &Config::nameservers),
      strKey("dns.soa_rname", &Config::soaRname),
      numKey("dns.soa_refresh", &Config::soaRefresh),
      numKey("dns.soa_retry", &Config::soaRetry),
      numKey("dns.soa_expire", &Config::soaExpire),
      numKey("dns.soa_minimum", &Config::soaMinimum),
      numKey("dns.ns_ttl", &Config::nsTtl),
      strKey("dns.primary_address", &Config::primaryAddress),
      listKey("dns.secondaries", &Config::secondaries),
      numKey("dns.port", &Config::dnsPort),
      strKey("metrics.api", &Config::metricsApi),
      strKey("metrics.validator", &Config::metricsValidator),
      strKey("metrics.store", &Config::metricsStore),
      strKey("metrics.renderer", &Config::metricsRenderer),
      strKey("metrics.push", &Config::metricsPush),
  };
  return k;
}

}  // namespace

Result<Config> parse(const std::string& text, Config base) {
  std::stringstream in(text);
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = trim(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      return Error::validation("line " + std::to_string(lineNo),
                               "expected `key = value` on line " + std::to_string(lineNo));
    }
    const std::string key = trim(std::string_view(line).substr(0, eq));
    const std::string value = trim(std::string_view(line).substr(eq + 1));
    bool known = false;
    for (const auto& k : keys()) {
      if (key != k.name) continue;
      known = true;
      if (!k.set(base, value)) {
        return Error::validation(key, "line " + std::to_string(lineNo) + ": `" + value +
                                          "` is not a valid value for " + key);
      }
    }
    if (!known) {
      return Error::validation(key, "line " + std::to_string(lineNo) + ": unknown key `" + key +
                                        "` (check the spelling)");
    }
  }
  return base;
}

Result<Config> loadFile(const std::string& path, Config base) {
  std::ifstream f(path);
  if (!f) return Error::validation("config", "cannot read config file " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return parse(ss.str(), std::move(base));
}

std::string render(const Config& cfg) {
  std::string out;
  for (const auto& k : keys()) out += std::string(k.name) + " = " + k.get(cfg) + "\n";
  return out;
}

}  // namespace zp::config
