#include "pipelines/push/pusher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "common/dns/serial.h"
#include "common/dns/wire.h"
#include "common/log/context.h"
#include "pipelines/push/catalog.h"
#include "pipelines/push/rr_wire.h"
#include "pipelines/push/update_chunks.h"

namespace zp::push {
namespace {

uint32_t soaOf(const DeployRequest& r) { return dns::storedOrDerivedSerial(r.soaSerial, r.serial); }

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
  if (!configSafe(publisher_.journalDir())) {
    throw std::invalid_argument("the journal directory " + publisher_.journalDir() +
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
  // restarted pusher rebuilds the same catalog; the status book adopts them
  // (StatusBook::adopt), so each is confirmed again at once (due now: 0 is
  // before any steady-clock time the loop passes).
  for (const auto& [domain, serial] : publisher_.deployedZones()) {
    if (domain == kCatalogZone) continue;
    members_.insert(domain);
    if (options_.status) options_.status->adopt(domain, serial, 0);
  }
  catalogSerial_ = publisher_.deployedSerial(kCatalogZone);
}

DeployResult Pusher::deploy(const DeployRequest& request) { return deploy(request, nullptr); }

DeployResult Pusher::deploy(const DeployRequest& request, const PrimaryAnswer* asked) {
  if (options_.status) options_.status->wanted(request.domain, request.serial, soaOf(request));
  return guarded(request, [&] { return deployChecked(request, asked); });
}

DeployResult Pusher::guarded(const DeployRequest& request,
                             const std::function<DeployResult()>& work) {
  DeployResult result;
  try {
    result = work();
  } catch (const std::system_error& e) {
    // A full or read-only zone directory: named keeps serving the last
    // version; the zone's status says why the new one is not out.
    result = {false, "the pusher cannot write its files in " + publisher_.zoneDir() + " (" +
                         e.what() + "); free space there or fix its permissions"};
    spdlog::error("{} serial {} not deployed: {}", request.domain, request.serial, result.detail);
  }
  return noted(request, std::move(result));
}

DeployResult Pusher::noted(const DeployRequest& request, DeployResult result) {
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

DeployResult Pusher::deployChecked(const DeployRequest& request, const PrimaryAnswer* asked) {
  if (!isSafeDomain(request.domain) || request.domain == kCatalogZone) {
    spdlog::error(
        "refusing to deploy a zone named `{}`: only lower-case letters, digits, '-' "
        "and '.' are allowed, and {} is the pusher's own catalog (a bug upstream of the pusher)",
        request.domain, kCatalogZone);
    return {false, "the pusher refuses the zone name `" + request.domain + "`"};
  }
  if (request.delta) return applyDelta(request);
  if (request.audit && request.zoneFile) return audit(request, asked);
  const uint64_t deployed = publisher_.deployedSerial(request.domain);
  if (request.serial <= deployed) {
    spdlog::debug("{} serial {} is not newer than the deployed serial {}; nothing to do",
                  request.domain, request.serial, deployed);
    return {true, {}};
  }
  if (!request.zoneFile) return remove(request);
  // Later versions may have arrived as UPDATEs since the last whole load.
  if (const auto served = served_.find(request.domain);
      served != served_.end() && !dns::serialGreater(soaOf(request), served->second)) {
    spdlog::debug("{} serial {} is not newer than the served serial {}; nothing to do",
                  request.domain, request.serial, served->second);
    return {true, {}};
  }
  return upsert(request);
}

std::optional<DeployResult> Pusher::planDelta(const DeployRequest& request,
                                              std::vector<std::vector<UpdateOp>>& chunks) {
  const std::string& domain = request.domain;
  if (!options_.updater || !publisher_.deployed(domain)) {
    return DeployResult{false, domain + " is not loaded in named yet", true};
  }
  const uint32_t want = soaOf(request);
  auto served = served_.find(domain);
  if (served == served_.end() && options_.check) {
    // After a restart: ask the primary which version it has, once.
    auto current = options_.check->current(domain);
    if (!current) return DeployResult{false, current.error().detail};
    if (!current.value()) return DeployResult{false, "named does not serve " + domain, true};
    served = served_.emplace(domain, *current.value()).first;
  }
  if (served != served_.end() && !dns::serialGreater(want, served->second)) {
    return DeployResult{true, {}};  // named has this version (or a later one) already
  }
  // A big change set goes as several UPDATEs (update_chunks.h); named must
  // take the last one's SOA after bumping its serial for each before it.
  chunks = chunkBySize(request.delta->ops, [](const UpdateOp& op) { return op.rr.size() + 16; });
  const uint32_t from = served != served_.end() ? served->second : want - 1;
  if (chunks.size() > 1 && !dns::serialGreater(want, from + static_cast<uint32_t>(chunks.size()))) {
    return DeployResult{
        false,
        "the change to " + domain + " needs " + std::to_string(chunks.size()) +
            " UPDATEs, more than its serial rises above named's; loading the whole version",
        true};
  }
  return std::nullopt;
}

DeployResult Pusher::applyDelta(const DeployRequest& request) {
  std::vector<std::vector<UpdateOp>> chunks;
  if (auto early = planDelta(request, chunks)) return std::move(*early);
  return sendChunks(request, chunks);
}

DeployResult Pusher::sendChunks(const DeployRequest& request,
                                const std::vector<std::vector<UpdateOp>>& chunks) {
  UpdateOutcome outcome;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const bool last = i + 1 == chunks.size();
    outcome = options_.updater->apply(request.domain, chunks[i], last ? request.delta->soa : "");
    if (outcome.kind != UpdateOutcome::Kind::kApplied) break;
  }
  if (chunks.size() > 1 && outcome.kind == UpdateOutcome::Kind::kApplied) {
    spdlog::info("{} serial {}: {} changes sent as {} UPDATEs (more than one message holds)",
                 request.domain, soaOf(request), request.delta->ops.size(), chunks.size());
  }
  return deltaOutcome(request, outcome);
}

DeployResult Pusher::deltaOutcome(const DeployRequest& request, const UpdateOutcome& outcome) {
  const std::string& domain = request.domain;
  const uint32_t want = soaOf(request);
  const bool servedBefore = served_.count(domain) > 0;
  switch (outcome.kind) {
    case UpdateOutcome::Kind::kApplied:
      served_[domain] = want;
      if (options_.status) {
        options_.status->deployed(domain, request.serial, request.committedAt, monoMs(), want);
      }
      changedOnPrimary(domain);
      spdlog::debug("named serves {} serial {} ({} changes by UPDATE)", domain, want,
                    request.delta->ops.size());
      return {true, {}};
    case UpdateOutcome::Kind::kNotDynamic:
      if (servedBefore) {
        // named took updates for this zone before: it refuses this change's
        // content (its log says which rule), not updates as such.
        std::string detail = outcome.detail +
                             "; named took updates for this zone before, so it "
                             "refuses this change itself (named's log says why)";
        spdlog::warn("{}", detail);
        served_.erase(domain);
        return {false, std::move(detail)};
      }
      spdlog::info("{}; loading the whole zone instead", outcome.detail);
      return {false, outcome.detail, true};
    case UpdateOutcome::Kind::kFailed:
      break;
  }
  served_.erase(domain);  // we no longer know what named has
  spdlog::warn("{}", outcome.detail);
  return {false, outcome.detail};
}

std::vector<DeployResult> Pusher::deployAll(
    const std::vector<DeployRequest>& requests,
    const std::function<void(size_t, const DeployResult&)>& done) {
  std::vector<DeployResult> results(requests.size());
  auto finished = [&](size_t i, DeployResult result) {
    results[i] = std::move(result);
    if (done) done(i, results[i]);
  };
  // Deltas of one UPDATE each, to different zones, waiting to go together.
  std::vector<size_t> waiting;
  std::vector<std::vector<UpdateOp>> waitingChunk;
  std::set<std::string> waitingZones;
  // New zones, waiting to be added together (addZones).
  std::vector<size_t> adding;
  std::set<std::string> addingZones;
  auto sendAdding = [&] {
    if (adding.empty()) return;
    std::vector<const DeployRequest*> adds;
    adds.reserve(adding.size());
    for (size_t i : adding) adds.push_back(&requests[i]);
    const auto outcomes = addZones(adds);
    for (size_t k = 0; k < adding.size(); ++k) finished(adding[k], outcomes[k]);
    adding.clear();
    addingZones.clear();
  };
  auto sendWaiting = [&] {
    if (waiting.empty()) return;
    std::vector<ZoneChange> changes;
    changes.reserve(waiting.size());
    for (size_t k = 0; k < waiting.size(); ++k) {
      const DeployRequest& r = requests[waiting[k]];
      changes.push_back({r.domain, &waitingChunk[k], r.delta->soa});
    }
    const auto outcomes = options_.updater->applyEach(changes);
    for (size_t k = 0; k < waiting.size(); ++k) {
      const DeployRequest& r = requests[waiting[k]];
      const log::LogContext context{{"zone", r.domain}, {"serial", std::to_string(r.serial)}};
      finished(waiting[k], noted(r, deltaOutcome(r, outcomes[k])));
    }
    if (waiting.size() > 1) spdlog::debug("{} UPDATEs sent together", waiting.size());
    waiting.clear();
    waitingChunk.clear();
    waitingZones.clear();
  };
  for (size_t i = 0; i < requests.size(); ++i) {
    const DeployRequest& r = requests[i];
    // A zone's deploys stay in their order: a second one waits for the first.
    if (waitingZones.count(r.domain)) sendWaiting();
    if (addingZones.count(r.domain)) sendAdding();
    const log::LogContext context{{"zone", r.domain}, {"serial", std::to_string(r.serial)}};
    // An audit's question to the primary is asked here, once: a zone named
    // lost joins the new zones, any other goes to audit() with the answer.
    std::optional<PrimaryAnswer> asked;
    if (auditsDeployedZone(r)) asked.emplace(options_.check->current(r.domain));
    if (isNewZone(r) || (asked && asked->ok() && !asked->value())) {
      adding.push_back(i);
      addingZones.insert(r.domain);
      continue;
    }
    if (!r.delta || !isSafeDomain(r.domain) || r.domain == kCatalogZone) {
      finished(i, deploy(r, asked ? &*asked : nullptr));
      continue;
    }
    if (options_.status) options_.status->wanted(r.domain, r.serial, soaOf(r));
    std::vector<std::vector<UpdateOp>> chunks;
    if (auto early = planDelta(r, chunks)) {
      finished(i, noted(r, std::move(*early)));
    } else if (chunks.size() == 1) {
      waiting.push_back(i);
      waitingChunk.push_back(std::move(chunks.front()));
      waitingZones.insert(r.domain);
    } else {
      finished(i, noted(r, sendChunks(r, chunks)));  // several UPDATEs, one after another
    }
  }
  sendWaiting();
  sendAdding();
  return results;
}

namespace {

using dns::wire::kTypeSoa;

// A record's identity for comparing two copies of a zone: owner (lower
// case), type, TTL and rdata.
std::string keyOf(const WireRr& rr) {
  std::string key = rr.owner;
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  key += '\0' + std::to_string(rr.type) + '\0' + std::to_string(rr.ttl) + '\0' + rr.rdata;
  return key;
}

// key -> record, the SOA left out (it is compared by serial, set by the repair).
std::map<std::string, WireRr> byKey(const std::vector<WireRr>& rrs, std::optional<WireRr>* soa) {
  std::map<std::string, WireRr> out;
  for (const auto& rr : rrs) {
    if (rr.type == kTypeSoa) {
      if (soa) *soa = rr;
      continue;
    }
    out.emplace(keyOf(rr), rr);
  }
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

// SOA rdata: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM; the serial is
// the 20 bytes before the end (RFC 1035 section 3.3.13).
void setSoaSerial(WireRr& soa, uint32_t serial) {
  const size_t at = soa.rdata.size() - 20;
  for (size_t i = 0; i < 4; ++i) {
    soa.rdata[at + i] = static_cast<char>((serial >> (24 - 8 * i)) & 0xff);
  }
}

}  // namespace

// An audit: the version named should serve (the store's, rendered) against
// what named serves. Differences are repaired by UPDATE (deletes, adds, and
// an SOA above named's serial so the secondaries follow by IXFR): no reload,
// no file, the zone keeps serving throughout.
DeployResult Pusher::audit(const DeployRequest& request, const PrimaryAnswer* asked) {
  const std::string& domain = request.domain;
  const uint32_t want = soaOf(request);
  if (!auditsDeployedZone(request)) {
    return upsert(request);  // never loaded by us (or nothing to compare with): load it
  }
  const PrimaryAnswer current = asked ? *asked : options_.check->current(domain);
  if (!current) return {false, current.error().detail};
  if (!current.value()) return addZones({&request}).front();  // named lost it
  const uint32_t now = *current.value();
  const auto ours = served_.find(domain);
  const bool oursNow = ours != served_.end() && ours->second == now;
  if (now != want && dns::serialGreater(now, want) && oursNow) {
    return {true, {}};  // a newer version of ours arrived meanwhile; a later audit checks it
  }
  const Converged done = converge(domain, *request.zoneFile, want, now, oursNow);
  if (done.kind != UpdateOutcome::Kind::kApplied) {
    served_.erase(domain);
    return {false, done.detail};
  }
  served_[domain] = done.serial;
  if (!done.changed)
    spdlog::debug("audit: named serves {} serial {} as the store holds it", domain, now);
  if (options_.status) {
    options_.status->deployed(domain, request.serial, request.committedAt, monoMs(), done.serial);
  }
  if (done.changed) changedOnPrimary(domain);
  return {true, {}};
}

Pusher::Converged Pusher::converge(const std::string& domain, const std::string& zoneFile,
                                   uint32_t want, uint32_t now, bool oursNow) {
  using Kind = UpdateOutcome::Kind;
  auto transferred = options_.updater->transfer(domain);
  if (!transferred) return {Kind::kFailed, transferred.error().detail};
  auto expected = fileRecords(zoneFile);
  if (!expected) return {Kind::kFailed, "cannot read the version: " + expected.error().detail};
  std::optional<WireRr> soa;
  const auto have = byKey(*transferred, nullptr), should = byKey(*expected, &soa);
  if (!soa || soa->rdata.size() < 22) return {Kind::kFailed, "the version has no SOA"};
  std::vector<WireOp> ops;
  size_t deletes = 0;
  for (const auto& [key, rr] : have) {
    if (!should.count(key)) {
      ops.push_back({false, rr});
      ++deletes;
    }
  }
  for (const auto& [key, rr] : should) {
    if (!have.count(key)) ops.push_back({true, rr});
  }
  if (ops.empty() && (now == want || oursNow)) return {Kind::kApplied, {}, now, false};
  // Chunks of bounded size; named bumps the serial itself for each but the
  // last, which carries our SOA: above named's serial, so secondaries follow.
  const size_t changes = ops.size();
  auto chunks = chunkBySize(std::move(ops), [](const WireOp& op) {
    return op.rr.owner.size() + op.rr.rdata.size() + 12;
  });
  uint32_t serial = now + static_cast<uint32_t>(chunks.size());
  if (serial == 0) serial = 1;
  if (dns::serialGreater(want, serial)) serial = want;
  setSoaSerial(*soa, serial);
  chunks.back().push_back({true, *soa});
  if (changes == 0) {
    // Same records, only the serial behind (an UPDATE answered late or lost
    // its answer): not drift, just a serial for the secondaries to follow.
    spdlog::info(
        "named serves {} serial {} with the records of the store's serial {}; raising its "
        "serial to {} so the secondaries follow",
        domain, now, want, serial);
  } else {
    spdlog::warn(
        "named's copy of {} (serial {}) differs from the store's (serial {}): {} record(s) "
        "to delete, {} to add{}; sending them by UPDATE as serial {}",
        domain, now, want, deletes, changes - deletes,
        now != want && !oursNow ? ", and its serial is not one zonepipe deployed" : "", serial);
  }
  for (const auto& chunk : chunks) {
    const UpdateOutcome outcome = options_.updater->applyRecords(domain, chunk);
    if (outcome.kind != Kind::kApplied) return {outcome.kind, outcome.detail};
  }
  return {Kind::kApplied, {}, serial, true};
}

std::string Pusher::zoneConfig(const std::string& domain) const {
  std::string config = "{ type primary; file \"" + publisher_.zonePath(domain) + "\";";
  if (!publisher_.journalDir().empty()) {
    config += " journal \"" + publisher_.journalPath(domain) + "\";";
  }
  if (!options_.updateKey.empty()) {
    config += " allow-update { key \"" + options_.updateKey + "\"; };";
  }
  // The pusher NOTIFYs the secondaries of a member zone (paced); named still
  // NOTIFYs them of the catalog zone's changes.
  if (options_.notifier && domain != kCatalogZone) config += " notify no;";
  return config + " };";
}

DeployResult Pusher::load(const std::string& domain, const std::string& zoneFile, uint64_t serial,
                          uint32_t soa) {
  if (soa == 0) soa = dns::soaSerial(serial);
  const bool dynamic = !options_.updateKey.empty();
  const auto addzone = [&] { return rndc_.run({"addzone", domain, zoneConfig(domain)}); };
  const auto modzone = [&] { return rndc_.run({"modzone", domain, zoneConfig(domain)}); };
  // A zone named serves as a dynamic zone is brought to this version by an
  // UPDATE of the differences (see converge): it keeps serving throughout and
  // no file is raced with named's own dumps of it. A static zone (an older
  // pusher's) is made dynamic with modzone.
  const auto replaceDynamic = [&](std::string& command) {
    publisher_.writeZone(domain, zoneFile);
    publisher_.removeJournal(domain);
    command = "modzone";
    return modzone();
  };
  if (dynamic && options_.updater && options_.check && publisher_.deployed(domain)) {
    auto current = options_.check->current(domain);
    if (!current) return {false, current.error().detail};
    if (current.value()) {
      const Converged done = converge(domain, zoneFile, soa, *current.value(), false);
      if (done.kind == UpdateOutcome::Kind::kApplied) {
        // No file: named owns the file of a dynamic zone (it dumps its journal
        // into it); writing ours over it would break its journal on restart.
        publisher_.writeSerial(domain, serial);
        served_[domain] = done.serial;
        return {true, {}};
      }
      if (done.kind == UpdateOutcome::Kind::kFailed) {
        served_.erase(domain);
        return {false, done.detail};
      }
      // Refused: a static zone (an older pusher's) is made dynamic below; a
      // dynamic one refuses the content, and reloading it would not help.
      const ProcessResult shown = rndc_.run({"showzone", domain});
      if (shown.ok() && says(shown, "allow-update")) {
        served_.erase(domain);
        return {false, done.detail + "; named refuses this version of the zone (its log says why)"};
      }
    }
  }
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
      return notServedAfter(command, domain, soa, *notServed);
    }
  }
  recordLoaded(domain, serial, soa, command);
  return {true, {}};
}

DeployResult Pusher::notServedAfter(const std::string& command, const std::string& domain,
                                    uint32_t soa, const Error& why) {
  std::string detail = "named accepted `rndc " + command + " " + domain +
                       "` but does not serve serial " + std::to_string(soa) + ": " + why.detail +
                       "; named's log says why (a zone file it cannot load?), or "
                       "dns.primary_address/dns.port do not point at the primary named";
  spdlog::warn("{}", detail);
  served_.erase(domain);
  return {false, std::move(detail)};
}

void Pusher::recordLoaded(const std::string& domain, uint64_t serial, uint32_t soa,
                          const std::string& command) {
  publisher_.writeSerial(domain, serial);
  served_[domain] = soa;
  spdlog::debug("named loads {} serial {} ({})", domain, serial, command);
}

bool Pusher::isNewZone(const DeployRequest& request) const {
  return request.zoneFile && !request.delta && !request.audit && options_.check &&
         isSafeDomain(request.domain) && request.domain != kCatalogZone &&
         !publisher_.deployed(request.domain);
}

bool Pusher::auditsDeployedZone(const DeployRequest& request) const {
  return request.audit && request.zoneFile && !request.delta && options_.check &&
         options_.updater && isSafeDomain(request.domain) && request.domain != kCatalogZone &&
         publisher_.deployed(request.domain);
}

std::vector<DeployResult> Pusher::addZones(const std::vector<const DeployRequest*>& adds) {
  std::vector<DeployResult> results(adds.size());
  std::vector<size_t> added;
  std::vector<SerialWanted> wants;
  for (size_t k = 0; k < adds.size(); ++k) {
    const DeployRequest& r = *adds[k];
    const log::LogContext context{{"zone", r.domain}, {"serial", std::to_string(r.serial)}};
    if (options_.status) options_.status->wanted(r.domain, r.serial, soaOf(r));
    if (r.audit) {
      for (const std::string& line : lostZones_.lost(r.domain, monoMs())) spdlog::warn("{}", line);
    }
    // upsert() one at a time: it says what the disk refused (guarded), and
    // modzone sorts out "already exists" (our serial file was lost).
    const auto alone = [&] { return guarded(r, [&] { return upsert(r); }); };
    try {
      publisher_.writeZone(r.domain, *r.zoneFile);
      publisher_.removeJournal(r.domain);
    } catch (const std::system_error&) {
      results[k] = alone();
      continue;
    }
    const ProcessResult result = rndc_.run({"addzone", r.domain, zoneConfig(r.domain)});
    if (!result.ok() && result.started && !result.timedOut && says(result, "already exists")) {
      results[k] = alone();
      continue;
    }
    if (!result.ok()) {  // named down or refusing: not asked twice
      results[k] = noted(r, failure("addzone", r.domain, result));
      continue;
    }
    if (options_.status) options_.status->reloaded(r.domain);
    added.push_back(k);
    wants.push_back({r.domain, soaOf(r)});
  }
  const std::vector<Status> confirmed =
      wants.empty() ? std::vector<Status>{} : options_.check->confirmAll(wants);
  for (size_t j = 0; j < added.size(); ++j) {
    const DeployRequest& r = *adds[added[j]];
    const log::LogContext context{{"zone", r.domain}, {"serial", std::to_string(r.serial)}};
    if (confirmed[j]) {
      results[added[j]] = noted(r, notServedAfter("addzone", r.domain, soaOf(r), *confirmed[j]));
      continue;
    }
    recordLoaded(r.domain, r.serial, soaOf(r), "addzone");
    results[added[j]] = servedWhole(r);
  }
  if (adds.size() > 1) spdlog::debug("{} new zones added together", adds.size());
  return results;
}

DeployResult Pusher::upsert(const DeployRequest& request) {
  const std::string& domain = request.domain;
  DeployResult loaded = load(domain, *request.zoneFile, request.serial, soaOf(request));
  if (!loaded.ok) return loaded;
  return servedWhole(request);
}

DeployResult Pusher::servedWhole(const DeployRequest& request) {
  if (options_.status) {
    options_.status->deployed(request.domain, request.serial, request.committedAt, monoMs(),
                              soaOf(request));
  }
  // A new zone reaches the secondaries through the catalog.
  if (members_.count(request.domain) > 0) changedOnPrimary(request.domain);
  addMember(request.domain);
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
  if (options_.notifier) options_.notifier->removed(domain);
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
  if (const std::string summary = lostZones_.flush(monoMs()); !summary.empty()) {
    spdlog::warn("{}", summary);
  }
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

void Pusher::changedOnPrimary(const std::string& domain) {
  if (!options_.notifier || domain == kCatalogZone) return;
  const auto deferred = options_.notifier->changed(domain, monoMs());
  if (deferred && options_.status) options_.status->notifyDueAt(domain, *deferred);
}

void Pusher::renotify(const std::vector<Renotify>& zones) {
  if (zones.empty()) return;
  bool catalog = false;
  size_t failed = 0;
  for (const Renotify& z : zones) {
    if (z.catalog && options_.catalog) {  // it lacks the zone: the catalog's NOTIFY brings it
      catalog = true;
      continue;
    }
    if (options_.notifier) {
      options_.notifier->now(z.domain);  // its zones say `notify no;`: named would not
    } else if (!rndc_.run({"notify", z.domain}).ok()) {
      ++failed;
    }
  }
  if (catalog && !rndc_.run({"notify", kCatalogZone}).ok()) ++failed;
  spdlog::info(
      "a secondary missed changes of {} zone(s) (e.g. {}: {}; it was unreachable or down when "
      "the primary sent its NOTIFY): asked the primary to NOTIFY the secondaries again{}",
      zones.size(), zones.front().domain, zones.front().why, catalog ? ", and of the catalog" : "");
  if (failed > 0) {
    spdlog::warn("rndc notify failed for {} zone(s); is named running? check {}", failed,
                 rndc_.configPath());
  }
}

DeployResult Pusher::failure(const std::string& command, const std::string& domain,
                             const ProcessResult& result) const {
  std::string detail = "rndc " + command + " " + domain + " failed: " + result.describe() +
                       "; is named running? check " + rndc_.configPath();
  spdlog::warn("{}", detail);
  return {false, std::move(detail)};
}

}  // namespace zp::push
