#include "pipelines/api/settled_statuses.h"

#include <gtest/gtest.h>

namespace zp::api {
namespace {

deploy::PushStatus statusAt(std::vector<std::pair<bool, uint32_t>> servers,
                            std::string error = "") {
  deploy::PushStatus s;
  s.known = true;
  s.lastError = std::move(error);
  for (auto [answered, serial] : servers) {
    deploy::NameserverState ns;
    ns.name = "ns";
    ns.answered = answered;
    ns.serial = serial;
    s.nameservers.push_back(ns);
  }
  return s;
}

TEST(SettledStatuses, OnlyEveryNameserverAtTheShownSerialIsSettled) {
  struct Case {
    const char* what;
    deploy::PushStatus status;
    uint32_t shown;
    bool settled;
  };
  deploy::PushStatus unknown = statusAt({{true, 5}});
  unknown.known = false;
  const Case cases[] = {
      {"both at the shown serial", statusAt({{true, 5}, {true, 5}}), 5, true},
      {"one behind", statusAt({{true, 5}, {true, 4}}), 5, false},
      {"one not answering", statusAt({{true, 5}, {false, 0}}), 5, false},
      {"all at an older version than shown", statusAt({{true, 4}, {true, 4}}), 5, false},
      {"a deploy error", statusAt({{true, 5}}, "named refused it"), 5, false},
      {"no nameservers reported", statusAt({}), 5, false},
      {"not deployed", unknown, 5, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SettledStatuses::settledAt(c.status, c.shown), c.settled) << c.what;
  }
}

TEST(SettledStatuses, ReusedOnlyWithinTheWindowAndForItsSerial) {
  SettledStatuses statuses;
  const auto t0 = SettledStatuses::Clock::now();
  statuses.remember("example.test", statusAt({{true, 5}, {true, 5}}), t0);
  EXPECT_TRUE(statuses.find("example.test", 5, t0 + std::chrono::milliseconds(10)));
  EXPECT_FALSE(statuses.find("example.test", 6, t0));  // a newer version is shown
  EXPECT_FALSE(statuses.find("example.test", 5, t0 + SettledStatuses::kReuseWindow));
  EXPECT_FALSE(statuses.find("other.test", 5, t0));
  // An unsettled answer replaces a settled one.
  statuses.remember("example.test", statusAt({{true, 5}, {false, 0}}), t0);
  EXPECT_FALSE(statuses.find("example.test", 5, t0));
  // An older answer arriving late never replaces a newer one.
  statuses.remember("example.test", statusAt({{true, 6}, {true, 6}}),
                    t0 + std::chrono::milliseconds(5));
  statuses.remember("example.test", statusAt({{true, 7}, {true, 7}}), t0);
  EXPECT_TRUE(statuses.find("example.test", 6, t0 + std::chrono::milliseconds(6)));
}

}  // namespace
}  // namespace zp::api
