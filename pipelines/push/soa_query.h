#pragma once
// Asking a nameserver for a zone's SOA serial in-process, over UDP: a
// hand-built query packet and a strict reply parser (pure functions), and
// SoaSocket, one non-blocking UDP socket that sends queries to any
// nameserver and hands back the replies. Nothing here throws for what the
// network delivers: malformed packets are skipped or become Errors.

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns/serial.h"
#include "common/util/result.h"

namespace zp::push {

// An SOA query for `zone` (dotted, no trailing dot needed), class IN, RD=0.
// Errors: an empty name or label, a label over 63 octets, a name over 255.
Result<std::string> buildSoaQuery(uint16_t id, std::string_view zone);

struct SoaReply {
  uint16_t id = 0;
  int rcode = -1;                  // 0 NOERROR, 3 NXDOMAIN, 5 REFUSED, ...
  bool authoritative = false;      // AA: the server serves the zone itself
  std::optional<uint32_t> serial;  // from the first SOA in the answer section
};

// Parses a reply packet (QR set). Errors for short or inconsistent packets.
Result<SoaReply> parseSoaReply(std::string_view packet);

// `address` (dotted IPv4) and `port` as a socket address; nullopt when the
// address is not IPv4.
std::optional<sockaddr_in> ipv4(const std::string& address, uint16_t port);

// RFC 1982: whether serial `a` is `b` or comes after it.
bool serialAtOrAfter(uint32_t a, uint32_t b);

// One non-blocking UDP socket for SOA queries to many nameservers. Owned by
// one thread. The constructor throws std::system_error when no socket can be
// made (a broken environment).
class SoaSocket {
 public:
  struct Received {
    std::string address;  // sender, dotted IPv4
    uint16_t port = 0;
    SoaReply reply;
  };

  SoaSocket();
  ~SoaSocket();
  SoaSocket(const SoaSocket&) = delete;
  SoaSocket& operator=(const SoaSocket&) = delete;

  int fd() const { return fd_; }
  // Sends one query; an Error when the address is not IPv4 or the send fails.
  Status send(const std::string& address, uint16_t port, std::string_view zone, uint16_t id);
  // Every reply waiting now (does not block); unparseable packets are dropped.
  std::vector<Received> drain();
  // Waits up to `timeout` for the socket to become readable.
  bool wait(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

// Asks `address:port` for `zone`'s SOA until it answers a serial at or after
// `want` (RFC 1982), with backoff from 2 ms to 100 ms between queries, until
// `deadline`. The answered serial, or an Error saying what it served last.
Result<uint32_t> waitForSerial(SoaSocket& socket, const std::string& address, uint16_t port,
                               const std::string& zone, uint32_t want,
                               std::chrono::milliseconds deadline);

// The same for several zones at once: each round asks every zone still
// waiting, so N zones cost one backoff schedule, not N. One result per entry
// of `wants`, in its order.
struct SerialWanted {
  std::string zone;
  uint32_t serial = 0;
};
std::vector<Result<uint32_t>> waitForSerials(SoaSocket& socket, const std::string& address,
                                             uint16_t port, const std::vector<SerialWanted>& wants,
                                             std::chrono::milliseconds deadline);

}  // namespace zp::push
