#pragma once
// Rendered zone-detail JSON (GET /api/v1/dns-zones/{uuid}/), remembered by
// zone uuid together with the zone's domain and serial. The serial is the seq
// of the last event that changed the zone, so (uuid, serial) pins the whole
// body. The cache is never trusted on its own: before serving an entry the
// server asks the store for the zone's current serial with a query filtered
// by the requesting user (listZones by domain), so a write acknowledged
// before the read is always seen and another user's zone stays 404.
//
// Bounded by the total size of the bodies (entries are dropped arbitrarily
// when it is exceeded; a body larger than the whole budget is not kept).
// Thread-safe (one mutex held only for map operations; bodies are shared,
// immutable strings, so sending one never copies under the lock).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zp::api {

class ZoneCache {
 public:
  struct Entry {
    std::string domain;
    uint64_t serial = 0;
    std::shared_ptr<const std::string> json;
  };

  explicit ZoneCache(size_t maxBytes = size_t{64} << 20);

  // The entry for `uuid`, or nullopt.
  std::optional<Entry> find(std::string_view uuid) const;
  // The body for `uuid` if it was rendered at exactly `serial`, else nullptr.
  std::shared_ptr<const std::string> fresh(std::string_view uuid, uint64_t serial) const;
  // Remembers a body; an entry with a newer serial is kept (a slow render of
  // an older version never replaces a newer one).
  void insert(const std::string& uuid, std::string domain, uint64_t serial,
              std::shared_ptr<const std::string> json);
  void erase(std::string_view uuid);

  size_t size() const;
  size_t bytes() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  size_t maxBytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
  size_t bytes_ = 0;
};

}  // namespace zp::api
