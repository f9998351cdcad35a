#pragma once
// The renderer's decisions, without sockets, processes or clocks: which store
// queries to send, which zones to render and check, which deploys to send, and
// how far the durable cursor may advance. The socket loop (worker.h) feeds it
// inputs and carries out the actions it asks for; tests drive it directly.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/dns/zone.h"
#include "common/util/result.h"
#include "pipelines/render/partition.h"

namespace zp::render {

// The time of an input: `mono` (steady clock, ms) drives timers, `wall` (unix
// ms) is what commit-to-deploy lag is measured in.
struct Now {
  int64_t mono = 0;
  int64_t wall = 0;
};

// One record added to or deleted from a zone, as a zone-file line
// (common/dns/zone_text.h recordLine).
struct RrChange {
  bool add = true;
  std::string rr;
  bool operator==(const RrChange&) const = default;
};

// One committed event as the renderer needs it.
struct EventNote {
  EventNote() = default;
  EventNote(uint64_t s, std::string d) : seq(s), domain(std::move(d)) {}
  uint64_t seq = 0;
  std::string domain;  // empty for events that touch no zone (tokens)
  // Record events carry their changes; a created zone becomes its skeleton
  // (SOA and NS from the config, no store query, no named-checkzone: it holds
  // no user data but the validated domain); a deleted zone a removal. Any
  // other event of a zone (a record that could not be turned into a line)
  // makes the next deploy a whole version rendered from a snapshot.
  uint32_t soaSerial = 0;  // the zone's SOA serial after this event (0: derive it from seq)
  // Events of the same change set after this one (schema Event.setRemaining):
  // a set is deployed only whole, in one delta, or, when its lines exceed
  // setMaxBytes, as a whole version.
  uint32_t setRemaining = 0;
  bool records = false;
  bool created = false;
  bool deleted = false;
  std::vector<RrChange> changes;
};

// Answers of the store to the renderer's queries.
struct LogPage {
  std::vector<EventNote> items;  // seq > after, ascending
  uint64_t lastSeq = 0;          // the newest seq the store has committed
};
using StoreAnswer = std::variant<LogPage, dns::ZoneSnapshot, Error>;  // Error kNotFound: no zone

// Actions for the driver.
struct LogRequest {
  uint64_t requestId = 0;
  uint64_t after = 0;
  uint32_t limit = 0;
};
struct SnapshotRequest {
  uint64_t requestId = 0;
  std::string domain;
};
// Render the snapshot, check it, then call Renderer::onChecked.
struct RenderJob {
  std::string domain;
  uint64_t serial = 0;
  dns::ZoneSnapshot snapshot;
  // Run named-checkzone on it: every whole version, and the audits sampled
  // for a check (AuditRounds); an unchecked audit is rendered only.
  bool check = true;
};
struct DeployOrder {
  std::string domain;
  uint64_t serial = 0;
  std::optional<std::string> zoneFile;  // a whole version
  int64_t committedAt = 0;              // unix ms at which the newest included event was seen
  // Or the changes since the last acknowledged version (neither: remove the zone).
  std::optional<std::vector<RrChange>> delta = std::nullopt;
  bool audit = false;  // with zoneFile: compare with named's copy, repair drift
  // No zoneFile: the driver renders the new zone's SOA and NS, then the
  // records of `delta` (applied in order: the zone's first record events).
  bool skeleton = false;
  uint32_t soaSerial = 0;  // the version's SOA serial (0: derive it from serial)
};
struct Actions {
  std::vector<LogRequest> logRequests;
  std::vector<SnapshotRequest> snapshotRequests;
  std::vector<RenderJob> renders;
  std::vector<DeployOrder> deploys;
  bool empty() const {
    return logRequests.empty() && snapshotRequests.empty() && renders.empty() && deploys.empty();
  }
};

// What named-checkzone (or the attempt to run it) said about a rendered zone.
enum class CheckVerdict {
  kAccepted,  // deploy it
  kRefused,   // the zone file is invalid: log, skip this version (the old one keeps serving)
  kFailed,    // could not check (program missing, timeout): retry with backoff
};

struct RendererOptions {
  size_t maxInFlight = 64;        // zones between snapshot query and ack, at most
  int64_t queryTimeoutMs = 2000;  // a store query unanswered this long is sent again
  int64_t idlePollMs = 1000;      // log poll interval, so a lost PUB message never strands a change
  int64_t ackTimeoutMs = 30000;   // a deploy unacknowledged this long is retried
  int64_t backoffStartMs = 100;   // first retry delay of a failed zone; doubles ...
  int64_t backoffMaxMs = 5000;    // ... up to this
  uint32_t logPageSize = 1000;
  // One delta (one UPDATE) carries at most this many events and about this
  // many bytes of record lines; a longer backlog goes as consecutive deltas.
  size_t deltaMaxEvents = 1000;
  size_t deltaMaxBytes = 40000;
  // A change set goes as one delta however many UPDATEs the pusher needs for
  // it (pipelines/push/update_chunks.h), up to this many bytes of record
  // lines; a larger one as a whole version. The API's body limit (1 MiB) and
  // dns::kMaxChangeSetItems keep sets below it.
  size_t setMaxBytes = 8 << 20;
  // The zones this renderer renders; events of other zones only advance the
  // cursor (another instance renders them).
  Partition partition;
  std::string storeEndpoint;  // for log lines only
  std::string pushEndpoint;   // for log lines only
};

// Follows the store's event log from a durable cursor and turns dirty zones
// into deploys, one in flight per zone and at most maxInFlight in all. Record
// events become deltas (their changes, in order, for one UPDATE: no store
// query, no render, no named-checkzone); a new or deleted zone, or a pusher
// that answers `needFull`, takes the whole-version path, where many events
// collapse into one render of the latest snapshot.
// Cursor C: every event with seq <= C is rendered and acknowledged (or was
// refused by named-checkzone, or touched no zone). Not thread-safe: one
// driver thread calls everything. Logs what happens through spdlog. Inputs
// that match nothing in flight (late or duplicate answers) are ignored.
class Renderer {
 public:
  Renderer(uint64_t cursor, RendererOptions options);

  // Starts catching up from the cursor.
  void start(Now now);
  // A live event from the store's PUB socket.
  void onEvent(const EventNote& event, Now now);
  // A reply to a LogRequest or SnapshotRequest.
  void onStoreAnswer(uint64_t requestId, StoreAnswer answer, Now now);
  // A page of the snapshot asked for under `requestId` arrived and more are
  // coming: the store is answering, so the query is not timed out and resent.
  void onSnapshotProgress(uint64_t requestId, Now now);
  // The result of a RenderJob; `text` is the zone file when accepted, else
  // named-checkzone's message or why it could not run.
  void onChecked(const std::string& domain, uint64_t serial, CheckVerdict verdict, std::string text,
                 Now now);
  // A DeployAck from the pusher; `needFull`: send the whole version instead.
  void onAck(const std::string& domain, uint64_t serial, bool ok, const std::string& detail,
             Now now, bool needFull = false);
  // Audit `domain` (one of this renderer's partition) when it is idle: render
  // its current version from a snapshot, check it with named-checkzone when
  // `check`, and send it as an audit Deploy; a busy zone is skipped (its
  // deploy is under way anyway).
  void audit(const std::string& domain, Now now, bool check = true);
  // Timers: query and ack timeouts, retry backoff, idle log poll.
  void tick(Now now);

  // The actions decided since the last call.
  Actions takeActions();

  uint64_t cursor() const;
  uint64_t lastSeen() const { return lastSeen_; }
  // The newest seq the store is known to have committed (live events and log
  // answers); for the events-behind metric.
  uint64_t heard() const { return std::max({highestHeard_, lastSeen_, storeLastSeq_}); }
  // True once a log answer ended before events seen when it was asked for
  // (the store lost data, e.g. was reset); logged once as an error.
  bool storeLooksReset() const { return warnedBehind_; }
  // Nothing dirty, nothing in flight.
  bool idle() const { return domains_.empty(); }
  size_t inFlight() const { return inFlight_.size(); }

 private:
  enum class Phase { kIdle, kSnapshot, kChecking, kDeploying };
  struct Pending {
    enum class Kind { kRecords, kCreated, kDeleted };
    uint64_t seq = 0;
    std::vector<RrChange> changes;
    Kind kind = Kind::kRecords;
    uint32_t soa = 0;
    uint32_t setRemaining = 0;  // events of its change set after it
  };
  struct DomainState {
    std::deque<Pending> events;         // record events not yet in flight, in seq order
    bool full = false;                  // the next deploy must be a whole version
    bool openSet = false;               // the last event seen opens or continues a change set
                                        // whose closing event has not arrived: do not start
    size_t setBytes = 0;                // the record lines of the change set being received
    std::vector<Pending> flightEvents;  // the delta in flight
    bool flightDelta = false;
    bool audit = false;        // an audit is wanted
    bool auditCheck = false;   // ... with named-checkzone
    bool flightAudit = false;  // the flight is an audit (no events: flightFirst is 0)
    bool flightCheck = true;   // the flight's render is checked (false: an unsampled audit)
    // dirty, not yet taken into a render
    uint64_t pendingFirst = 0;  // 0 = nothing pending
    uint64_t pendingLast = 0;
    int64_t pendingCommittedAt = 0;
    // in flight
    Phase phase = Phase::kIdle;
    uint64_t flightFirst = 0;
    uint64_t flightLast = 0;
    int64_t flightCommittedAt = 0;
    uint64_t requestId = 0;  // snapshot query
    uint64_t serial = 0;     // being checked or deployed
    uint32_t soa = 0;        // its SOA serial
    int64_t sentAt = 0;      // mono ms of the query or deploy
    bool removing = false;   // the deploy in flight removes the zone
    // retry
    int64_t backoffMs = 0;
    bool waiting = false;  // in waiting_ or backoff_
  };

  void applyEvent(const EventNote& event, Now now);
  void requestLog(Now now);
  void startZone(const std::string& domain, DomainState& state, Now now);
  void sendSnapshotQuery(const std::string& domain, DomainState& state, Now now);
  void finish(const std::string& domain);
  void retryLater(const std::string& domain, Now now, bool immediately = false);
  void startDelta(const std::string& domain, DomainState& state, Now now);
  void schedule(Now now);

  RendererOptions options_;
  uint64_t cursor_;            // as loaded; cursor() never reports less
  uint64_t lastSeen_;          // every seq <= lastSeen_ has been applied
  uint64_t highestHeard_ = 0;  // largest seq seen on the live stream
  uint64_t storeLastSeq_ = 0;  // largest lastSeq of a log answer
  uint64_t nextRequestId_ = 1;
  std::optional<uint64_t> logRequestId_;  // the log query in flight
  uint64_t logRequestedAfter_ = 0;        // lastSeen_ when it was sent
  int64_t logSentAt_ = 0;
  int64_t lastLogPollAt_ = 0;
  bool started_ = false;
  bool warnedBehind_ = false;  // the store's log ended before our cursor (once per run)

  std::map<std::string, DomainState> domains_;         // dirty or in flight
  std::unordered_map<uint64_t, std::string> queries_;  // snapshot requestId -> domain
  std::set<std::string> inFlight_;                     // phase != kIdle
  std::deque<std::string> waiting_;                    // ready to start, FIFO
  std::multimap<int64_t, std::string> backoff_;        // retry at (mono ms) -> domain
  Actions actions_;
};

}  // namespace zp::render
