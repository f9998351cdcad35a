#include "pipelines/replay/store_log_source.h"

#include <capnp/serialize.h>

#include "schema/pipeline.capnp.h"

namespace zp::replay {

Result<LogRange> StoreLogSource::open() {
  auto page = client_.logSince(0, pageSize_);
  if (!page) return page.error();
  first_ = std::move(page.value().events);
  if (page->lastSeq == 0 || first_.empty()) {
    range_ = LogRange{};
  } else {
    // A store's log starts at 1 unless it was created with store.first_seq.
    capnp::FlatArrayMessageReader reader(first_.front().asPtr());
    const uint64_t firstSeq = reader.getRoot<schema::Event>().getSeq();
    if (firstSeq == 0 || firstSeq > page->lastSeq) {
      return Error{ErrorKind::kInternal, "",
                   "the store's log starts at event " + std::to_string(firstSeq) + " but ends at " +
                       std::to_string(page->lastSeq)};
    }
    range_ = LogRange{page->lastSeq - firstSeq + 1, firstSeq, page->lastSeq};
  }
  return range_;
}

Result<std::vector<EventWords>> StoreLogSource::nextPage() {
  std::vector<EventWords> events;
  if (!first_.empty()) {
    events = std::move(first_);
    first_.clear();
  } else if (after_ < range_.lastSeq) {
    auto page = client_.logSince(after_, pageSize_);
    if (!page) return page.error();
    events = std::move(page.value().events);
    if (events.empty()) {
      return Error{ErrorKind::kInternal, "",
                   "the store's log ended at " + std::to_string(after_) + " before event " +
                       std::to_string(range_.lastSeq) + " (was the store reset meanwhile?)"};
    }
  }
  // Keep to the range fixed by open(): later commits belong to the next run.
  while (!events.empty()) {
    capnp::FlatArrayMessageReader reader(events.back().asPtr());
    if (reader.getRoot<schema::Event>().getSeq() <= range_.lastSeq) break;
    events.pop_back();
  }
  if (!events.empty()) {
    capnp::FlatArrayMessageReader reader(events.back().asPtr());
    after_ = reader.getRoot<schema::Event>().getSeq();
  }
  return events;
}

}  // namespace zp::replay
