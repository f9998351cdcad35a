#include "pipelines/push/notify_pacer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipelines/push/secondary_notifier.h"

namespace zp::push {
namespace {

// Each step: a change to a zone at a time (NOTIFY at once or not), or, with
// an empty zone, the trailing NOTIFYs due at that time; then, when given,
// what nextDueIn() says.
struct Step {
  std::string zone;  // empty: due()
  int64_t at = 0;
  bool sentNow = false;          // changed(): NOTIFY at once
  std::vector<std::string> due;  // due(): the zones sent
  int64_t nextDueIn = -1;        // checked when >= 0
};
Step change(std::string zone, int64_t at, bool sentNow, int64_t nextDueIn = -1) {
  return {std::move(zone), at, sentNow, {}, nextDueIn};
}
Step dueAt(int64_t at, std::vector<std::string> zones, int64_t nextDueIn = -1) {
  return {"", at, false, std::move(zones), nextDueIn};
}

TEST(NotifyPacer, OnceAtOnceThenOncePerIntervalWithTheChangesBetweenTrailing) {
  struct Case {
    const char* what;
    int64_t interval;
    std::vector<Step> steps;
  };
  const Case cases[] = {
      {"a quiet zone is NOTIFYed at once",
       250,
       {change("a.test", 1000, true, 1000), dueAt(1300, {}, 1000)}},
      {"changes within the interval go in one trailing NOTIFY at its end",
       250,
       {change("a.test", 1000, true), change("a.test", 1010, false, 240),
        change("a.test", 1100, false, 150), dueAt(1249, {}, 1), dueAt(1250, {"a.test"}, 1000),
        dueAt(1400, {})}},
      {"after the trailing NOTIFY the interval starts again",
       250,
       {change("a.test", 1000, true), change("a.test", 1010, false), dueAt(1250, {"a.test"}),
        change("a.test", 1300, false, 200), dueAt(1500, {"a.test"}), change("a.test", 1800, true)}},
      {"zones are paced each on its own",
       250,
       {change("a.test", 1000, true), change("b.test", 1100, true), change("a.test", 1120, false),
        change("b.test", 1130, false, 120), dueAt(1250, {"a.test"}, 100), dueAt(1350, {"b.test"})}},
      {"a change after the trailing NOTIFY was due but before it went: one NOTIFY, not two",
       250,
       {change("a.test", 1000, true), change("a.test", 1010, false), change("a.test", 1300, true),
        dueAt(1300, {}), dueAt(1600, {})}},
      {"interval 0: every change at once",
       0,
       {change("a.test", 1000, true), change("a.test", 1000, true), change("a.test", 1001, true)}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    NotifyPacer pacer(c.interval);
    for (const Step& s : c.steps) {
      SCOPED_TRACE((s.zone.empty() ? std::string("due") : s.zone) + " at " + std::to_string(s.at));
      if (s.zone.empty()) {
        EXPECT_EQ(pacer.due(s.at), s.due);
      } else {
        EXPECT_EQ(pacer.changed(s.zone, s.at), s.sentNow);
      }
      if (s.nextDueIn >= 0) {
        EXPECT_EQ(pacer.nextDueIn(s.at, 1000), s.nextDueIn);
      }
    }
  }
}

TEST(NotifyPacer, AForgottenZoneGetsNoTrailingNotify) {
  NotifyPacer pacer(250);
  EXPECT_TRUE(pacer.changed("a.test", 1000));
  EXPECT_FALSE(pacer.changed("a.test", 1010));
  EXPECT_EQ(pacer.pending(), 1u);
  pacer.forget("a.test");  // deleted meanwhile
  EXPECT_TRUE(pacer.due(2000).empty());
  EXPECT_TRUE(pacer.changed("a.test", 2001)) << "created again: a quiet zone";
}

TEST(NotifyPacer, ZonesLongQuietAreNotKept) {
  NotifyPacer pacer(250);
  for (int i = 0; i < 1000; ++i) pacer.changed("z" + std::to_string(i) + ".test", 1000);
  EXPECT_EQ(pacer.tracked(), 1000u);
  // Long after, a change sweeps the quiet zones out.
  EXPECT_TRUE(pacer.changed("a.test", 1000 + 60000));
  EXPECT_EQ(pacer.tracked(), 1u);
  EXPECT_TRUE(pacer.changed("z1.test", 1000 + 60001)) << "quiet: NOTIFYed at once";
  EXPECT_EQ(pacer.pending(), 0u);
}

// RFC 1996 3.7: opcode NOTIFY, AA set, one SOA question for the zone.
TEST(NotifyPacer, NotifyMessageIsOpcodeNotifyWithAnSoaQuestion) {
  const auto packet = buildNotify(0x1234, "example.test");
  ASSERT_TRUE(packet.ok());
  const std::string expected = std::string("\x12\x34\x24\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12) +
                               "\x07"
                               "example"
                               "\x04"
                               "test" +
                               std::string("\x00\x00\x06\x00\x01", 5);
  EXPECT_EQ(*packet, expected);
  EXPECT_FALSE(buildNotify(1, "").ok());
  EXPECT_FALSE(buildNotify(1, std::string(64, 'a') + ".test").ok());
}

}  // namespace
}  // namespace zp::push
