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
// At most 500 ms between asks while a server lags: `in_sync` turns true within
// half a second of it being so (issue 8 asks for 1 s).
constexpr int64_t kMaxBackoffMs = 500;
constexpr int64_t kRecheckMs = 60000;

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

void StatusBook::wanted(const std::string& domain, uint64_t serial, uint32_t soa) {
  Zone& z = zone(domain);
  if (serial >= z.wantedSerial) {
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
  z.lastError.clear();
  for (Served& s : z.servers) {
    s.backoffMs = 0;
    s.dueAt = nowMs;
  }
}

void StatusBook::failed(const std::string& domain, const std::string& detail) {
  zone(domain).lastError = detail;
}

void StatusBook::reloaded(const std::string& domain) {
  ++zone(domain).reloads;
  ++totalReloads_;
}

void StatusBook::removed(const std::string& domain) { zones_.erase(domain); }

bool StatusBook::inSync(const Zone& z, const Served& s) const {
  // This version or a later one (after a drift repair named may be ahead: RFC 1982).
  return z.known && s.answered && serialAtOrAfter(s.serial, z.wantedSoa);
}

void StatusBook::reschedule(Zone& z, Served& s, int64_t nowMs) {
  if (inSync(z, s)) {
    s.backoffMs = 0;
    s.dueAt = nowMs + kRecheckMs;
    return;
  }
  s.backoffMs = s.backoffMs == 0 ? kFirstBackoffMs : std::min(s.backoffMs * 2, kMaxBackoffMs);
  s.dueAt = nowMs + s.backoffMs;
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
  if (s.answered && s.serial == z.deployedSoa && s.loggedSerial != s.serial) {
    s.loggedSerial = s.serial;
    spdlog::info("{} serial {} served by {} ({}) {} ms after commit", domain, s.serial, ns.name,
                 ns.address, z.committedAtMs > 0 ? wallMs() - z.committedAtMs : -1);
    if (metrics_ && z.committedAtMs > 0) {
      metrics_->served(index, static_cast<double>(wallMs() - z.committedAtMs) / 1000.0);
    }
  }
  if (index > 0) checkBehind(z, domain, index, nowMs);
  reschedule(z, s, nowMs);
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
  for (auto& [domain, z] : zones_) {
    if (!z.known) continue;
    for (size_t i = 0; i < z.servers.size(); ++i) {
      Served& s = z.servers[i];
      if (s.inFlight && nowMs - s.sentAt >= kAnswerTimeoutMs) {
        pending_.erase(s.queryId);
        s.inFlight = false;
        s.answered = false;
        s.detail = "no answer from " + servers_[i].ip + " port " +
                   std::to_string(servers_[i].port) + " within 1 s (is named running there?)";
        if (metrics_) metrics_->reachable(i, false);
        reschedule(z, s, nowMs);
      }
      if (s.inFlight || s.dueAt > nowMs) continue;
      const uint16_t id = nextId_++;
      if (auto failed = socket_.send(servers_[i].ip, servers_[i].port, domain, id)) {
        s.answered = false;
        s.detail = failed->detail;
        if (metrics_) metrics_->reachable(i, false);
        reschedule(z, s, nowMs);
        continue;
      }
      pending_[id] = {domain, i};
      s.queryId = id;
      s.inFlight = true;
      s.sentAt = nowMs;
    }
  }
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
  int64_t next = 1000;
  for (const auto& [domain, z] : zones_) {
    if (!z.known) continue;
    for (const Served& s : z.servers) {
      const int64_t at = s.inFlight ? s.sentAt + kAnswerTimeoutMs : s.dueAt;
      next = std::min(next, at - nowMs);
    }
  }
  return std::max<int64_t>(next, 0);
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
