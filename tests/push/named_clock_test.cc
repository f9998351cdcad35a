// contrib/named-clock: the library scripts/named-start preloads into named
// answers the coarse clocks with the precise ones and passes every other
// clock through (see precise_clock.c for why).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <set>

namespace {

using ClockGettime = int (*)(clockid_t, timespec*);

int64_t nanos(const timespec& ts) { return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec; }

// How many different values 1,000 back-to-back reads give: a clock with
// nanosecond resolution gives nearly 1,000, a coarse one (a tick of 1-10 ms)
// one or two.
size_t distinctReads(ClockGettime read, clockid_t clock) {
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    timespec ts{};
    EXPECT_EQ(read(clock, &ts), 0);
    seen.insert(nanos(ts));
  }
  return seen.size();
}

class NamedClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = ::dlopen(ZP_NAMED_CLOCK_LIB, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << ::dlerror();
    shim_ = reinterpret_cast<ClockGettime>(::dlsym(handle_, "clock_gettime"));
    ASSERT_NE(shim_, nullptr) << ::dlerror();
  }
  void TearDown() override {
    if (handle_) ::dlclose(handle_);
  }
  void* handle_ = nullptr;
  ClockGettime shim_ = nullptr;
};

TEST_F(NamedClockTest, CoarseClocksReadAsThePreciseOnesAndOthersPassThrough) {
  struct Case {
    const char* name;
    clockid_t asked;
    clockid_t answersLike;  // libc's clock the shim's answer must match
    bool precise;           // nanosecond steps, not ticks
  };
  const Case cases[] = {
      {"realtime coarse -> realtime", CLOCK_REALTIME_COARSE, CLOCK_REALTIME, true},
      {"monotonic coarse -> monotonic", CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC, true},
      {"realtime passes through", CLOCK_REALTIME, CLOCK_REALTIME, true},
      {"monotonic passes through", CLOCK_MONOTONIC, CLOCK_MONOTONIC, true},
      {"boottime passes through", CLOCK_BOOTTIME, CLOCK_BOOTTIME, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    timespec mine{}, reference{};
    ASSERT_EQ(shim_(c.asked, &mine), 0);
    ASSERT_EQ(::clock_gettime(c.answersLike, &reference), 0);
    // Realtime and monotonic differ by decades here; 100 ms tells them apart.
    EXPECT_LT(std::llabs(nanos(reference) - nanos(mine)), 100'000'000);
    if (c.precise) {
      EXPECT_GT(distinctReads(shim_, c.asked), 100u);
    }
  }
}

TEST_F(NamedClockTest, WithoutItTheCoarseClockStepsInTicks) {
  // The baseline the test above is told apart from: libc's coarse clock.
  timespec res{};
  ASSERT_EQ(::clock_getres(CLOCK_REALTIME_COARSE, &res), 0);
  if (nanos(res) < 1'000'000) GTEST_SKIP() << "this kernel's coarse clock is fine-grained";
  EXPECT_LT(distinctReads(&::clock_gettime, CLOCK_REALTIME_COARSE), 100u);
}

TEST_F(NamedClockTest, AnUnknownClockIsAnErrorAsInLibc) {
  timespec ts{};
  errno = 0;
  EXPECT_EQ(shim_(static_cast<clockid_t>(4242), &ts), -1);
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
