#pragma once
// Confirming a deployment by the serial the primary serves: `rndc reload`
// answers success even when named later fails to load the file (and keeps
// serving the old version), so the pusher only counts a version as deployed
// once the primary's SOA says so. ServedCheck is the seam (tests of the
// pusher's decisions use a fake); PrimaryCheck asks the primary over UDP.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/util/result.h"
#include "pipelines/push/soa_query.h"

namespace zp::push {

class ServedCheck {
 public:
  virtual ~ServedCheck() = default;
  // Success once the primary answers `serial` (or a later one) for `domain`;
  // an Error saying what it serves instead. Must not throw for network trouble.
  virtual Status confirm(const std::string& domain, uint32_t serial) = 0;
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

 private:
  std::string address_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  SoaSocket socket_;
};

}  // namespace zp::push
