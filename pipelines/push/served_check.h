#pragma once
// Confirming a deployment by the serial the primary serves: `rndc reload`
// answers success even when named later fails to load the file (and keeps
// serving the old version), so the pusher only counts a version as deployed
// once the primary's SOA says so. ServedCheck is the seam (tests of the
// pusher's decisions use a fake); PrimaryCheck asks the primary over UDP.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "pipelines/push/soa_query.h"

namespace zp::push {

class ServedCheck {
 public:
  virtual ~ServedCheck() = default;
  // Success once the primary answers `serial` (or a later one) for `domain`;
  // an Error saying what it serves instead. Must not throw for network trouble.
  virtual Status confirm(const std::string& domain, uint32_t serial) = 0;
  // confirm() for several zones at once (a batch of new zones); one Status
  // per entry, in order. The default asks them one after another.
  virtual std::vector<Status> confirmAll(const std::vector<SerialWanted>& wants) {
    std::vector<Status> out;
    out.reserve(wants.size());
    for (const auto& w : wants) out.push_back(confirm(w.zone, w.serial));
    return out;
  }
  // The serial the primary serves for `domain` now: nullopt when it answers
  // that it does not serve the zone (not authoritative, REFUSED, NXDOMAIN...);
  // an Error when it does not answer at all. Must not throw for network trouble.
  virtual Result<std::optional<uint32_t>> current(const std::string& domain) {
    return Error{ErrorKind::kUnavailable, "",
                 "cannot ask the primary what it serves for " + domain};
  }
};

// Asks address:port with backoff until `timeout` (see waitForSerial). Owns its
// UDP socket; one thread.
class PrimaryCheck : public ServedCheck {
 public:
  PrimaryCheck(std::string address, uint16_t port, std::chrono::milliseconds timeout)
      : address_(std::move(address)), port_(port), timeout_(timeout) {}
  Status confirm(const std::string& domain, uint32_t serial) override {
    auto served = waitForSerial(socket_, address_, port_, domain, serial, timeout_);
    if (!served.ok()) return served.error();
    return std::nullopt;
  }
  std::vector<Status> confirmAll(const std::vector<SerialWanted>& wants) override {
    std::vector<Status> out;
    out.reserve(wants.size());
    for (auto& served : waitForSerials(socket_, address_, port_, wants, timeout_)) {
      out.push_back(served.ok() ? Status{} : Status{served.error()});
    }
    return out;
  }
  Result<std::optional<uint32_t>> current(const std::string& domain) override {
    const uint16_t id = nextId_++;
    if (auto failed = socket_.send(address_, port_, domain, id)) return *failed;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < deadline) {
      socket_.wait(std::chrono::milliseconds(20));
      for (auto& got : socket_.drain()) {
        if (got.reply.id != id) continue;
        if (got.reply.rcode == 0 && got.reply.authoritative && got.reply.serial) {
          return std::optional<uint32_t>(*got.reply.serial);
        }
        return std::optional<uint32_t>();
      }
    }
    return Error{ErrorKind::kUnavailable, "",
                 "the primary at " + address_ + " port " + std::to_string(port_) +
                     " did not answer an SOA query for " + domain + " within 500 ms"};
  }

 private:
  std::string address_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  SoaSocket socket_;
  uint16_t nextId_ = 0x5a00;
};

}  // namespace zp::push
