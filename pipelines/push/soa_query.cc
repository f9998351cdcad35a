#include "pipelines/push/soa_query.h"

#include "common/dns/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <system_error>
#include <thread>

namespace zp::push {
namespace {

using dns::wire::kClassIn;
using dns::wire::kTypeSoa;
using dns::wire::read32;
using dns::wire::skipName;

Error bad(std::string detail) { return {ErrorKind::kUnavailable, "", std::move(detail)}; }

}  // namespace

std::optional<sockaddr_in> ipv4(const std::string& address, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) return std::nullopt;
  return a;
}

Result<std::string> buildSoaQuery(uint16_t id, std::string_view zone) {
  return dns::wire::buildQuery(id, zone, dns::wire::kTypeSoa);
}

Result<SoaReply> parseSoaReply(std::string_view p) {
  auto reply = dns::wire::parseReply(p);
  if (!reply) return reply.error();
  SoaReply r;
  r.id = reply->id;
  r.rcode = reply->rcode;
  r.authoritative = reply->authoritative;
  for (const auto& a : reply->answers) {
    if (a.type != kTypeSoa || a.klass != kClassIn) continue;
    const std::string_view rdata = p.substr(0, a.rdata + a.rdlen);  // names may point backwards
    auto afterMname = skipName(rdata, a.rdata);
    auto afterRname = afterMname ? skipName(rdata, *afterMname) : std::nullopt;
    if (!afterRname || *afterRname + 20 != a.rdata + a.rdlen) return bad("malformed SOA rdata");
    r.serial = read32(p, *afterRname);
    break;
  }
  return r;
}

bool serialAtOrAfter(uint32_t a, uint32_t b) {
  return a == b || static_cast<uint32_t>(a - b) < (uint32_t{1} << 31);
}

SoaSocket::SoaSocket() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "UDP socket for SOA queries");
}

SoaSocket::~SoaSocket() { ::close(fd_); }

Status SoaSocket::send(const std::string& address, uint16_t port, std::string_view zone,
                       uint16_t id) {
  auto to = ipv4(address, port);
  if (!to) return bad("nameserver address `" + address + "` is not an IPv4 address");
  auto q = buildSoaQuery(id, zone);
  if (!q.ok()) return q.error();
  if (::sendto(fd_, q->data(), q->size(), 0, reinterpret_cast<const sockaddr*>(&*to), sizeof *to) <
      0) {
    return bad("cannot send a DNS query to " + address + ": " + std::strerror(errno));
  }
  return std::nullopt;
}

std::vector<SoaSocket::Received> SoaSocket::drain() {
  std::vector<Received> out;
  char buf[4096];
  for (int n = 0; n < 4096; ++n) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t got =
        ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (got < 0) {
      if (errno == EINTR || errno == ECONNREFUSED) continue;
      break;  // EAGAIN: nothing more now
    }
    auto reply = parseSoaReply(std::string_view(buf, static_cast<size_t>(got)));
    if (!reply.ok()) continue;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
    out.push_back({text, ntohs(from.sin_port), *reply});
  }
  return out;
}

bool SoaSocket::wait(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count()))) > 0;
}

Result<uint32_t> waitForSerial(SoaSocket& socket, const std::string& address, uint16_t port,
                               const std::string& zone, uint32_t want,
                               std::chrono::milliseconds deadline) {
  return std::move(waitForSerials(socket, address, port, {{zone, want}}, deadline).front());
}

std::vector<Result<uint32_t>> waitForSerials(SoaSocket& socket, const std::string& address,
                                             uint16_t port, const std::vector<SerialWanted>& wants,
                                             std::chrono::milliseconds deadline) {
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  const auto until = Clock::now() + deadline;
  static thread_local std::mt19937 random{std::random_device{}()};
  std::vector<Result<uint32_t>> out(wants.size(), bad("not asked"));
  std::vector<bool> done(wants.size(), false);
  std::vector<std::string> last(wants.size(), "no answer");
  size_t left = wants.size();
  auto delay = milliseconds(2);
  while (left > 0) {
    // One query per zone still waiting; an answer counts for the query it answers.
    std::vector<std::pair<uint16_t, size_t>> asked;  // id -> index
    for (size_t k = 0; k < wants.size(); ++k) {
      if (done[k]) continue;
      const auto id = static_cast<uint16_t>(random());
      if (auto failed = socket.send(address, port, wants[k].zone, id)) {
        out[k] = *failed;
        done[k] = true;
        --left;
        continue;
      }
      asked.emplace_back(id, k);
    }
    const auto answerBy = std::min(until, Clock::now() + milliseconds(200));
    size_t unanswered = asked.size();
    while (unanswered > 0 && Clock::now() < answerBy) {
      socket.wait(std::chrono::duration_cast<milliseconds>(answerBy - Clock::now()) +
                  milliseconds(1));
      for (const auto& r : socket.drain()) {
        if (r.address != address || r.port != port) continue;
        auto it = std::find_if(asked.begin(), asked.end(),
                               [&](const auto& a) { return a.first == r.reply.id; });
        if (it == asked.end()) continue;
        const size_t k = it->second;
        asked.erase(it);
        --unanswered;
        if (r.reply.rcode == 0 && r.reply.authoritative && r.reply.serial) {
          if (serialAtOrAfter(*r.reply.serial, wants[k].serial)) {
            out[k] = *r.reply.serial;
            done[k] = true;
            --left;
            continue;
          }
          last[k] = "serial " + std::to_string(*r.reply.serial);
        } else {
          last[k] = r.reply.rcode == 5   ? "REFUSED (it does not serve the zone)"
                    : r.reply.rcode == 3 ? "NXDOMAIN"
                    : r.reply.rcode == 0 ? "no SOA record"
                                         : "rcode " + std::to_string(r.reply.rcode);
        }
      }
    }
    if (left == 0) break;
    if (Clock::now() >= until) {
      for (size_t k = 0; k < wants.size(); ++k) {
        if (done[k]) continue;
        out[k] = bad(address + " still answers " + last[k] + " for " + wants[k].zone +
                     " instead of serial " + std::to_string(wants[k].serial) + " after " +
                     std::to_string(deadline.count()) + " ms");
      }
      break;
    }
    std::this_thread::sleep_for(
        std::min(delay, std::chrono::duration_cast<milliseconds>(until - Clock::now())));
    delay = std::min(delay * 2, milliseconds(100));
  }
  return out;
}

}  // namespace zp::push
