#include "pipelines/push/secondary_notifier.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "common/dns/wire.h"

namespace zp::push {
namespace {

Error bad(std::string detail) { return {ErrorKind::kUnavailable, "", std::move(detail)}; }

}  // namespace

Result<std::string> buildNotify(uint16_t id, const std::string& zone) {
  auto query = dns::wire::buildQuery(id, zone, dns::wire::kTypeSoa);
  if (!query.ok()) return query;
  std::string packet = query.value();
  // Flags: opcode NOTIFY (4) and AA, the rest 0 (RFC 1996 section 3.7).
  packet[2] = static_cast<char>((4 << 3) | 0x04);
  packet[3] = 0;
  return packet;
}

Result<std::unique_ptr<SecondaryNotifier>> SecondaryNotifier::open(
    const std::string& primaryIp, std::vector<Nameserver> secondaries, int64_t intervalMs) {
  const auto from = ipv4(primaryIp, 0);
  if (!from) return bad("the primary's address `" + primaryIp + "` is not an IPv4 address");
  std::vector<Target> targets;
  for (Nameserver& ns : secondaries) {
    const auto to = ipv4(ns.ip, ns.port);
    if (!to) return bad("the secondary's address `" + ns.ip + "` is not an IPv4 address");
    targets.push_back({std::move(ns), *to});
  }
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return bad(std::string("cannot make a UDP socket: ") + std::strerror(errno));
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&*from), sizeof *from) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return bad("cannot send from the primary's address " + primaryIp + " (" + why +
               "): this host does not have it");
  }
  return std::unique_ptr<SecondaryNotifier>(
      new SecondaryNotifier(fd, std::move(targets), intervalMs));
}

SecondaryNotifier::SecondaryNotifier(int fd, std::vector<Target> targets, int64_t intervalMs)
    : fd_(fd),
      targets_(std::move(targets)),
      pacer_(intervalMs),
      nextId_(static_cast<uint16_t>(std::random_device{}())) {}

SecondaryNotifier::~SecondaryNotifier() { ::close(fd_); }

std::optional<int64_t> SecondaryNotifier::changed(const std::string& domain, int64_t nowMs) {
  if (!pacer_.changed(domain, nowMs)) return pacer_.pendingAt(domain);
  send(domain);
  return std::nullopt;
}

void SecondaryNotifier::now(const std::string& domain) { send(domain); }

void SecondaryNotifier::poll(int64_t nowMs) {
  char buf[512];
  for (int n = 0; n < 1024 && ::recv(fd_, buf, sizeof buf, 0) >= 0; ++n) {
  }
  for (const std::string& domain : pacer_.due(nowMs)) send(domain);
}

void SecondaryNotifier::send(const std::string& domain) {
  auto packet = buildNotify(nextId_++, domain);
  if (!packet.ok()) return;  // not a DNS name: never a zone the pusher serves
  for (size_t i = 0; i < targets_.size(); ++i) {
    const Target& t = targets_[i];
    if (::sendto(fd_, packet->data(), packet->size(), 0,
                 reinterpret_cast<const sockaddr*>(&t.address), sizeof t.address) < 0) {
      // The status book sees the secondary fall behind and asks again.
      spdlog::debug("cannot NOTIFY {} ({}) of {}: {}", t.server.name, t.server.address, domain,
                    std::strerror(errno));
      continue;
    }
    if (metrics_) metrics_->notified(i + 1);
  }
}

}  // namespace zp::push
