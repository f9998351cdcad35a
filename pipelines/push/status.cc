#include "pipelines/push/status.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace zp::push {
namespace {

constexpr int64_t kAnswerTimeoutMs = 1000;
constexpr int64_t kFirstBackoffMs = 20;
constexpr int64_t kFirstSecondaryAskMs = 5;
// At most 500 ms between asks while a server lags: `in_sync` turns true within
// half a second of it being so (issue 8 asks for 1 s).
constexpr int64_t kMaxBackoffMs = 500;
constexpr int64_t kRecheckMs = 60000;
// SOA queries in flight at once: a restarted pusher with 10,000 zones asks
// 20,000 of them; sent all at once they overflow named's socket buffer and
// come back as 1 s timeouts. Replies make room (the socket wakes the loop).
constexpr size_t kMaxInFlight = 512;

int64_t wallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string rcodeText(int rcode) {
  switch (rcode) {
    case 0:
      return "NOERROR without an SOA";
    case 2:
      return "SERVFAIL (it could not load the zone; see its log)";
    case 3:
      return "NXDOMAIN";
    case 5:
      return "REFUSED (it does not serve the zone)";
    default:
      return "rcode " + std::to_string(rcode);
  }
}

}  // namespace

std::vector<Nameserver> nameserversFrom(const config::Config& cfg) {
  std::vector<std::string> addresses = {cfg.primaryAddress};
  addresses.insert(addresses.end(), cfg.secondaries.begin(), cfg.secondaries.end());
  std::vector<Nameserver> out;
  for (size_t i = 0; i < addresses.size(); ++i) {
    const std::string& text = addresses[i];
    Nameserver ns{i < cfg.nameservers.size() ? cfg.nameservers[i] : text, text, text, cfg.dnsPort};
    if (const size_t colon = text.find(':'); colon != std::string::npos) {
      ns.ip = text.substr(0, colon);
      unsigned port = 0;
      const std::string p = text.substr(colon + 1);
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
      if (ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535) {
        throw std::invalid_argument("nameserver `" + text +
                                    "` has a bad port; use ADDRESS or ADDRESS:PORT");
      }
      ns.port = static_cast<uint16_t>(port);
    }
    in_addr parsed{};
    if (::inet_pton(AF_INET, ns.ip.c_str(), &parsed) != 1) {
      throw std::invalid_argument(
          "nameserver `" + text +
          "` is not an IPv4 address (dns.primary_address / dns.secondaries)");
    }
    // Shown to users (zone detail, logs): with the port unless it is 53, so
    // the address is one a client can query as written.
    ns.address = ns.port == 53 ? ns.ip : ns.ip + ":" + std::to_string(ns.port);
    out.push_back(std::move(ns));
  }
  return out;
}

StatusBook::StatusBook(std::vector<Nameserver> servers)
    : servers_(std::move(servers)), nextId_(static_cast<uint16_t>(::getpid() * 7919)) {}

StatusBook::Zone& StatusBook::zone(const std::string& domain) {
  auto [it, added] = zones_.try_emplace(domain);
  if (added) it->second.servers.resize(servers_.size());
  return it->second;
}

void StatusBook::adopt(const std::string& domain, uint64_t serial, int64_t nowMs) {
  Zone& z = zone(domain);
  if (z.known) return;
  z.known = true;
  z.adopted = true;
  z.deployedSerial = z.wantedSerial = serial;
  askNow(domain, z, nowMs);
}

void StatusBook::askNow(const std::string& domain, Zone& z, int64_t nowMs) {
  for (size_t i = 0; i < z.servers.size(); ++i) {
    z.servers[i].backoffMs = 0;
    z.servers[i].dueAt = nowMs;
    due_.push({nowMs, domain, i});
  }
}

void StatusBook::wanted(const std::string& domain, uint64_t serial, uint32_t soa) {
  Zone& z = zone(domain);
  if (serial >= z.wantedSerial) {
    z.adopted = false;
    z.wantedSerial = serial;
    z.wantedSoa = dns::storedOrDerivedSerial(soa, serial);
  }
}

void StatusBook::deployed(const std::string& domain, uint64_t serial, int64_t committedAtMs,
                          int64_t nowMs, uint32_t soa) {
  Zone& z = zone(domain);
  z.known = true;
  z.deployedSerial = serial;
  z.deployedSoa = dns::storedOrDerivedSerial(soa, serial);
  if (serial >= z.wantedSerial) {
    z.wantedSerial = serial;
    z.wantedSoa = z.deployedSoa;
  }
  z.committedAtMs = committedAtMs;
  z.adopted = false;
  z.lastError.clear();
  // The pusher saw the primary serve this version (NOERROR to its UPDATE, or
  // the SOA answered after a load), so the primary is not asked again now:
  // under 1,000 writes/s those questions were a third of the primary's
  // queries. It is rechecked like any zone in sync.
  Served& primary = z.servers[0];
  if (primary.inFlight) {  // asked before this version: its answer would be stale
    pending_.erase(primary.queryId);
    primary.inFlight = false;
  }
  SoaReply confirmed;
  confirmed.rcode = 0;
  confirmed.authoritative = true;
  confirmed.serial = z.deployedSoa;
  answer(z, domain, 0, confirmed, nowMs);
  // A secondary needs the NOTIFY, an SOA query and an IXFR first (about 5 ms
  // here, bench/README.md): asking at once was a question wasted per deploy.
  askSecondariesAt(domain, z, nowMs);
}

void StatusBook::notifyDueAt(const std::string& domain, int64_t atMs) {
  auto it = zones_.find(domain);
  if (it != zones_.end()) askSecondariesAt(domain, it->second, atMs);
}

void StatusBook::askSecondariesAt(const std::string& domain, Zone& z, int64_t notifiedAtMs) {
  for (size_t i = 1; i < z.servers.size(); ++i) {
    Served& s = z.servers[i];
    s.backoffMs = 0;
    s.dueAt = notifiedAtMs + kFirstSecondaryAskMs;
    due_.push({s.dueAt, domain, i});
  }
}

void StatusBook::failed(const std::string& domain, const std::string& detail) {
  zone(domain).lastError = detail;
}

void StatusBook::reloaded(const std::string& domain) {
  ++zone(domain).reloads;
  ++totalReloads_;
}

void StatusBook::removed(const std::string& domain) {
  auto it = zones_.find(domain);
  if (it == zones_.end()) return;
  for (const Served& s : it->second.servers) {
    if (s.inFlight) pending_.erase(s.queryId);  // its answer, if any, is dropped
  }
  zones_.erase(it);
}

bool StatusBook::inSync(const Zone& z, const Served& s) const {
  // This version or a later one (after a drift repair named may be ahead: RFC 1982).
  return z.known && !z.adopted && s.answered && serialAtOrAfter(s.serial, z.wantedSoa);
}

void StatusBook::reschedule(const std::string& domain, size_t index, Zone& z, int64_t nowMs) {
  Served& s = z.servers[index];
  if (inSync(z, s)) {
    s.backoffMs = 0;
    s.dueAt = nowMs + kRecheckMs;
  } else {
    s.backoffMs = s.backoffMs == 0 ? kFirstBackoffMs : std::min(s.backoffMs * 2, kMaxBackoffMs);
    s.dueAt = nowMs + s.backoffMs;
  }
  due_.push({s.dueAt, domain, index});
}

void StatusBook::answer(Zone& z, const std::string& domain, size_t index, const SoaReply& reply,
                        int64_t nowMs) {
  Served& s = z.servers[index];
  const Nameserver& ns = servers_[index];
  s.inFlight = false;
  if (metrics_) metrics_->reachable(index, true);
  if (reply.rcode == 0 && reply.authoritative && reply.serial) {
    s.answered = true;
    s.serial = *reply.serial;
    if (z.adopted && index == 0) {  // the primary sets the reference (adopt)
      z.adopted = false;
      z.wantedSoa = z.deployedSoa = s.serial;
      s.loggedSerial = s.serial;  // not a new version: no "served" line
    }
    const uint32_t want = z.wantedSoa;
    if (s.serial == want) {
      s.detail.clear();
    } else if (serialAtOrAfter(s.serial, want)) {
      s.detail = "serves serial " + std::to_string(s.serial) + ", newer than the " +
                 std::to_string(want) + " zonepipe deployed (was the zone edited by hand?)";
    } else {
      s.detail = "serves serial " + std::to_string(s.serial) + ", behind " + std::to_string(want);
    }
  } else {
    s.answered = false;
    s.detail = "answers " + rcodeText(reply.rcode);
  }
  if (s.answered && s.serial == z.deployedSoa && s.loggedSerial != s.serial &&
      z.committedAtMs > 0) {
    s.loggedSerial = s.serial;
    // Per version, so at debug: at 2,000 changes a second these lines alone
    // kept scripts/run's log prefixer at 23% of a core.
    // zonepipe_push_served_seconds has the same figure.
    spdlog::debug("{} serial {} served by {} ({}) {} ms after commit", domain, s.serial, ns.name,
                  ns.address, z.committedAtMs > 0 ? wallMs() - z.committedAtMs : -1);
    if (metrics_ && z.committedAtMs > 0) {
      metrics_->served(index, static_cast<double>(wallMs() - z.committedAtMs) / 1000.0);
    }
  }
  if (index > 0) checkBehind(z, domain, index, nowMs);
  reschedule(domain, index, z, nowMs);
}

void StatusBook::checkBehind(Zone& z, const std::string& domain, size_t index, int64_t nowMs) {
  Served& s = z.servers[index];
  const Served& primary = z.servers[0];
  const bool behind =
      primary.answered && (!s.answered || !serialAtOrAfter(s.serial, primary.serial));
  if (!behind) {
    s.behindSince = -1;
    return;
  }
  if (s.behindSince < 0) s.behindSince = nowMs;
  if (nowMs - s.behindSince < kRenotifyAfterMs || nowMs - z.renotifiedAt < kRenotifyEveryMs) {
    return;
  }
  z.renotifiedAt = nowMs;
  const Nameserver& ns = servers_[index];
  renotify_.push_back(
      {domain, !s.answered,
       ns.name + " (" + ns.address + ") " +
           (s.answered ? "serves serial " + std::to_string(s.serial) : "does not serve it") +
           ", the primary serial " + std::to_string(primary.serial) + ", for " +
           std::to_string((nowMs - s.behindSince) / 1000) + " s"});
  if (metrics_) metrics_->renotified(index);
}

std::vector<Renotify> StatusBook::takeRenotify() { return std::exchange(renotify_, {}); }

void StatusBook::poll(int64_t nowMs) {
  for (const auto& r : socket_.drain()) {
    auto p = pending_.find(r.reply.id);
    if (p == pending_.end()) continue;
    const Pending pending = p->second;
    const Nameserver& ns = servers_[pending.server];
    if (ns.ip != r.address || ns.port != r.port) continue;
    pending_.erase(p);
    auto z = zones_.find(pending.domain);
    if (z == zones_.end()) continue;  // removed meanwhile
    Served& s = z->second.servers[pending.server];
    if (!s.inFlight || s.queryId != r.reply.id) continue;
    answer(z->second, pending.domain, pending.server, r.reply, nowMs);
  }
  // Due entries, earliest first. An entry is live when it is the server's
  // next query time (not in flight) or its answer deadline (in flight);
  // every other entry is stale (rescheduled since) and dropped.
  while (!due_.empty() && pending_.size() < kMaxInFlight) {
    const Due& top = due_.top();
    auto it = zones_.find(top.domain);
    Zone* z = it == zones_.end() || !it->second.known ? nullptr : &it->second;
    if (z == nullptr || !live(*z, top)) {
      due_.pop();
      continue;
    }
    if (top.at > nowMs) break;
    const Due d = top;
    due_.pop();
    Served& s = z->servers[d.server];
    const Nameserver& ns = servers_[d.server];
    if (s.inFlight) {  // its answer is late
      pending_.erase(s.queryId);
      s.inFlight = false;
      s.answered = false;
      s.detail = "no answer from " + ns.ip + " port " + std::to_string(ns.port) +
                 " within 1 s (is named running there?)";
      if (metrics_) metrics_->reachable(d.server, false);
      reschedule(d.domain, d.server, *z, nowMs);
      continue;
    }
    const uint16_t id = nextId_++;
    if (auto failed = socket_.send(ns.ip, ns.port, d.domain, id)) {
      s.answered = false;
      s.detail = failed->detail;
      if (metrics_) metrics_->reachable(d.server, false);
      reschedule(d.domain, d.server, *z, nowMs);
      continue;
    }
    pending_[id] = {d.domain, d.server};
    s.queryId = id;
    s.inFlight = true;
    s.sentAt = nowMs;
    due_.push({nowMs + kAnswerTimeoutMs, d.domain, d.server});  // its answer deadline
  }
}

bool StatusBook::live(const Zone& z, const Due& d) const {
  const Served& s = z.servers[d.server];
  return s.inFlight ? d.at == s.sentAt + kAnswerTimeoutMs : d.at == s.dueAt;
}

void StatusBook::publishCounts() const {
  if (!metrics_) return;
  size_t known = 0;
  std::vector<size_t> outOfSync(servers_.size(), 0);
  for (const auto& [domain, z] : zones_) {
    if (!z.known) continue;
    ++known;
    for (size_t i = 0; i < z.servers.size() && i < outOfSync.size(); ++i) {
      if (!inSync(z, z.servers[i])) ++outOfSync[i];
    }
  }
  metrics_->zones(known, outOfSync);
}

int64_t StatusBook::nextDueIn(int64_t nowMs) const {
  if (due_.empty()) return 1000;
  return std::clamp<int64_t>(due_.top().at - nowMs, 0, 1000);
}

ZoneView StatusBook::view(const std::string& domain) const {
  ZoneView v;
  auto it = zones_.find(domain);
  if (it == zones_.end()) return v;
  const Zone& z = it->second;
  v.known = z.known;
  v.deployedSerial = z.deployedSerial;
  v.wantedSerial = z.wantedSerial;
  v.lastError = z.lastError;
  v.reloads = z.reloads;
  for (size_t i = 0; i < servers_.size(); ++i) {
    const Served& s = z.servers[i];
    NameserverView n{servers_[i], s.answered, s.serial, inSync(z, s), s.detail};
    const uint32_t want = z.wantedSoa;
    if (!z.known) {
      n.detail = "zonepipe has not deployed this zone yet";
    } else if (!n.inSync && n.answered && !serialAtOrAfter(n.serial, want)) {
      n.detail = "serves serial " + std::to_string(n.serial) + ", behind " + std::to_string(want);
    } else if (!n.inSync && n.detail.empty()) {
      n.detail = "not confirmed yet";
    }
    v.nameservers.push_back(std::move(n));
  }
  return v;
}

}  // namespace zp::push
