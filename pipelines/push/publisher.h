#pragma once
// The pusher's files, named by a fixed-length stem (32 hex digits of the
// SHA-256 of the domain), never by the domain itself, so a 253-character
// domain fits every file system's 255-byte name limit:
// `<zoneDir>/<stem>.zone` (the last whole version loaded into named; named
// keeps later UPDATEs in `<stem>.zone.jnl` and rewrites the file itself) and
// `<stem>.serial` (`<serial> <domain>`: the version deployed by a whole load,
// so a replayed or late Deploy never puts an older version over a newer one,
// and a restarted pusher knows its zones). Files are published atomically
// (tmp + rename); they become durable in batches: sync() flushes every file
// written since the last call with one syncfs(2) (a crash before it can lose
// the newest files, never leave half of one; the pusher's audits repair
// what named and these files disagree on). Not thread-safe; one pusher owns
// a zone directory. I/O failures throw std::system_error.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace zp::push {

// True when `domain` is safe as a file name and inside named's config text:
// lower-case letters, digits, '-' and '.', labels of 1-63, at most 253 in all.
bool isSafeDomain(std::string_view domain);

class Publisher {
 public:
  // Creates the directories if needed; keeps their absolute paths.
  // `journalDir` empty: named's journals stay next to the zone files.
  explicit Publisher(const std::string& zoneDir, const std::string& journalDir = "");

  const std::string& zoneDir() const { return zoneDir_; }
  const std::string& journalDir() const { return journalDir_; }  // empty: beside the zone files
  std::string zonePath(const std::string& domain) const;         // absolute
  // Where named keeps the zone's journal: `<journalDir>/<stem>.jnl`, or
  // `<zone file>.jnl` (named's default) without a journal directory.
  std::string journalPath(const std::string& domain) const;
  // 0 when nothing was deployed (or the zone was removed). A serial file that
  // does not hold a number counts as 0, so the next deploy repairs it.
  uint64_t deployedSerial(const std::string& domain) const;
  // Whether the zone was deployed before (so named should know it).
  bool deployed(const std::string& domain) const;

  // Every zone with a serial file: domain -> serial.
  std::map<std::string, uint64_t> deployedZones() const;

  void writeZone(const std::string& domain, std::string_view zoneFile);
  // Deletes named's journal of the zone (before a whole version replaces it).
  void removeJournal(const std::string& domain);
  void writeSerial(const std::string& domain, uint64_t serial);
  // Makes every file written or removed since the last call durable.
  void sync();
  // Deletes the zone's files, its journal included (missing ones are fine).
  void remove(const std::string& domain);

 private:
  bool dirty_ = false;
  std::string stemPath(const std::string& domain) const;  // absolute, without the suffix
  std::string zoneDir_;
  std::string journalDir_;
};

}  // namespace zp::push
