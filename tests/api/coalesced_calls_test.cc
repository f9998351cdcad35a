#include "pipelines/api/coalesced_calls.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zp::api {
namespace {

// A call that answers only when the test says so.
struct ManualCalls {
  std::vector<CoalescedCalls<int>::Done> inFlight;
  int started = 0;
  CoalescedCalls<int>::Start start() {
    return [this](CoalescedCalls<int>::Done done) {
      ++started;
      inFlight.push_back(std::move(done));
    };
  }
  void answer(size_t i, int value) { inFlight.at(i)(value); }
};

TEST(CoalescedCalls, AfterArrivalAnswersEachRequestWithACallStartedAfterIt) {
  CoalescedCalls<int> calls(CoalesceJoin::kAfterArrival);
  ManualCalls manual;
  std::vector<std::string> seen;
  auto waiter = [&](std::string name) {
    return [&seen, name](const int& v) { seen.push_back(name + "=" + std::to_string(v)); };
  };
  calls.request("zone", waiter("a"), manual.start());  // starts call 0
  calls.request("zone", waiter("b"), manual.start());  // arrived during call 0: waits for call 1
  calls.request("zone", waiter("c"), manual.start());
  calls.request("other", waiter("d"), manual.start());  // another key: its own call 1
  EXPECT_EQ(manual.started, 2);
  manual.answer(0, 1);  // answers a, starts call 2 for b and c
  EXPECT_EQ(manual.started, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"a=1"}));
  calls.request("zone", waiter("e"), manual.start());  // during call 2: next batch
  manual.answer(2, 2);
  EXPECT_EQ(seen, (std::vector<std::string>{"a=1", "b=2", "c=2"}));
  EXPECT_EQ(manual.started, 4);
  manual.answer(3, 3);
  manual.answer(1, 9);
  EXPECT_EQ(seen, (std::vector<std::string>{"a=1", "b=2", "c=2", "e=3", "d=9"}));
  EXPECT_EQ(calls.started(), 4u);
  EXPECT_EQ(calls.shared(), 3u);
  EXPECT_EQ(calls.keysInFlight(), 0u);
}

TEST(CoalescedCalls, InFlightSharesTheCallAlreadyRunning) {
  CoalescedCalls<int> calls(CoalesceJoin::kInFlight);
  ManualCalls manual;
  std::vector<int> seen;
  auto waiter = [&seen](const int& v) { seen.push_back(v); };
  calls.request("ns", waiter, manual.start());
  calls.request("ns", waiter, manual.start());
  calls.request("ns", waiter, manual.start());
  EXPECT_EQ(manual.started, 1);
  manual.answer(0, 7);
  EXPECT_EQ(seen, (std::vector<int>{7, 7, 7}));
  calls.request("ns", waiter, manual.start());  // nothing in flight: a new call
  EXPECT_EQ(manual.started, 2);
  manual.answer(1, 8);
  EXPECT_EQ(seen.back(), 8);
  EXPECT_EQ(calls.keysInFlight(), 0u);
}

TEST(CoalescedCalls, ACallAnsweredAtOnceStillServesItsBatch) {
  CoalescedCalls<int> calls(CoalesceJoin::kAfterArrival);
  int answers = 0;
  for (int i = 0; i < 3; ++i) {
    calls.request(
        "zone", [&answers](const int& v) { answers += v; },
        [](CoalescedCalls<int>::Done done) { done(1); });  // e.g. the bus is stopping
  }
  EXPECT_EQ(answers, 3);
  EXPECT_EQ(calls.keysInFlight(), 0u);
}

}  // namespace
}  // namespace zp::api
