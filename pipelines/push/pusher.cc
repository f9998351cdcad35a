#include "pipelines/push/pusher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <stdexcept>

#include "common/dns/serial.h"
#include "pipelines/push/catalog.h"
#include "pipelines/push/rr_wire.h"

namespace zp::push {
namespace {

bool says(const ProcessResult& result, std::string_view text) {
  return result.errors.find(text) != std::string::npos ||
         result.output.find(text) != std::string::npos;
}

int64_t monoMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool configSafe(const std::string& text) {
  for (const char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

Pusher::Pusher(Publisher& publisher, Rndc& rndc, PusherOptions options)
    : publisher_(publisher), rndc_(rndc), options_(std::move(options)) {
  if (!configSafe(publisher_.zoneDir())) {
    throw std::invalid_argument("the zone directory " + publisher_.zoneDir() +
                                " contains a quote, backslash or control character, which "
                                "cannot go into named's zone configuration; choose another");
  }
  if (!configSafe(options_.updateKey)) {
    throw std::invalid_argument("the update key name `" + options_.updateKey +
                                "` cannot go into named's zone configuration");
  }
  if (options_.updater && options_.updateKey.empty()) {
    throw std::invalid_argument("the pusher needs the TSIG key name named lets update zones");
  }
  // The members are the zones deployed before (their serial files), so a
  // restarted pusher rebuilds the same catalog.
  for (const auto& [domain, serial] : publisher_.deployedZones()) {
    if (domain != kCatalogZone) members_.insert(domain);
  }
  catalogSerial_ = publisher_.deployedSerial(kCatalogZone);
}

DeployResult Pusher::deploy(const DeployRequest& request) {
  if (options_.status) options_.status->wanted(request.domain, request.serial);
  DeployResult result = deployChecked(request);
  if (options_.status && !result.ok && !result.needFull) {
    options_.status->failed(request.domain, result.detail);
  }
  return result;
}

void Pusher::refused(const std::string& domain, uint64_t serial, const std::string& why) {
  spdlog::warn(
      "{} serial {} was refused by named-checkzone and not deployed; the previous version "
      "keeps serving (see the renderer's log)",
      domain, serial);
  if (!options_.status || !isSafeDomain(domain)) return;
  options_.status->wanted(domain, serial);
  options_.status->failed(domain, "serial " + std::to_string(serial) +
                                      " was not deployed: named-checkzone refused it: " + why);
}

DeployResult Pusher::deployChecked(const DeployRequest& request) {
  if (!isSafeDomain(request.domain) || request.domain == kCatalogZone) {
    spdlog::error(
        "refusing to deploy a zone named `{}`: only lower-case letters, digits, '-' "
        "and '.' are allowed, and {} is the pusher's own catalog (a bug upstream of the pusher)",
        request.domain, kCatalogZone);
    return {false, "the pusher refuses the zone name `" + request.domain + "`"};
  }
  if (request.delta) return applyDelta(request);
  if (request.audit && request.zoneFile) return audit(request);
  const uint64_t deployed = publisher_.deployedSerial(request.domain);
  if (request.serial <= deployed) {
    spdlog::debug("{} serial {} is not newer than the deployed serial {}; nothing to do",
                  request.domain, request.serial, deployed);
    return {true, {}};
  }
  if (!request.zoneFile) return remove(request);
  // Later versions may have arrived as UPDATEs since the last whole load.
  if (const auto served = served_.find(request.domain);
      served != served_.end() &&
      !dns::serialGreater(dns::soaSerial(request.serial), served->second)) {
    spdlog::debug("{} serial {} is not newer than the served serial {}; nothing to do",
                  request.domain, request.serial, served->second);
    return {true, {}};
  }
  return upsert(request);
}

DeployResult Pusher::applyDelta(const DeployRequest& request) {
  const std::string& domain = request.domain;
  if (!options_.updater || !publisher_.deployed(domain)) {
    return {false, domain + " is not loaded in named yet", true};
  }
  const uint32_t want = dns::soaSerial(request.serial);
  auto served = served_.find(domain);
  if (served == served_.end() && options_.check) {
    // After a restart: ask the primary which version it has, once.
    auto current = options_.check->current(domain);
    if (!current) return {false, current.error().detail};
    if (!current.value()) return {false, "named does not serve " + domain, true};
    served = served_.emplace(domain, *current.value()).first;
  }
  if (served != served_.end() && !dns::serialGreater(want, served->second)) {
    return {true, {}};  // named has this version (or a later one) already
  }
  const UpdateOutcome outcome =
      options_.updater->apply(domain, request.delta->ops, request.delta->soa);
  switch (outcome.kind) {
    case UpdateOutcome::Kind::kApplied:
      served_[domain] = want;
      if (options_.status) {
        options_.status->deployed(domain, request.serial, request.committedAt, monoMs());
      }
      spdlog::debug("named serves {} serial {} ({} changes by UPDATE)", domain, want,
                    request.delta->ops.size());
      return {true, {}};
    case UpdateOutcome::Kind::kNotDynamic:
      served_.erase(domain);
      spdlog::info("{}; loading the whole zone instead", outcome.detail);
      return {false, outcome.detail, true};
    case UpdateOutcome::Kind::kFailed:
      break;
  }
  served_.erase(domain);  // we no longer know what named has
  spdlog::warn("{}", outcome.detail);
  return {false, outcome.detail};
}

namespace {

// The records of a zone file, owners in lower case, in a canonical order.
Result<std::vector<std::string>> canonical(const std::vector<WireRr>& rrs) {
  std::vector<std::string> out;
  out.reserve(rrs.size());
  for (const auto& rr : rrs) {
    std::string key = rr.owner;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    key += '\0' + std::to_string(rr.type) + '\0' + std::to_string(rr.ttl) + '\0' + rr.rdata;
    out.push_back(std::move(key));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<WireRr>> fileRecords(const std::string& zoneFile) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < zoneFile.size()) {
    size_t end = zoneFile.find('\n', start);
    if (end == std::string::npos) end = zoneFile.size();
    const std::string_view line(zoneFile.data() + start, end - start);
    if (!line.empty() && line[0] != ';') lines.push_back(line);
    start = end + 1;
  }
  return parseRrLines(lines);
}

// The zone file with its SOA serial replaced (the SOA is the first record).
std::string withSoaSerial(const std::string& zoneFile, uint32_t serial) {
  const size_t soa = zoneFile.find(" IN SOA ");
  if (soa == std::string::npos) return zoneFile;
  const size_t lineEnd = zoneFile.find('\n', soa);
  std::string line = zoneFile.substr(soa, lineEnd - soa);
  // ` IN SOA mname rname SERIAL refresh retry expire minimum`
  size_t at = 0;
  for (int field = 0; field < 5; ++field) at = line.find(' ', at + 1);
  const size_t next = line.find(' ', at + 1);
  line.replace(at + 1, next - at - 1, std::to_string(serial));
  return zoneFile.substr(0, soa) + line + zoneFile.substr(lineEnd);
}

}  // namespace

DeployResult Pusher::audit(const DeployRequest& request) {
  const std::string& domain = request.domain;
  const uint32_t want = dns::soaSerial(request.serial);
  if (!publisher_.deployed(domain) || !options_.updater || !options_.check) {
    return upsert(request);  // never loaded by us (or nothing to compare with): load it
  }
  auto current = options_.check->current(domain);
  if (!current) return {false, current.error().detail};
  if (!current.value()) return repair(request, want, "named does not serve the zone");
  const uint32_t now = *current.value();
  if (now != want) {
    const auto ours = served_.find(domain);
    if (dns::serialGreater(now, want) && ours != served_.end() && ours->second == now) {
      return {true, {}};  // a newer version of ours arrived meanwhile; a later audit checks it
    }
    if (dns::serialGreater(now, want)) {
      return repair(request, now + 1 == 0 ? 1 : now + 1,
                    "named serves serial " + std::to_string(now) +
                        ", which zonepipe never deployed (the zone was changed behind its back)");
    }
    return repair(request, want,
                  "named serves serial " + std::to_string(now) + ", older than serial " +
                      std::to_string(want) + " (it lost changes)");
  }
  auto served = options_.updater->transfer(domain);
  if (!served) return {false, served.error().detail};
  auto expected = fileRecords(*request.zoneFile);
  if (!expected) return {false, "cannot read the audited version: " + expected.error().detail};
  const auto a = canonical(*served).value(), b = canonical(*expected).value();
  if (a == b) {
    served_[domain] = now;
    spdlog::debug("audit: named serves {} serial {} exactly as the store holds it", domain, now);
    return {true, {}};
  }
  std::vector<std::string> diff;
  std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(diff));
  return repair(request, now + 1 == 0 ? 1 : now + 1,
                std::to_string(diff.size()) + " record(s) of serial " + std::to_string(now) +
                    " differ from the store's");
}

DeployResult Pusher::repair(const DeployRequest& request, uint32_t soaSerial,
                            const std::string& why) {
  const std::string& domain = request.domain;
  spdlog::warn(
      "drift: named's copy of {} does not match the store: {}; loading the store's "
      "version as serial {}",
      domain, why, soaSerial);
  DeployResult loaded =
      load(domain, withSoaSerial(*request.zoneFile, soaSerial), request.serial, soaSerial);
  if (!loaded.ok) return loaded;
  if (options_.status) {
    options_.status->deployed(domain, request.serial, request.committedAt, monoMs());
  }
  addMember(domain);
  ++repairs_;
  return {true, {}};
}

std::string Pusher::zoneConfig(const std::string& domain) const {
  std::string config = "{ type primary; file \"" + publisher_.zonePath(domain) + "\";";
  if (!options_.updateKey.empty()) {
    config += " allow-update { key \"" + options_.updateKey + "\"; };";
  }
  return config + " };";
}

DeployResult Pusher::load(const std::string& domain, const std::string& zoneFile, uint64_t serial,
                          uint32_t soa) {
  if (soa == 0) soa = dns::soaSerial(serial);
  const bool dynamic = !options_.updateKey.empty();
  const auto addzone = [&] { return rndc_.run({"addzone", domain, zoneConfig(domain)}); };
  const auto modzone = [&] { return rndc_.run({"modzone", domain, zoneConfig(domain)}); };
  // A dynamic zone is frozen (named writes its journal into the file and
  // stops taking updates), its file replaced and journal dropped, then thawed
  // (named loads the file; the old version serves until then).
  const auto replaceDynamic = [&](std::string& command) {
    command = "freeze";
    ProcessResult result = rndc_.run({"freeze", domain});
    if (!result.ok()) {
      if (result.started && !result.timedOut && says(result, "not dynamic")) {
        publisher_.writeZone(domain,
                             zoneFile);  // a static zone (an older pusher's): make it dynamic
        command = "modzone";
        return modzone();
      }
      return result;
    }
    publisher_.writeZone(domain, zoneFile);
    publisher_.removeJournal(domain);
    command = "thaw";
    return rndc_.run({"thaw", domain});
  };
  const bool known = publisher_.deployed(domain);
  std::string command;
  ProcessResult result;
  if (!known) {
    publisher_.writeZone(domain, zoneFile);
    publisher_.removeJournal(domain);
    command = "addzone";
    result = addzone();
    if (!result.ok() && result.started && !result.timedOut && says(result, "already exists")) {
      // Our serial file was lost, named still has the zone.
      if (dynamic) {
        result = replaceDynamic(command);
      } else {
        command = "reload";
        result = rndc_.run({"reload", domain});
      }
    }
  } else if (dynamic) {
    result = replaceDynamic(command);
  } else {
    publisher_.writeZone(domain, zoneFile);
    command = "reload";
    result = rndc_.run({"reload", domain});
  }
  if (known && !result.ok() && result.started && !result.timedOut && says(result, "not found")) {
    publisher_.writeZone(domain, zoneFile);  // named lost it (e.g. its state was reset)
    publisher_.removeJournal(domain);
    command = "addzone";
    result = addzone();
  }
  if (options_.status) options_.status->reloaded(domain);
  if (!result.ok()) return failure(command, domain, result);
  if (options_.check) {
    if (auto notServed = options_.check->confirm(domain, soa)) {
      std::string detail =
          "named accepted `rndc " + command + " " + domain + "` but does not serve serial " +
          std::to_string(soa) + ": " + notServed->detail +
          "; named's log says why (a zone file it cannot load?), or dns.primary_address/dns.port "
          "do not point at the primary named";
      spdlog::warn("{}", detail);
      served_.erase(domain);
      return {false, std::move(detail)};
    }
  }
  publisher_.writeSerial(domain, serial);
  served_[domain] = soa;
  spdlog::debug("named loads {} serial {} ({})", domain, serial, command);
  return {true, {}};
}

DeployResult Pusher::upsert(const DeployRequest& request) {
  const std::string& domain = request.domain;
  DeployResult loaded = load(domain, *request.zoneFile, request.serial);
  if (!loaded.ok) return loaded;
  if (options_.status) {
    options_.status->deployed(domain, request.serial, request.committedAt, monoMs());
  }
  addMember(domain);
  return {true, {}};
}

DeployResult Pusher::remove(const DeployRequest& request) {
  const std::string& domain = request.domain;
  const ProcessResult result = rndc_.run({"delzone", domain});
  if (!result.ok() && !(result.started && !result.timedOut && says(result, "not found"))) {
    return failure("delzone", domain, result);
  }
  dropMember(domain);
  served_.erase(domain);
  publisher_.remove(domain);
  if (options_.status) options_.status->removed(domain);
  spdlog::debug("named no longer serves {} (removed at serial {})", domain, request.serial);
  return {true, {}};
}

void Pusher::addMember(const std::string& domain) {
  if (!options_.catalog || !members_.insert(domain).second) return;
  if (catalogDeletes_.erase(domain) == 0) catalogAdds_.insert(domain);
}

void Pusher::dropMember(const std::string& domain) {
  if (!options_.catalog || members_.erase(domain) == 0) return;
  if (catalogAdds_.erase(domain) == 0) catalogDeletes_.insert(domain);
}

DeployResult Pusher::maintain() {
  if (!options_.catalog) return {true, {}};
  if (!catalogLoaded_ || !options_.updater) {
    if (catalogLoaded_ && !catalogPending()) return {true, {}};
    return loadCatalog();
  }
  if (!catalogPending()) return {true, {}};
  std::vector<UpdateOp> ops;
  for (const auto& domain : catalogDeletes_) ops.push_back({false, catalogMemberLine(domain)});
  for (const auto& domain : catalogAdds_) ops.push_back({true, catalogMemberLine(domain)});
  const uint64_t serial = catalogSerial_ + 1;
  const UpdateOutcome outcome =
      options_.updater->apply(kCatalogZone, ops, catalogSoaLine(dns::soaSerial(serial)));
  if (outcome.kind != UpdateOutcome::Kind::kApplied) {
    spdlog::warn(
        "the catalog change ({} added, {} removed) did not apply: {}; loading the "
        "whole catalog",
        catalogAdds_.size(), catalogDeletes_.size(), outcome.detail);
    catalogLoaded_ = false;
    return loadCatalog();
  }
  publisher_.writeSerial(kCatalogZone, serial);
  catalogSerial_ = serial;
  spdlog::info("catalog {} serial {}: {} zone(s) added, {} removed, {} listed for the secondaries",
               kCatalogZone, dns::soaSerial(serial), catalogAdds_.size(), catalogDeletes_.size(),
               members_.size());
  catalogAdds_.clear();
  catalogDeletes_.clear();
  return {true, {}};
}

DeployResult Pusher::loadCatalog() {
  const uint64_t serial = catalogSerial_ + 1;
  DeployResult result = load(kCatalogZone, renderCatalog(members_, dns::soaSerial(serial)), serial);
  if (result.ok) {
    catalogLoaded_ = true;
    catalogSerial_ = serial;
    catalogAdds_.clear();
    catalogDeletes_.clear();
    spdlog::info("catalog {} serial {} lists {} zone(s) for the secondaries", kCatalogZone,
                 dns::soaSerial(serial), members_.size());
  }
  return result;
}

DeployResult Pusher::failure(const std::string& command, const std::string& domain,
                             const ProcessResult& result) const {
  std::string detail = "rndc " + command + " " + domain + " failed: " + result.describe() +
                       "; is named running? check " + rndc_.configPath();
  spdlog::warn("{}", detail);
  return {false, std::move(detail)};
}

}  // namespace zp::push
