#pragma once
// Joins the pieces of a whole zone version that the renderer sent as several
// Deploy messages (Deploy.zoneFilePart, issue 8: no message grows with the
// zone). Pieces come in order over one connection (ZeroMQ keeps the order of
// one peer's messages); a gap, a repeat or a piece of another serial drops
// what was gathered, and the renderer, which gets no ack, sends the version
// again after its ack timeout. Keyed by sender (the ROUTER identity: several
// renderer instances) and domain.
//
// Memory: at most one version in progress per (sender, domain); a version
// larger than `maxBytes` is dropped with a log line (the renderer retries and
// the operator sees the error). One thread (the pusher's loop).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace zp::push {

class ZoneFileParts {
 public:
  explicit ZoneFileParts(size_t maxBytes = size_t{4} << 30) : maxBytes_(maxBytes) {}

  // Adds piece `index` of `domain` at `serial` from `sender`. Returns the whole
  // file when `last` completes it; nullopt while it is incomplete or when the
  // piece did not follow the previous one (then what was gathered is dropped).
  std::optional<std::string> add(std::string_view sender, const std::string& domain,
                                 uint64_t serial, uint32_t index, bool last, std::string_view text);

  size_t inProgress() const { return pending_.size(); }

 private:
  struct Gathering {
    uint64_t serial = 0;
    uint32_t next = 0;  // the index expected next
    std::string text;
  };
  size_t maxBytes_;
  std::map<std::pair<std::string, std::string>, Gathering> pending_;
};

}  // namespace zp::push
