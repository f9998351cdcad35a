#include "pipelines/api/zone_versions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zp::api {
namespace {

constexpr const char* kZoneA = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr const char* kZoneB = "bbbbbbbb-0000-4000-8000-000000000002";

struct Event {
  uint64_t seq;
  std::string zone;
};

// Each case: the events received, the commits acknowledged, then whether a
// body of kZoneA at `serial`, fetched in epoch `fetchedEpoch`, is current.
struct Case {
  const char* what;
  std::vector<Event> events;
  uint64_t acknowledged;
  uint64_t serial;
  uint64_t fetchedEpoch;
  bool current;
};

TEST(ZoneVersions, ABodyIsCurrentOnlyWhenTheMirrorProvesIt) {
  const Case cases[] = {
      // good: proven current
      {"untouched since the epoch began", {{10, kZoneB}, {11, kZoneB}}, 0, 5, 1, true},
      {"its own last event observed", {{10, kZoneA}, {11, kZoneB}}, 11, 10, 1, true},
      {"fetched newer than the last observed event", {{10, kZoneA}}, 0, 12, 1, true},
      {"token events only advance", {{10, ""}, {11, ""}}, 11, 3, 1, true},
      // bad: not proven
      {"no event yet (epoch 0)", {}, 0, 5, 0, false},
      {"fetched before any event", {{10, kZoneB}}, 0, 5, 0, false},
      {"changed after the body's version", {{10, kZoneA}, {11, kZoneA}}, 0, 10, 1, false},
      {"deleted after the body's version", {{10, kZoneB}, {11, kZoneA}}, 0, 9, 1, false},
      {"an acknowledged write not arrived yet", {{10, kZoneB}}, 11, 5, 1, false},
      {"a gap started a new epoch", {{10, kZoneB}, {12, kZoneB}}, 0, 5, 1, false},
      {"a seq going backwards starts a new epoch", {{10, kZoneB}, {9, kZoneB}}, 0, 5, 1, false},
      {"fetched in a newer epoch than exists", {{10, kZoneB}}, 0, 5, 2, false},
  };
  for (const auto& c : cases) {
    ZoneVersions versions;
    for (const auto& e : c.events) versions.applyEvent(e.seq, e.zone);
    versions.acknowledged(c.acknowledged);
    EXPECT_EQ(versions.current(kZoneA, c.serial, c.fetchedEpoch), c.current) << c.what;
  }
}

TEST(ZoneVersions, EpochsCountStartsAfterGapsAndResets) {
  ZoneVersions versions;
  EXPECT_EQ(versions.epoch(), 0u);
  versions.applyEvent(7, kZoneA);
  EXPECT_EQ(versions.epoch(), 1u);
  versions.applyEvent(8, kZoneA);
  EXPECT_EQ(versions.epoch(), 1u);
  versions.applyEvent(10, kZoneA);  // 9 was dropped
  EXPECT_EQ(versions.epoch(), 2u);
  EXPECT_EQ(versions.zonesTracked(), 1u);
  // A body fetched in epoch 2 after event 10 is current until kZoneA changes.
  EXPECT_TRUE(versions.current(kZoneA, 10, 2));
  versions.reset();
  EXPECT_EQ(versions.epoch(), 0u);
  EXPECT_FALSE(versions.current(kZoneA, 10, 2));
  versions.applyEvent(11, kZoneB);
  EXPECT_EQ(versions.epoch(), 3u);
  EXPECT_EQ(versions.applied(), 11u);
  EXPECT_TRUE(versions.current(kZoneA, 10, 3));
}

TEST(ZoneVersions, EventSinceSaysWhetherEventsStillArrive) {
  ZoneVersions versions;
  const auto before = ZoneVersions::Clock::now();
  EXPECT_FALSE(versions.eventSince(before - std::chrono::hours(1)));  // none yet
  versions.applyEvent(1, kZoneA);
  EXPECT_TRUE(versions.eventSince(before));
  EXPECT_FALSE(versions.eventSince(ZoneVersions::Clock::now() + std::chrono::seconds(1)));
}

}  // namespace
}  // namespace zp::api
