#pragma once
// Rendered zone-detail JSON (GET /api/v1/dns-zones/{uuid}/), remembered by
// zone uuid together with the zone's domain and serial. The serial is the seq
// of the last event that changed the zone, so (uuid, serial) pins the whole
// body. The cache is never trusted on its own: an entry is served when the
// event mirror (zone_versions.h) proves its version current for the query
// epoch it was fetched or confirmed in, and the reader is its owner within
// its token's scope; otherwise the server asks the store for the zone's
// current serial with a query filtered by the requesting user (listZones by
// domain) and confirms the entry, so another user's zone stays 404.
//
// Bounded by the total size of the bodies (entries are dropped arbitrarily
// when it is exceeded; a body larger than the whole budget is not kept).
// Thread-safe (one mutex held only for map operations; bodies are shared,
// immutable strings, so sending one never copies under the lock).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "pipelines/api/string_map.h"

namespace zp::api {

class ZoneCache {
 public:
  using Clock = std::chrono::steady_clock;
  // Where an entry's version was last proven: the owner, the event-mirror
  // epoch of the store query that fetched or confirmed it, and when.
  struct Proof {
    std::string ownerId;
    uint32_t soaSerial = 0;  // the SOA serial of the entry's version
    uint64_t epoch = 0;      // 0: never proven against the mirror
    Clock::time_point at{};
  };
  struct Entry {
    std::string domain;
    uint64_t serial = 0;
    std::shared_ptr<const std::string> json;
    Proof proof;
  };

  explicit ZoneCache(size_t maxBytes = size_t{64} << 20);

  // The entry for `uuid`, or nullopt.
  std::optional<Entry> find(std::string_view uuid) const;
  // The body for `uuid` if it was rendered at exactly `serial`, else nullptr.
  std::shared_ptr<const std::string> fresh(std::string_view uuid, uint64_t serial) const;
  // Remembers a body; an entry with a newer serial is kept (a slow render of
  // an older version never replaces a newer one).
  void insert(const std::string& uuid, std::string domain, uint64_t serial,
              std::shared_ptr<const std::string> json, Proof proof);
  void insert(const std::string& uuid, std::string domain, uint64_t serial,
              std::shared_ptr<const std::string> json);  // never proven (epoch 0)
  // The store answered that `uuid` is still at `serial`: the entry (if it is
  // at that serial) takes the newer proof's epoch and time.
  void confirm(std::string_view uuid, uint64_t serial, uint64_t epoch, Clock::time_point at);
  void erase(std::string_view uuid);

  size_t size() const;
  size_t bytes() const;

 private:
  size_t maxBytes_;
  mutable std::mutex mutex_;
  StringMap<Entry> entries_;
  size_t bytes_ = 0;
};

}  // namespace zp::api
