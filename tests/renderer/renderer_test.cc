// The renderer's decisions, driven without sockets: catch-up, coalescing,
// gaps, the cursor, retries and timeouts.
#include "pipelines/render/renderer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace zp::render {
namespace {

Now at(int64_t ms) { return {ms, 1'000'000 + ms}; }

dns::ZoneSnapshot snapshot(const std::string& domain, uint64_t serial) {
  dns::ZoneSnapshot s;
  s.zone.domain = domain;
  s.zone.serial = serial;
  return s;
}

LogPage page(std::vector<EventNote> items, uint64_t lastSeq) { return {std::move(items), lastSeq}; }

Error notFound() { return {ErrorKind::kNotFound, "", "no such zone"}; }

// Drives a Renderer through the store's answers.
class RendererTest : public ::testing::Test {
 protected:
  explicit RendererTest(uint64_t cursor = 0) : r_(cursor, RendererOptions{}) {}

  // Starts and answers the first log query with `items`.
  Actions catchUp(std::vector<EventNote> items, int64_t t = 0) {
    r_.start(at(t));
    auto first = r_.takeActions();
    EXPECT_EQ(first.logRequests.size(), 1u);
    const uint64_t last = items.empty() ? r_.lastSeen() : items.back().seq;
    r_.onStoreAnswer(first.logRequests.at(0).requestId, page(std::move(items), last), at(t));
    return r_.takeActions();
  }
  uint64_t snapshotId(const Actions& a, const std::string& domain) {
    for (const auto& q : a.snapshotRequests) {
      if (q.domain == domain) return q.requestId;
    }
    ADD_FAILURE() << "no snapshot request for " << domain;
    return 0;
  }
  // Takes `domain` from snapshot to ack at `serial`.
  void deploy(const Actions& a, const std::string& domain, uint64_t serial, int64_t t = 0) {
    r_.onStoreAnswer(snapshotId(a, domain), snapshot(domain, serial), at(t));
    auto renders = r_.takeActions().renders;
    ASSERT_EQ(renders.size(), 1u);
    EXPECT_TRUE(renders[0].check) << "a whole version is always checked";
    r_.onChecked(domain, serial, CheckVerdict::kAccepted, "zone text", at(t));
    auto deploys = r_.takeActions().deploys;
    ASSERT_EQ(deploys.size(), 1u);
    EXPECT_EQ(deploys[0].serial, serial);
    r_.onAck(domain, serial, true, "", at(t));
  }

  Renderer r_;
};

TEST_F(RendererTest, StartAsksForTheLogAfterTheCursor) {
  Renderer r(41, RendererOptions{});
  r.start(at(0));
  auto a = r.takeActions();
  ASSERT_EQ(a.logRequests.size(), 1u);
  EXPECT_EQ(a.logRequests[0].after, 41u);
  EXPECT_EQ(r.cursor(), 41u);
}

TEST_F(RendererTest, ManyEventsForOneZoneBecomeOneRender) {
  auto a = catchUp({{1, "a.test"}, {2, "a.test"}, {3, "b.test"}, {4, ""}, {5, "a.test"}});
  ASSERT_EQ(a.snapshotRequests.size(), 2u);  // a.test once, b.test once
  EXPECT_EQ(r_.cursor(), 0u);
  deploy(a, "a.test", 5);
  EXPECT_EQ(r_.cursor(), 2u);  // b.test (dirtied by 3) still pending
  r_.onStoreAnswer(snapshotId(a, "b.test"), notFound(), at(0));
  auto removal = r_.takeActions().deploys;
  ASSERT_EQ(removal.size(), 1u);
  EXPECT_FALSE(removal[0].zoneFile.has_value());
  EXPECT_EQ(removal[0].serial, 3u);  // the seq that dirtied it last
  r_.onAck("b.test", 3, true, "", at(0));
  EXPECT_EQ(r_.cursor(), 5u);
  EXPECT_TRUE(r_.idle());
}

TEST_F(RendererTest, DeploysCarryTheZoneFileAndTheCommitTime) {
  auto a = catchUp({{1, "a.test"}}, 10);
  r_.onStoreAnswer(snapshotId(a, "a.test"), snapshot("a.test", 1), at(20));
  r_.onChecked("a.test", 1, CheckVerdict::kAccepted, "$ORIGIN text", at(30));
  auto d = r_.takeActions().deploys;
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].domain, "a.test");
  EXPECT_EQ(d[0].zoneFile, "$ORIGIN text");
  EXPECT_EQ(d[0].committedAt, at(10).wall);
}

TEST_F(RendererTest, AnEventDuringAFlightRendersAgainAfterTheAck) {
  auto a = catchUp({{1, "a.test"}});
  r_.onEvent({2, "a.test"}, at(1));
  EXPECT_TRUE(r_.takeActions().snapshotRequests.empty());  // one in flight per zone
  r_.onStoreAnswer(snapshotId(a, "a.test"), snapshot("a.test", 2), at(2));
  r_.onChecked("a.test", 2, CheckVerdict::kAccepted, "z", at(2));
  (void)r_.takeActions();
  r_.onAck("a.test", 2, true, "", at(3));
  EXPECT_EQ(r_.cursor(), 1u);  // event 2 is not covered by that render
  auto again = r_.takeActions();
  ASSERT_EQ(again.snapshotRequests.size(), 1u);
  deploy(again, "a.test", 2);
  EXPECT_EQ(r_.cursor(), 2u);
}

TEST_F(RendererTest, LiveEventsInOrderAppliedOldOnesIgnoredGapsFetchTheLog) {
  (void)catchUp({});
  struct Case {
    uint64_t seq;
    bool applied;
    bool fetchesLog;
  } cases[] = {
      {1, true, false},   // next in line
      {1, false, false},  // duplicate
      {2, true, false},
      {4, false, true},  // 3 was lost: ask the log
  };
  for (const auto& c : cases) {
    const uint64_t before = r_.lastSeen();
    r_.onEvent({c.seq, ""}, at(0));
    EXPECT_EQ(r_.lastSeen(), c.applied ? c.seq : before) << "seq " << c.seq;
    EXPECT_EQ(r_.takeActions().logRequests.size(), c.fetchesLog ? 1u : 0u) << "seq " << c.seq;
  }
}

TEST_F(RendererTest, AGapWhileTheLogIsFetchedFetchesAgain) {
  r_.start(at(0));
  auto first = r_.takeActions().logRequests.at(0);
  r_.onEvent({9, "a.test"}, at(0));  // heard live, beyond what the log query will return
  EXPECT_TRUE(r_.takeActions().logRequests.empty());  // one log query at a time
  r_.onStoreAnswer(first.requestId, page({{1, ""}, {2, ""}}, 2), at(0));
  auto next = r_.takeActions().logRequests;
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].after, 2u);
}

TEST_F(RendererTest, LogPagesAreFollowedUntilLastSeq) {
  r_.start(at(0));
  auto q = r_.takeActions().logRequests.at(0);
  r_.onStoreAnswer(q.requestId, page({{1, ""}, {2, ""}}, 10), at(0));  // cut by the page limit
  auto next = r_.takeActions().logRequests;
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].after, 2u);
  // A hole in the store's log: take what is in order, ask again at the next
  // poll rather than in a tight loop.
  r_.onStoreAnswer(next[0].requestId, page({{3, ""}, {5, ""}}, 10), at(0));
  EXPECT_TRUE(r_.takeActions().logRequests.empty());
  r_.tick(at(1000));
  next = r_.takeActions().logRequests;
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].after, 3u);
}

TEST_F(RendererTest, IdleRendererPollsTheLogEverySecond) {
  (void)catchUp({});
  r_.tick(at(999));
  EXPECT_TRUE(r_.takeActions().logRequests.empty());
  r_.tick(at(1000));
  EXPECT_EQ(r_.takeActions().logRequests.size(), 1u);
}

TEST_F(RendererTest, UnansweredQueriesAreSentAgainAndLateAnswersIgnored) {
  auto a = catchUp({{1, "a.test"}});
  const uint64_t oldId = snapshotId(a, "a.test");
  r_.tick(at(1999));
  EXPECT_TRUE(r_.takeActions().snapshotRequests.empty());
  r_.tick(at(2000));
  auto again = r_.takeActions();
  ASSERT_EQ(again.snapshotRequests.size(), 1u);
  EXPECT_NE(again.snapshotRequests[0].requestId, oldId);
  r_.onStoreAnswer(oldId, snapshot("a.test", 1), at(2001));
  EXPECT_TRUE(r_.takeActions().renders.empty());
  r_.onStoreAnswer(again.snapshotRequests[0].requestId, snapshot("a.test", 1), at(2002));
  EXPECT_EQ(r_.takeActions().renders.size(), 1u);
}

TEST_F(RendererTest, FailedDeploysRetryWithDoublingBackoff) {
  auto a = catchUp({{1, "a.test"}});
  uint64_t id = snapshotId(a, "a.test");
  int64_t t = 0;
  for (int64_t delay : {100, 200, 400, 800, 1600, 3200, 5000, 5000}) {
    r_.onStoreAnswer(id, snapshot("a.test", 1), at(t));
    r_.onChecked("a.test", 1, CheckVerdict::kAccepted, "z", at(t));
    (void)r_.takeActions();
    r_.onAck("a.test", 1, false, "rndc: connection refused", at(t));
    r_.tick(at(t + delay - 1));
    ASSERT_TRUE(r_.takeActions().snapshotRequests.empty()) << delay;
    r_.tick(at(t + delay));
    auto retry = r_.takeActions().snapshotRequests;
    ASSERT_EQ(retry.size(), 1u) << delay;
    id = retry[0].requestId;
    t += delay;
    EXPECT_EQ(r_.cursor(), 0u);
  }
  r_.onStoreAnswer(id, snapshot("a.test", 1), at(t));
  r_.onChecked("a.test", 1, CheckVerdict::kAccepted, "z", at(t));
  r_.onAck("a.test", 1, true, "", at(t));
  EXPECT_EQ(r_.cursor(), 1u);
}

TEST_F(RendererTest, CheckVerdicts) {
  struct Case {
    CheckVerdict verdict;
    bool deploys;
    uint64_t cursorAfter;  // refused versions count as handled; failed checks retry
  } cases[] = {
      {CheckVerdict::kAccepted, true, 0},
      {CheckVerdict::kRefused, false, 1},
      {CheckVerdict::kFailed, false, 0},
  };
  for (const auto& c : cases) {
    Renderer r(0, RendererOptions{});
    r.start(at(0));
    r.onStoreAnswer(r.takeActions().logRequests.at(0).requestId, page({{1, "a.test"}}, 1), at(0));
    r.onStoreAnswer(r.takeActions().snapshotRequests.at(0).requestId, snapshot("a.test", 1), at(0));
    (void)r.takeActions();
    r.onChecked("a.test", 1, c.verdict, "text", at(0));
    EXPECT_EQ(r.takeActions().deploys.size(), c.deploys ? 1u : 0u);
    EXPECT_EQ(r.cursor(), c.cursorAfter);
  }
}

TEST_F(RendererTest, AcksThatMatchNothingAreIgnored) {
  auto a = catchUp({{1, "a.test"}});
  r_.onStoreAnswer(snapshotId(a, "a.test"), snapshot("a.test", 1), at(0));
  r_.onChecked("a.test", 1, CheckVerdict::kAccepted, "z", at(0));
  (void)r_.takeActions();
  r_.onAck("a.test", 7, true, "", at(0));  // other serial
  r_.onAck("b.test", 1, true, "", at(0));  // other zone
  EXPECT_EQ(r_.cursor(), 0u);
  EXPECT_EQ(r_.inFlight(), 1u);
  r_.onAck("a.test", 1, true, "", at(0));
  EXPECT_EQ(r_.cursor(), 1u);
}

TEST_F(RendererTest, UnacknowledgedDeploysAreRetried) {
  auto a = catchUp({{1, "a.test"}});
  r_.onStoreAnswer(snapshotId(a, "a.test"), snapshot("a.test", 1), at(0));
  r_.onChecked("a.test", 1, CheckVerdict::kAccepted, "z", at(0));
  (void)r_.takeActions();
  r_.tick(at(30000));  // ack timeout: back off
  r_.tick(at(30100));
  EXPECT_EQ(r_.takeActions().snapshotRequests.size(), 1u);
}

// 64, so that one pusher batch can hold every busy zone (its deltas go to
// named together); more would only queue at the pusher.
TEST_F(RendererTest, AtMostSixtyFourZonesInFlight) {
  std::vector<EventNote> items;
  for (uint64_t i = 1; i <= 70; ++i) items.push_back({i, "z" + std::to_string(i) + ".test"});
  auto a = catchUp(items);
  ASSERT_EQ(a.snapshotRequests.size(), 64u);
  deploy(a, "z1.test", 1);
  auto more = r_.takeActions().snapshotRequests;
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].domain, "z65.test");
  EXPECT_EQ(r_.cursor(), 1u);
}

TEST_F(RendererTest, StoreErrorsOtherThanNotFoundRetry) {
  auto a = catchUp({{1, "a.test"}});
  r_.onStoreAnswer(snapshotId(a, "a.test"), Error{ErrorKind::kUnavailable, "", "busy"}, at(0));
  auto now = r_.takeActions();
  EXPECT_TRUE(now.deploys.empty());
  EXPECT_TRUE(now.renders.empty());
  r_.tick(at(100));
  EXPECT_EQ(r_.takeActions().snapshotRequests.size(), 1u);
}

}  // namespace
}  // namespace zp::render

namespace zp::render {
namespace {

// Regression (bench run, 04:25): an event published while a log answer was on
// its way made the renderer claim the store had been reset.
TEST_F(RendererTest, EventsArrivingWhileTheLogIsFetchedAreNotAStoreReset) {
  catchUp({{1, "a.test"}, {2, "a.test"}});
  r_.onEvent({4, "a.test"}, at(10));  // a gap: asks for the log after 2
  auto a = r_.takeActions();
  ASSERT_EQ(a.logRequests.size(), 1u);
  r_.onEvent({3, "a.test"}, at(11));  // published while the query is on its way
  r_.onEvent({4, "a.test"}, at(12));
  EXPECT_EQ(r_.lastSeen(), 4u);
  // The store's snapshot was taken before 4 was committed.
  r_.onStoreAnswer(a.logRequests[0].requestId, page({{3, "a.test"}}, 3), at(13));
  EXPECT_FALSE(r_.storeLooksReset());
  EXPECT_EQ(r_.lastSeen(), 4u);
}

TEST_F(RendererTest, ALogEndingBeforeWhatWasSeenWhenAskedIsAStoreReset) {
  catchUp({{1, "a.test"}, {2, "a.test"}});
  r_.onEvent({5, "a.test"}, at(10));  // gap: asks for the log after 2
  auto a = r_.takeActions();
  ASSERT_EQ(a.logRequests.size(), 1u);
  r_.onStoreAnswer(a.logRequests[0].requestId, page({}, 1), at(11));
  EXPECT_TRUE(r_.storeLooksReset());
}

}  // namespace
}  // namespace zp::render

namespace zp::render {
namespace {

EventNote created(uint64_t seq, const std::string& domain) {
  EventNote e(seq, domain);
  e.created = true;
  return e;
}
EventNote deleted(uint64_t seq, const std::string& domain) {
  EventNote e(seq, domain);
  e.deleted = true;
  return e;
}
EventNote added(uint64_t seq, const std::string& domain, const std::string& rr) {
  EventNote e(seq, domain);
  e.records = true;
  e.changes = {{true, rr}};
  return e;
}

class RendererDeltaTest : public RendererTest {};

// Issue 8: a new zone is its skeleton with the records of the events behind
// its creation (no store query, no render; one addzone and no UPDATE), later
// record changes are deltas, consecutive record events go together, a
// removal is direct; the cursor follows the acks.
TEST_F(RendererDeltaTest, CreatedZonesAreSkeletonsAndRecordEventsAreDeltas) {
  auto a = catchUp({created(1, "a.test"), added(2, "a.test", "x.a.test. 60 IN A 192.0.2.1"),
                    added(3, "a.test", "y.a.test. 60 IN A 192.0.2.2")});
  EXPECT_TRUE(a.snapshotRequests.empty());
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_TRUE(a.deploys[0].skeleton);
  ASSERT_TRUE(a.deploys[0].delta.has_value());
  EXPECT_EQ(*a.deploys[0].delta, (std::vector<RrChange>{{true, "x.a.test. 60 IN A 192.0.2.1"},
                                                        {true, "y.a.test. 60 IN A 192.0.2.2"}}));
  EXPECT_EQ(a.deploys[0].serial, 3u);
  EXPECT_EQ(r_.cursor(), 0u);
  r_.onAck("a.test", 3, true, "", at(1));
  EXPECT_EQ(r_.cursor(), 3u);
  EXPECT_TRUE(r_.idle());

  r_.onEvent(added(4, "a.test", "z.a.test. 60 IN A 192.0.2.3"), at(2));
  r_.onEvent(added(5, "a.test", "w.a.test. 60 IN A 192.0.2.4"), at(2));
  a = r_.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_FALSE(a.deploys[0].skeleton);
  ASSERT_TRUE(a.deploys[0].delta.has_value());
  EXPECT_EQ(a.deploys[0].delta->size(), 1u);  // the second event waits for this one's ack
  EXPECT_EQ(a.deploys[0].serial, 4u);
  r_.onAck("a.test", 4, true, "", at(3));
  a = r_.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_EQ(a.deploys[0].serial, 5u);
  r_.onAck("a.test", 5, true, "", at(3));
  EXPECT_EQ(r_.cursor(), 5u);

  r_.onEvent(deleted(6, "a.test"), at(3));
  a = r_.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_FALSE(a.deploys[0].zoneFile || a.deploys[0].delta || a.deploys[0].skeleton);
  EXPECT_EQ(a.deploys[0].serial, 6u);
}

// A delta the pusher cannot apply (named does not serve the zone
// dynamically): the whole version, rendered from a snapshot, at once.
TEST_F(RendererDeltaTest, NeedFullSendsTheWholeVersion) {
  auto a = catchUp({added(1, "b.test", "x.b.test. 60 IN A 192.0.2.1")});
  ASSERT_EQ(a.deploys.size(), 1u);
  r_.onAck("b.test", 1, false, "not loaded", at(1), /*needFull=*/true);
  a = r_.takeActions();
  ASSERT_EQ(a.snapshotRequests.size(), 1u);
  deploy(a, "b.test", 1, 2);
  EXPECT_EQ(r_.cursor(), 1u);
}

// Deltas are bounded: a long backlog goes as consecutive deltas, each with
// the serial of its last event; a failed one is sent again as it was.
TEST(RendererDeltaLimits, ALongBacklogGoesInBoundedDeltas) {
  RendererOptions options;
  options.deltaMaxEvents = 2;
  Renderer r(0, options);
  r.start(at(0));
  const auto log = r.takeActions().logRequests.at(0);
  std::vector<EventNote> items;
  for (uint64_t s = 1; s <= 5; ++s) {
    items.push_back(added(s, "c.test", "h" + std::to_string(s) + ".c.test. 60 IN A 192.0.2.1"));
  }
  r.onStoreAnswer(log.requestId, page(items, 5), at(0));
  auto a = r.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_EQ(a.deploys[0].serial, 2u);
  EXPECT_EQ(a.deploys[0].delta->size(), 2u);
  r.onAck("c.test", 2, false, "named down", at(1));
  r.tick(at(1000));
  a = r.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_EQ(a.deploys[0].serial, 2u);
  r.onAck("c.test", 2, true, "", at(1001));
  a = r.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_EQ(a.deploys[0].serial, 4u);
  EXPECT_EQ(r.cursor(), 2u);
}

// Audits render an idle zone from a snapshot and send it flagged; they never
// hold the cursor back, and a busy zone is not audited.
TEST_F(RendererDeltaTest, AuditsRenderIdleZonesAndNeverHoldTheCursor) {
  catchUp({});
  r_.audit("d.test", at(1));
  auto a = r_.takeActions();
  ASSERT_EQ(a.snapshotRequests.size(), 1u);
  EXPECT_EQ(r_.cursor(), 0u);
  r_.onStoreAnswer(a.snapshotRequests[0].requestId, snapshot("d.test", 7), at(2));
  ASSERT_EQ(r_.takeActions().renders.size(), 1u);
  r_.onChecked("d.test", 7, CheckVerdict::kAccepted, "zone text", at(3));
  a = r_.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_TRUE(a.deploys[0].audit);
  r_.onAck("d.test", 7, true, "", at(4));
  EXPECT_TRUE(r_.idle());
}

// named-checkzone runs on the audits sampled for it (AuditRounds) and on
// every whole version; an unsampled audit is rendered only.
TEST_F(RendererDeltaTest, OnlySampledAuditsAreChecked) {
  catchUp({});
  struct Case {
    const char* domain;
    bool check;
  };
  for (const Case c : {Case{"sampled.test", true}, Case{"unsampled.test", false}}) {
    SCOPED_TRACE(c.domain);
    r_.audit(c.domain, at(1), c.check);
    auto a = r_.takeActions();
    ASSERT_EQ(a.snapshotRequests.size(), 1u);
    r_.onStoreAnswer(a.snapshotRequests[0].requestId, snapshot(c.domain, 7), at(2));
    a = r_.takeActions();
    ASSERT_EQ(a.renders.size(), 1u);
    EXPECT_EQ(a.renders[0].check, c.check);
    r_.onChecked(c.domain, 7, CheckVerdict::kAccepted, "zone text", at(3));
    a = r_.takeActions();
    ASSERT_EQ(a.deploys.size(), 1u);
    EXPECT_TRUE(a.deploys[0].audit);
    r_.onAck(c.domain, 7, true, "", at(4));
  }
  // The zone's next audit sampled for a check is checked: nothing sticks.
  r_.audit("unsampled.test", at(5), true);
  auto a = r_.takeActions();
  ASSERT_EQ(a.snapshotRequests.size(), 1u);
  r_.onStoreAnswer(a.snapshotRequests[0].requestId, snapshot("unsampled.test", 7), at(6));
  a = r_.takeActions();
  ASSERT_EQ(a.renders.size(), 1u);
  EXPECT_TRUE(a.renders[0].check);
}

}  // namespace
}  // namespace zp::render

namespace zp::render {
namespace {

// One event of a change set of `count`, the `index`-th (issue 11 item 4).
EventNote inSet(uint64_t seq, const std::string& domain, uint32_t remaining, std::string rr) {
  EventNote e(seq, domain);
  e.records = true;
  e.changes = {{true, std::move(rr)}};
  e.setRemaining = remaining;
  return e;
}

// A change set arriving live, event by event, is deployed only once its last
// event is in, as ONE delta with its serial, even when the delta limits would
// cut it; a lone event before it is not held back with it.
TEST(RendererChangeSets, ASetIsOneDeltaOnlyWhenComplete) {
  RendererOptions options;
  options.deltaMaxEvents = 2;
  Renderer r(0, options);
  r.start(at(0));
  r.onStoreAnswer(r.takeActions().logRequests.at(0).requestId, page({}, 0), at(0));
  r.takeActions();
  r.onEvent(inSet(1, "s.test", 2, "a.s.test. 60 IN A 192.0.2.1"), at(1));
  r.onEvent(inSet(2, "s.test", 1, "b.s.test. 60 IN A 192.0.2.2"), at(1));
  EXPECT_TRUE(r.takeActions().deploys.empty()) << "a set must not be deployed in part";
  r.onEvent(inSet(3, "s.test", 0, "c.s.test. 60 IN A 192.0.2.3"), at(1));
  auto a = r.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  ASSERT_TRUE(a.deploys[0].delta.has_value());
  EXPECT_EQ(a.deploys[0].delta->size(), 3u);
  EXPECT_EQ(a.deploys[0].serial, 3u);
  r.onAck("s.test", 3, true, "", at(2));
  EXPECT_EQ(r.cursor(), 3u);
}

// The delta limits split a backlog only between sets.
TEST(RendererChangeSets, LimitsSplitOnlyBetweenSets) {
  RendererOptions options;
  options.deltaMaxEvents = 2;
  Renderer r(0, options);
  r.start(at(0));
  const auto log = r.takeActions().logRequests.at(0);
  r.onStoreAnswer(log.requestId,
                  page({added(1, "t.test", "l.t.test. 60 IN A 192.0.2.9"),
                        inSet(2, "t.test", 2, "a.t.test. 60 IN A 192.0.2.1"),
                        inSet(3, "t.test", 1, "b.t.test. 60 IN A 192.0.2.2"),
                        inSet(4, "t.test", 0, "c.t.test. 60 IN A 192.0.2.3")},
                       4),
                  at(0));
  auto a = r.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_EQ(a.deploys[0].serial, 1u);  // the lone event; the set would exceed the limit with it
  r.onAck("t.test", 1, true, "", at(1));
  a = r.takeActions();
  ASSERT_EQ(a.deploys.size(), 1u);
  EXPECT_EQ(a.deploys[0].serial, 4u);
  EXPECT_EQ(a.deploys[0].delta->size(), 3u);
}

// A set larger than one UPDATE carries is still one delta (the pusher sends
// it as several UPDATEs); only one past setMaxBytes goes as a whole version.
TEST(RendererChangeSets, ABigSetIsOneDeltaAndOnlyAHugeOneAWholeVersion) {
  struct Case {
    const char* name;
    size_t setMaxBytes;
    bool whole;
  } cases[] = {{"past deltaMaxBytes", 1 << 20, false}, {"past setMaxBytes", 100, true}};
  for (const auto& c : cases) {
    RendererOptions options;
    options.deltaMaxBytes = 100;
    options.setMaxBytes = c.setMaxBytes;
    Renderer r(0, options);
    r.start(at(0));
    const auto log = r.takeActions().logRequests.at(0);
    std::vector<EventNote> items;
    for (uint32_t i = 0; i < 4; ++i) {
      items.push_back(
          inSet(i + 1, "u.test", 3 - i,
                "host" + std::to_string(i) + ".u.test. 60 IN A 192.0.2." + std::to_string(i + 1)));
    }
    r.onStoreAnswer(log.requestId, page(items, 4), at(0));
    auto a = r.takeActions();
    if (c.whole) {
      EXPECT_TRUE(a.deploys.empty()) << c.name;
      ASSERT_EQ(a.snapshotRequests.size(), 1u) << c.name;
      EXPECT_EQ(a.snapshotRequests[0].domain, "u.test") << c.name;
    } else {
      EXPECT_TRUE(a.snapshotRequests.empty()) << c.name;
      ASSERT_EQ(a.deploys.size(), 1u) << c.name;
      ASSERT_TRUE(a.deploys[0].delta.has_value()) << c.name;
      EXPECT_EQ(a.deploys[0].delta->size(), 4u) << c.name;
      EXPECT_EQ(a.deploys[0].serial, 4u) << c.name;
    }
  }
}

}  // namespace
}  // namespace zp::render
