#pragma once
// Fetches a zone's snapshot from the store in pages of bounded size
// (Query.zoneSnapshotPage), so no message grows with the zone (issue 8: a
// zone of ~41,000 records once exceeded Cap'n Proto's traversal limit in one
// zoneSnapshot reply and was never deployed again), and hands the renderer the
// whole snapshot once the last page arrived.
//
// Consistency: each page is its own read transaction in the store. Every page
// carries the zone as of its read; when the zone's version (Zone.serial)
// differs from the first page's, the pager starts again from the first page,
// at most kMaxRestarts times. After that (a zone written to without pause
// while it is read) it takes the pages as they are, labelled with the first
// page's version: each record is then as of some version at or after it, and
// the renderer sends every change after that version as the next delta, whose
// adds and deletes (RFC 2136: adding a present RR or deleting an absent one
// is a no-op) bring named to the newest version whatever the mix was.
//
// Pure logic, no sockets: the worker sends the PageQuery values it returns.
// One thread (the renderer worker's).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "pipelines/render/renderer.h"
#include "schema/pipeline.capnp.h"

namespace zp::render {

// A page to ask the store for (Query.zoneSnapshotPage, requestId echoed).
struct PageQuery {
  uint64_t requestId = 0;
  std::string domain;
  std::string after;  // empty: the first page
  uint32_t limit = 0;
};

// `page` as the store's query (version, request id, Query.zoneSnapshotPage).
void fillPageQuery(const PageQuery& page, schema::Query::Builder query);

class SnapshotPager {
 public:
  static constexpr int kMaxRestarts = 3;

  explicit SnapshotPager(uint32_t pageSize) : pageSize_(pageSize) {}

  // Starts fetching `domain` under the renderer's `requestId`; forgets any
  // earlier fetch of the same domain (the renderer asked again). Returns the
  // first page's query.
  PageQuery start(uint64_t requestId, const std::string& domain);

  bool owns(uint64_t requestId) const { return fetches_.count(requestId) != 0; }

  // What a reply to one of our page queries leads to: the next page to ask
  // for, or the renderer's answer (the whole snapshot, or the store's error).
  struct Step {
    std::optional<PageQuery> next;
    std::optional<StoreAnswer> done;
  };
  // Precondition: owns(reply.getRequestId()).
  Step onReply(schema::Reply::Reader reply);

  size_t inProgress() const { return fetches_.size(); }

 private:
  struct Fetch {
    std::string domain;
    dns::ZoneSnapshot snapshot;
    uint64_t firstSerial = 0;
    int pages = 0;  // received since the last (re)start
    int restarts = 0;
  };
  PageQuery query(uint64_t requestId, const Fetch& fetch, std::string after) const {
    return {requestId, fetch.domain, std::move(after), pageSize_};
  }

  uint32_t pageSize_;
  std::map<uint64_t, Fetch> fetches_;  // by the renderer's request id
};

}  // namespace zp::render
