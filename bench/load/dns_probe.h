#pragma once
// In-process DNS queries over UDP to a nameserver on 127.0.0.1 (no dig
// process, so no 15-30 ms spawn cost in the measurement). The packet builder
// and parser are pure functions; DnsProbe owns one UDP socket and is used by
// one thread. Malformed or unrelated replies are ignored or returned as
// Errors; nothing here throws for what the network delivers.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace zp::bench {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeSoa = 6;
constexpr int kRcodeNoError = 0;

using Ipv4 = std::array<uint8_t, 4>;

// A query for `name` (dotted, trailing dot optional) of `qtype`, class IN,
// recursion not desired. Errors: empty labels, a label over 63 octets, a name
// over 255 octets.
Result<std::string> buildQuery(uint16_t id, std::string_view name, uint16_t qtype);

struct DnsReply {
  uint16_t id = 0;
  int rcode = -1;
  bool truncated = false;
  uint16_t answerCount = 0;
  std::vector<Ipv4> addresses;  // rdata of the A records in the answer section
};

// Parses a reply (QR set). Errors for anything shorter or inconsistent.
Result<DnsReply> parseDnsReply(std::string_view packet);

// Parses "a.b.c.d" strictly; nullopt when it is not one.
std::optional<Ipv4> parseIpv4(std::string_view text);

class DnsProbe {
 public:
  using Clock = std::chrono::steady_clock;

  explicit DnsProbe(uint16_t port);  // throws if no UDP socket can be made (broken environment)
  ~DnsProbe();
  DnsProbe(const DnsProbe&) = delete;
  DnsProbe& operator=(const DnsProbe&) = delete;

  // One query; the first reply with its id, or an Error after `timeout`.
  Result<DnsReply> query(std::string_view name, uint16_t qtype, std::chrono::microseconds timeout);

  // Sends an A query for `name` every `interval` (each with a fresh id) until a
  // reply carries NOERROR and the address `want`; returns when that reply
  // arrived, or an Error once `deadline` passes. `queries` counts what was sent.
  Result<Clock::time_point> waitForAddress(std::string_view name, const Ipv4& want,
                                           std::chrono::microseconds interval,
                                           Clock::time_point deadline, int& queries);

 private:
  Status send(std::string_view name, uint16_t qtype, uint16_t id);
  // Waits until `until` for one reply; nullopt on timeout. Unparseable packets are skipped.
  std::optional<DnsReply> receive(Clock::time_point until);

  int fd_ = -1;
  uint16_t nextId_;
};

}  // namespace zp::bench
