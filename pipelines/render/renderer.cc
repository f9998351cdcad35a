#include "pipelines/render/renderer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace zp::render {

Renderer::Renderer(uint64_t cursor, RendererOptions options)
    : options_(std::move(options)), cursor_(cursor), lastSeen_(cursor) {}

void Renderer::start(Now now) {
  started_ = true;
  if (options_.partition.instances() > 1) {
    spdlog::info("renderer {}: rendering only the zones whose domain hashes to {}",
                 options_.partition.describe(), options_.partition.instance());
  }
  spdlog::info("resuming after event {}; catching up with the store's log at {}", cursor_,
               options_.storeEndpoint);
  requestLog(now);
}

void Renderer::requestLog(Now now) {
  if (logRequestId_) return;  // one at a time; its answer tells whether to fetch more
  logRequestId_ = nextRequestId_++;
  logRequestedAfter_ = lastSeen_;
  logSentAt_ = now.mono;
  lastLogPollAt_ = now.mono;
  actions_.logRequests.push_back({*logRequestId_, lastSeen_, options_.logPageSize});
}

void Renderer::onEvent(const EventNote& event, Now now) {
  highestHeard_ = std::max(highestHeard_, event.seq);
  if (event.seq <= lastSeen_) return;  // already applied (from the log)
  if (event.seq == lastSeen_ + 1) {
    applyEvent(event, now);
  } else {
    // A gap (a lost PUB message): the log is the source of truth. If a log
    // query is already in flight, highestHeard_ makes its answer fetch more.
    spdlog::debug("event {} arrived after {}; fetching the missing ones from the log", event.seq,
                  lastSeen_);
    requestLog(now);
  }
  schedule(now);
}

void Renderer::applyEvent(const EventNote& event, Now now) {
  lastSeen_ = event.seq;
  if (event.domain.empty() || !options_.partition.owns(event.domain)) return;
  auto& state = domains_[event.domain];
  // Change sets: the events of one arrive in a row; the zone waits for the
  // last one, and a set too large for one UPDATE goes as a whole version.
  const bool inSet = state.openSet || event.setRemaining > 0;
  if (!state.openSet) state.setBytes = 0;
  state.openSet = event.setRemaining > 0;
  for (const auto& c : event.changes) state.setBytes += c.rr.size() + 16;
  if (inSet && event.records && !state.full && state.setBytes > options_.setMaxBytes) {
    spdlog::debug("a change set of {} is larger than a delta may be; deploying the whole zone",
                  event.domain);
    state.full = true;
    state.events.clear();
  }
  if (state.pendingFirst == 0) state.pendingFirst = event.seq;
  state.pendingLast = event.seq;
  state.pendingCommittedAt = now.wall;
  if (state.full) {
    // The snapshot the next deploy is rendered from will include this event.
  } else if (event.records) {
    state.events.push_back(
        {event.seq, event.changes, Pending::Kind::kRecords, event.soaSerial, event.setRemaining});
  } else if (event.deleted) {
    state.events.clear();  // nothing before a removal matters
    state.events.push_back({event.seq, {}, Pending::Kind::kDeleted, event.soaSerial});
  } else if (event.created) {
    state.events.push_back({event.seq, {}, Pending::Kind::kCreated, event.soaSerial});
  } else {
    state.full = true;
    state.events.clear();
  }
  if (state.phase == Phase::kIdle && !state.waiting) {
    state.waiting = true;
    waiting_.push_back(event.domain);
  }
}

void Renderer::onStoreAnswer(uint64_t requestId, StoreAnswer answer, Now now) {
  if (logRequestId_ && requestId == *logRequestId_) {
    logRequestId_.reset();
    if (auto* page = std::get_if<LogPage>(&answer)) {
      // Compare with what was seen when the query was sent: events published
      // while the answer was on its way are newer than the store's snapshot.
      if (page->lastSeq < logRequestedAfter_ && !warnedBehind_) {
        warnedBehind_ = true;
        spdlog::error(
            "the store's log ends at event {} but this renderer had seen up to {}; if "
            "the store's data was reset, stop the renderer and delete its cursor file "
            "so it renders every zone again",
            page->lastSeq, logRequestedAfter_);
      }
      storeLastSeq_ = std::max(storeLastSeq_, page->lastSeq);
      bool gap = false;
      for (const auto& item : page->items) {
        if (item.seq <= lastSeen_) continue;
        // A log that starts above 1 (store.first_seq): a renderer that has
        // seen nothing starts at its first event.
        if (lastSeen_ == 0 && cursor_ == 0 && logRequestedAfter_ == 0) lastSeen_ = item.seq - 1;
        if (item.seq != lastSeen_ + 1) {
          gap = true;  // a hole in the store's log (a bug there): the next poll asks again
          spdlog::warn("the store's log jumped from {} to {}; asking again", lastSeen_, item.seq);
          break;
        }
        applyEvent(item, now);
      }
      if (!gap && (page->lastSeq > lastSeen_ || highestHeard_ > lastSeen_)) requestLog(now);
    } else if (auto* error = std::get_if<Error>(&answer)) {
      spdlog::warn("the store at {} refused a log query ({}); retrying", options_.storeEndpoint,
                   error->detail);
    } else {
      spdlog::warn("the store answered a log query with a zone; ignoring it");
    }
    schedule(now);
    return;
  }
  auto query = queries_.find(requestId);
  if (query == queries_.end()) return;  // a late answer to a query sent again since
  const std::string domain = query->second;
  queries_.erase(query);
  auto it = domains_.find(domain);
  if (it == domains_.end() || it->second.phase != Phase::kSnapshot ||
      it->second.requestId != requestId) {
    return;
  }
  auto& state = it->second;
  if (auto* snapshot = std::get_if<dns::ZoneSnapshot>(&answer)) {
    state.phase = Phase::kChecking;
    state.serial = snapshot->zone.serial;
    state.soa = dns::soaSerialOf(snapshot->zone);
    actions_.renders.push_back({domain, state.serial, std::move(*snapshot), state.flightCheck});
  } else if (auto* error = std::get_if<Error>(&answer);
             error && error->kind == ErrorKind::kNotFound && state.flightAudit) {
    finish(domain);  // deleted meanwhile: its removal is deployed by its own event
  } else if (error && error->kind == ErrorKind::kNotFound) {
    state.phase = Phase::kDeploying;
    state.removing = true;
    state.serial = state.flightLast;
    state.sentAt = now.mono;
    actions_.deploys.push_back({domain, state.serial, std::nullopt, state.flightCommittedAt});
  } else {
    spdlog::warn("the store at {} could not give the zone {} ({}); retrying",
                 options_.storeEndpoint, domain,
                 error ? error->detail : std::string("unexpected answer"));
    retryLater(domain, now);
  }
  schedule(now);
}

void Renderer::onSnapshotProgress(uint64_t requestId, Now now) {
  auto query = queries_.find(requestId);
  if (query == queries_.end()) return;
  auto it = domains_.find(query->second);
  if (it != domains_.end() && it->second.phase == Phase::kSnapshot &&
      it->second.requestId == requestId) {
    it->second.sentAt = now.mono;
  }
}

void Renderer::onChecked(const std::string& domain, uint64_t serial, CheckVerdict verdict,
                         std::string text, Now now) {
  auto it = domains_.find(domain);
  if (it == domains_.end() || it->second.phase != Phase::kChecking || it->second.serial != serial) {
    return;
  }
  auto& state = it->second;
  switch (verdict) {
    case CheckVerdict::kAccepted:
      state.phase = Phase::kDeploying;
      state.removing = false;
      state.sentAt = now.mono;
      actions_.deploys.push_back({domain, serial, std::move(text), state.flightCommittedAt,
                                  std::nullopt, state.flightAudit, false, state.soa});
      break;
    case CheckVerdict::kRefused:
      spdlog::error(
          "named-checkzone refused zone {} serial {}, so it was not deployed and the previous "
          "version keeps serving: {}. This is a bug in zonepipe's validation or rendering; "
          "report it with this line",
          domain, serial, text);
      finish(domain);
      break;
    case CheckVerdict::kFailed:
      spdlog::error(
          "could not check zone {} serial {}: {}; retrying (is named-checkzone installed "
          "and is the renderer's state directory writable?)",
          domain, serial, text);
      retryLater(domain, now);
      break;
  }
  schedule(now);
}

void Renderer::onAck(const std::string& domain, uint64_t serial, bool ok, const std::string& detail,
                     Now now, bool needFull) {
  auto it = domains_.find(domain);
  if (it == domains_.end() || it->second.phase != Phase::kDeploying ||
      it->second.serial != serial) {
    spdlog::debug("ignoring an acknowledgement for {} serial {} that nothing waits for", domain,
                  serial);
    return;
  }
  if (ok) {
    if (it->second.flightAudit) {
      spdlog::debug("audited {} serial {}", domain, serial);
    } else {
      // New zones, removals and whole versions at info; record changes at debug.
      const bool records = it->second.flightDelta && !it->second.flightEvents.empty() &&
                           it->second.flightEvents.front().kind == Pending::Kind::kRecords;
      spdlog::log(records ? spdlog::level::debug : spdlog::level::info,
                  "{} {} serial {} {}ms after commit", it->second.removing ? "removed" : "deployed",
                  domain, serial, now.wall - it->second.flightCommittedAt);
    }
    finish(domain);
  } else if (needFull) {
    spdlog::info("the pusher cannot apply changes to {} ({}); sending the whole zone", domain,
                 detail);
    it->second.full = true;
    retryLater(domain, now, true);
  } else {
    spdlog::warn("the pusher could not deploy {} serial {}: {}; retrying", domain, serial, detail);
    retryLater(domain, now);
  }
  schedule(now);
}

void Renderer::tick(Now now) {
  if (!started_) return;
  if (logRequestId_ && now.mono - logSentAt_ >= options_.queryTimeoutMs) {
    spdlog::warn("store at {} did not answer; retrying", options_.storeEndpoint);
    logRequestId_.reset();
    requestLog(now);
  } else if (!logRequestId_ && now.mono - lastLogPollAt_ >= options_.idlePollMs) {
    requestLog(now);
  }
  bool storeSilent = false;
  std::vector<std::string> unacked;
  for (const auto& domain : inFlight_) {
    auto& state = domains_.at(domain);
    if (state.phase == Phase::kSnapshot && now.mono - state.sentAt >= options_.queryTimeoutMs) {
      storeSilent = true;
      queries_.erase(state.requestId);
      sendSnapshotQuery(domain, state, now);
    } else if (state.phase == Phase::kDeploying &&
               now.mono - state.sentAt >= options_.ackTimeoutMs) {
      unacked.push_back(domain);
    }
  }
  if (storeSilent) spdlog::warn("store at {} did not answer; retrying", options_.storeEndpoint);
  for (const auto& domain : unacked) {
    spdlog::warn("pusher at {} did not acknowledge {} serial {} within {}ms; retrying",
                 options_.pushEndpoint, domain, domains_.at(domain).serial, options_.ackTimeoutMs);
    retryLater(domain, now);
  }
  while (!backoff_.empty() && backoff_.begin()->first <= now.mono) {
    waiting_.push_back(backoff_.begin()->second);
    backoff_.erase(backoff_.begin());
  }
  schedule(now);
}

void Renderer::schedule(Now now) {
  while (inFlight_.size() < options_.maxInFlight && !waiting_.empty()) {
    const std::string domain = std::move(waiting_.front());
    waiting_.pop_front();
    auto it = domains_.find(domain);
    if (it == domains_.end()) continue;
    it->second.waiting = false;
    if (it->second.phase != Phase::kIdle) continue;
    if (it->second.pendingFirst == 0 && !it->second.audit) continue;
    if (it->second.openSet) continue;  // the rest of its change set is on its way
    startZone(domain, it->second, now);
  }
}

void Renderer::audit(const std::string& domain, Now now, bool check) {
  if (domain.empty() || !options_.partition.owns(domain)) return;
  auto& state = domains_[domain];
  if (state.phase != Phase::kIdle || state.pendingFirst != 0 || state.audit) return;
  state.audit = true;
  state.auditCheck = check;
  if (!state.waiting) {
    state.waiting = true;
    waiting_.push_back(domain);
  }
  schedule(now);
}

void Renderer::startZone(const std::string& domain, DomainState& state, Now now) {
  state.flightCheck = true;
  if (state.pendingFirst == 0 && state.audit) {
    state.audit = false;
    state.flightAudit = true;
    state.flightCheck = state.auditCheck;
    state.flightDelta = false;
    state.flightFirst = state.flightLast = 0;
    state.flightCommittedAt = 0;
    inFlight_.insert(domain);
    sendSnapshotQuery(domain, state, now);
    return;
  }
  state.flightAudit = false;
  if (!state.full && !state.events.empty()) return startDelta(domain, state, now);
  state.full = false;
  state.events.clear();
  state.flightDelta = false;
  state.flightFirst = state.pendingFirst;
  state.flightLast = state.pendingLast;
  state.flightCommittedAt = state.pendingCommittedAt;
  state.pendingFirst = state.pendingLast = 0;
  state.pendingCommittedAt = 0;
  inFlight_.insert(domain);
  sendSnapshotQuery(domain, state, now);
}

void Renderer::startDelta(const std::string& domain, DomainState& state, Now now) {
  state.flightEvents.clear();
  const Pending::Kind kind = state.events.front().kind;
  size_t bytes = 0;
  std::vector<RrChange> ops;
  while (!state.events.empty()) {
    Pending& next = state.events.front();
    // A removal goes alone; record events go together, and with the creation
    // of their zone before them: the new zone is loaded with its first
    // records in one go (one addzone instead of an addzone and an UPDATE).
    if (!state.flightEvents.empty() &&
        (kind == Pending::Kind::kDeleted || next.kind != Pending::Kind::kRecords)) {
      break;
    }
    // The limits split a delta only between change sets: a set (the events
    // up to one with setRemaining 0) goes whole, even past them (the pusher
    // sends it as several UPDATEs; applyEvent sends one past setMaxBytes as
    // a whole version).
    const bool setBoundary =
        state.flightEvents.empty() || state.flightEvents.back().setRemaining == 0;
    size_t size = 0;  // of the whole set, counted at its first event
    size_t count = 0;
    if (setBoundary) {
      for (const Pending& e : state.events) {
        for (const auto& c : e.changes) size += c.rr.size() + 16;
        ++count;
        if (e.setRemaining == 0) break;
      }
    }
    if (setBoundary && !state.flightEvents.empty() &&
        (state.flightEvents.size() + count > options_.deltaMaxEvents ||
         bytes + size > options_.deltaMaxBytes)) {
      break;
    }
    bytes += size;
    ops.insert(ops.end(), next.changes.begin(), next.changes.end());
    state.flightEvents.push_back(std::move(next));
    state.events.pop_front();
  }
  state.flightDelta = true;
  state.flightFirst = state.pendingFirst;
  state.flightLast = state.flightEvents.back().seq;
  state.flightCommittedAt = state.pendingCommittedAt;
  if (state.events.empty()) {
    state.pendingFirst = state.pendingLast = 0;
    state.pendingCommittedAt = 0;
  } else {
    state.pendingFirst = state.events.front().seq;
  }
  inFlight_.insert(domain);
  state.phase = Phase::kDeploying;
  state.removing = kind == Pending::Kind::kDeleted;
  state.serial = state.flightLast;
  state.soa = state.flightEvents.back().soa;
  state.sentAt = now.mono;
  switch (kind) {
    case Pending::Kind::kRecords:
      actions_.deploys.push_back({domain, state.serial, std::nullopt, state.flightCommittedAt,
                                  std::move(ops), false, false, state.soa});
      break;
    case Pending::Kind::kCreated:
      actions_.deploys.push_back({domain, state.serial, std::nullopt, state.flightCommittedAt,
                                  std::move(ops), false, true, state.soa});
      break;
    case Pending::Kind::kDeleted:
      actions_.deploys.push_back({domain, state.serial, std::nullopt, state.flightCommittedAt});
      break;
  }
}

void Renderer::sendSnapshotQuery(const std::string& domain, DomainState& state, Now now) {
  state.phase = Phase::kSnapshot;
  state.requestId = nextRequestId_++;
  state.sentAt = now.mono;
  queries_[state.requestId] = domain;
  actions_.snapshotRequests.push_back({state.requestId, domain});
}

void Renderer::finish(const std::string& domain) {
  auto it = domains_.find(domain);
  auto& state = it->second;
  inFlight_.erase(domain);
  state.phase = Phase::kIdle;
  state.backoffMs = 0;
  state.flightEvents.clear();
  state.flightDelta = false;
  state.flightAudit = false;
  if (state.pendingFirst == 0 && !state.audit) {
    domains_.erase(it);
  } else if (!state.waiting) {
    state.waiting = true;
    waiting_.push_back(domain);
  }
}

void Renderer::retryLater(const std::string& domain, Now now, bool immediately) {
  auto& state = domains_.at(domain);
  if (state.flightAudit) {  // an audit is not retried: the next round runs it again
    if (state.phase == Phase::kSnapshot) queries_.erase(state.requestId);
    finish(domain);
    return;
  }
  inFlight_.erase(domain);
  if (state.phase == Phase::kSnapshot) queries_.erase(state.requestId);
  state.phase = Phase::kIdle;
  // Whatever arrived meanwhile is newer: the retry covers it too.
  state.pendingFirst = state.flightFirst;
  state.pendingLast = std::max(state.pendingLast, state.flightLast);
  state.pendingCommittedAt = std::max(state.pendingCommittedAt, state.flightCommittedAt);
  if (state.flightDelta && !state.full) {
    for (auto e = state.flightEvents.rbegin(); e != state.flightEvents.rend(); ++e) {
      state.events.push_front(std::move(*e));
    }
  } else {
    state.full = true;  // a whole version again, from a fresh snapshot
    state.events.clear();
  }
  state.flightEvents.clear();
  state.flightDelta = false;
  if (immediately) {
    if (!state.waiting) {
      state.waiting = true;
      waiting_.push_back(domain);
    }
    return;
  }
  state.backoffMs = state.backoffMs == 0 ? options_.backoffStartMs
                                         : std::min(state.backoffMs * 2, options_.backoffMaxMs);
  if (state.waiting) {  // already queued (cannot happen while in flight, but stay consistent)
    return;
  }
  state.waiting = true;
  backoff_.emplace(now.mono + state.backoffMs, domain);
}

Actions Renderer::takeActions() {
  Actions out = std::move(actions_);
  actions_ = Actions{};
  return out;
}

uint64_t Renderer::cursor() const {
  uint64_t lowest = lastSeen_ + 1;
  for (const auto& [domain, state] : domains_) {
    if (state.phase != Phase::kIdle && state.flightFirst != 0) {
      lowest = std::min(lowest, state.flightFirst);
    }
    if (state.pendingFirst != 0) lowest = std::min(lowest, state.pendingFirst);
  }
  return std::max(cursor_, lowest - 1);
}

}  // namespace zp::render
