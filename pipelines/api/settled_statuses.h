#pragma once
// The pusher's answers about zones whose every nameserver already served the
// version a read shows, kept for a short time so reads of a settled zone do
// not each ask the pusher. A status is reused only while it is younger than
// kReuseWindow AND says every nameserver answers with exactly the SOA serial
// of the version being shown, with no deploy error: a status for any other
// version (a change on its way) is always asked for again. So `in_sync` in a
// zone read is never more than kReuseWindow late (the contract: within 1 s of
// it being so), and only for a nameserver that stopped serving a version it
// had served.
//
// Bounded: at most kMaxEntries domains (all forgotten when it is exceeded).
// Thread-safe (one mutex, held for a map operation).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/deploy/status_client.h"
#include "pipelines/api/string_map.h"

namespace zp::api {

class SettledStatuses {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kReuseWindow{250};
  static constexpr size_t kMaxEntries = 100'000;

  // The status of `domain` asked at `askedAt`; kept only when settled.
  void remember(const std::string& domain, const deploy::PushStatus& status,
                Clock::time_point askedAt);
  // A settled status of `domain` at `soaSerial`, asked after now - kReuseWindow.
  std::optional<deploy::PushStatus> find(std::string_view domain, uint32_t soaSerial,
                                         Clock::time_point now) const;

  // Whether `status` shows every nameserver serving `soaSerial` without error.
  static bool settledAt(const deploy::PushStatus& status, uint32_t soaSerial);

 private:
  struct Entry {
    deploy::PushStatus status;
    Clock::time_point askedAt;
  };
  mutable std::mutex mutex_;
  StringMap<Entry> entries_;
};

}  // namespace zp::api
