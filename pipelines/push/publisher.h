#pragma once
// The pusher's files: `<zoneDir>/<domain>.zone` (what named loads) and
// `<domain>.serial` (the serial deployed, so a replayed or late Deploy never
// puts an older version over a newer one). Files are published atomically
// (tmp + fsync + rename + fsync of the directory). Not thread-safe; one
// pusher owns a zone directory. I/O failures throw std::system_error.

#include <cstdint>
#include <string>
#include <string_view>

namespace zp::push {

// True when `domain` is safe as a file name and inside named's config text:
// lower-case letters, digits, '-' and '.', labels of 1-63, at most 253 in all.
bool isSafeDomain(std::string_view domain);

class Publisher {
 public:
  // Creates the directory if needed; keeps its absolute path.
  explicit Publisher(const std::string& zoneDir);

  const std::string& zoneDir() const { return zoneDir_; }
  std::string zonePath(const std::string& domain) const;  // absolute
  // 0 when nothing was deployed (or the zone was removed). A serial file that
  // does not hold a number counts as 0, so the next deploy repairs it.
  uint64_t deployedSerial(const std::string& domain) const;
  // Whether the zone was deployed before (so named should know it).
  bool deployed(const std::string& domain) const;

  void writeZone(const std::string& domain, std::string_view zoneFile);
  void writeSerial(const std::string& domain, uint64_t serial);
  // Deletes both files (missing ones are fine).
  void remove(const std::string& domain);

 private:
  std::string zoneDir_;
};

}  // namespace zp::push
