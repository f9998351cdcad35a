#include "bench/load/dns_probe.h"

#include "common/dns/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace zp::bench {
namespace {

Error bad(std::string detail) { return {ErrorKind::kUnavailable, "", std::move(detail)}; }

}  // namespace

Result<std::string> buildQuery(uint16_t id, std::string_view name, uint16_t qtype) {
  return dns::wire::buildQuery(id, name, qtype);
}

Result<DnsReply> parseDnsReply(std::string_view p) {
  auto reply = dns::wire::parseReply(p);
  if (!reply) return reply.error();
  DnsReply r;
  r.id = reply->id;
  r.rcode = reply->rcode;
  r.truncated = reply->truncated;
  r.answerCount = static_cast<uint16_t>(reply->answers.size());
  for (const auto& a : reply->answers) {
    if (a.type != kTypeA || a.klass != dns::wire::kClassIn || a.rdlen != 4) continue;
    Ipv4 address;
    for (size_t b = 0; b < 4; ++b) address[b] = static_cast<uint8_t>(p[a.rdata + b]);
    r.addresses.push_back(address);
  }
  return r;
}

std::optional<Ipv4> parseIpv4(std::string_view text) {
  Ipv4 out{};
  for (size_t i = 0; i < 4; ++i) {
    const size_t dot = text.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    const std::string_view part = text.substr(0, dot);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || part.size() > 3 || ec != std::errc() || end != part.data() + part.size() ||
        v > 255 || (part.size() > 1 && part[0] == '0')) {
      return std::nullopt;
    }
    out[i] = static_cast<uint8_t>(v);
    text = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  }
  return out;
}

DnsProbe::DnsProbe(uint16_t port) : nextId_(static_cast<uint16_t>(::getpid() * 7919)) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("UDP socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  // connect() makes the kernel drop datagrams from anyone but the nameserver.
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(fd_);
    throw std::runtime_error(std::string("UDP connect 127.0.0.1: ") + std::strerror(e));
  }
}

DnsProbe::~DnsProbe() { ::close(fd_); }

Status DnsProbe::send(std::string_view name, uint16_t qtype, uint16_t id) {
  auto q = buildQuery(id, name, qtype);
  if (!q.ok()) return q.error();
  if (::send(fd_, q->data(), q->size(), 0) < 0) {
    // ECONNREFUSED: an ICMP port unreachable from an earlier datagram (named down).
    return bad(std::string("DNS send: ") + std::strerror(errno));
  }
  return std::nullopt;
}

std::optional<DnsReply> DnsProbe::receive(Clock::time_point until) {
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      auto r = parseDnsReply(std::string_view(buf, static_cast<size_t>(n)));
      if (r.ok()) return r.value();
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
        errno != ECONNREFUSED) {
      return std::nullopt;
    }
    const auto now = Clock::now();
    if (now >= until) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(until - now).count();
    // poll() has millisecond resolution; ppoll() gives the sub-millisecond ticks we need.
    timespec ts{static_cast<time_t>(left / 1000000), static_cast<long>((left % 1000000) * 1000)};
    pollfd pfd{fd_, POLLIN, 0};
    ::ppoll(&pfd, 1, &ts, nullptr);
  }
}

Result<DnsReply> DnsProbe::query(std::string_view name, uint16_t qtype,
                                 std::chrono::microseconds timeout) {
  const uint16_t id = nextId_++;
  if (auto failed = send(name, qtype, id)) return *failed;
  const auto until = Clock::now() + timeout;
  while (auto r = receive(until)) {
    if (r->id == id) return *r;
  }
  return bad("no DNS reply within " + std::to_string(timeout.count()) + " us");
}

Result<DnsProbe::Clock::time_point> DnsProbe::waitForAddress(std::string_view name,
                                                             const Ipv4& want,
                                                             std::chrono::microseconds interval,
                                                             Clock::time_point deadline,
                                                             int& queries) {
  // Replies to any of our queries for this name count, late ones included.
  const uint16_t firstId = nextId_;
  auto nextSend = Clock::now();
  while (Clock::now() < deadline) {
    if (const auto now = Clock::now(); now >= nextSend) {
      (void)send(name, kTypeA, nextId_++);  // a lost send is retried at the next tick
      ++queries;
      // After a stall (descheduled), go on from now instead of sending a burst.
      nextSend = std::max(nextSend + interval, now + interval / 2);
    }
    while (auto r = receive(std::min(nextSend, deadline))) {
      const auto age = static_cast<uint16_t>(r->id - firstId);
      const auto sent = static_cast<uint16_t>(nextId_ - firstId);
      if (age >= sent) continue;  // an older probe's reply
      if (r->rcode == kRcodeNoError &&
          std::find(r->addresses.begin(), r->addresses.end(), want) != r->addresses.end()) {
        return Clock::now();
      }
    }
  }
  return bad("named did not serve " + std::string(name) + " before the deadline");
}

}  // namespace zp::bench
