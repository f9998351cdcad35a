// The store gives dns::checkRecordInZone the records above and below a name
// (issue 10): delegations, DNAME and DS rules decided against real LMDB
// state, on create, update and delete, and what an NS write costs in a full
// zone (printed, not asserted).

#include <chrono>
#include <cstdio>

#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using schema::RecordType;
constexpr char kUser[] = "alice";
const std::string kDs =
    "12345 13 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

class ZoneRulesTest : public StoreTest {
 protected:
  // The reply's error as "kind field", or "ok".
  static std::string outcome(const Msg& m) {
    auto b = m.reply().getBody();
    if (!b.isError()) return "ok";
    return std::string(b.getError().getKind() == schema::ErrorKind::RECORD_CONFLICT ? "conflict "
                                                                                    : "other ") +
           b.getError().getField().cStr();
  }
  std::string create(const std::string& zoneUuid, RecordType type, const std::string& name,
                     const std::string& value) {
    return outcome(apply(kUser, createRecord(zoneUuid, type, name, value)));
  }
};

TEST_F(ZoneRulesTest, AncestorsDescendantsAndRemovals) {
  const std::string z = zone(kUser, "example.com");
  EXPECT_EQ(create(z, RecordType::TXT, "a.kid", "below"), "ok");
  EXPECT_EQ(create(z, RecordType::NS, "kid", "ns1.example.net"), "conflict name");
  EXPECT_EQ(create(z, RecordType::DNAME, "kid", "example.net"), "conflict name");
  EXPECT_EQ(create(z, RecordType::DNAME, "@", "example.net"), "conflict name");
  EXPECT_EQ(create(z, RecordType::A, "ns.deleg", "192.0.2.1"), "ok");
  const std::string ns = record(kUser, z, RecordType::NS, "deleg", "ns.deleg.example.com");
  ASSERT_FALSE(ns.empty());
  EXPECT_EQ(create(z, RecordType::TXT, "deep.x.deleg", "hidden"), "conflict name");
  EXPECT_EQ(create(z, RecordType::AAAA, "ns.deleg", "2001:db8::1"), "ok");
  EXPECT_EQ(create(z, RecordType::DS, "deleg", kDs), "ok");
  EXPECT_EQ(create(z, RecordType::DS, "other", kDs), "conflict name");
  EXPECT_EQ(create(z, RecordType::DNAME, "moved", "example.net"), "ok");
  EXPECT_EQ(create(z, RecordType::A, "x.moved", "192.0.2.2"), "conflict name");

  // The only NS of a delegation with DS stays, by DELETE and by an update
  // that moves it; with a second NS it may go.
  EXPECT_EQ(outcome(apply(kUser, deleteRecord(ns))), "conflict name");
  EXPECT_EQ(outcome(apply(kUser, updateRecord(ns, RecordType::NS, "deleg2", "ns1.example.net"))),
            "conflict name");
  EXPECT_EQ(create(z, RecordType::NS, "deleg", "ns2.example.net"), "ok");
  EXPECT_EQ(outcome(apply(kUser, deleteRecord(ns))), "ok");
}

TEST_F(ZoneRulesTest, WhatAnNsWriteCostsInAFullZone) {
  recordsPerZone_ = 20000;
  const std::string z = zone(kUser, "big.example");
  constexpr int kRecords = 10000;
  for (int start = 0; start < kRecords; start += 1000) {
    std::vector<Cmd> cmds;
    cmds.reserve(1000);
    for (int i = start; i < start + 1000; ++i) {
      cmds.emplace_back(kUser, createRecord(z, RecordType::TXT, "n" + std::to_string(i) + ".x",
                                            "v" + std::to_string(i)));
    }
    std::vector<const Cmd*> ptrs;
    for (const Cmd& c : cmds) ptrs.push_back(&c);
    for (const Msg& m : batch(ptrs)) ASSERT_EQ(outcome(m), "ok");
  }
  const auto time = [&](RecordType type, const std::string& name, const std::string& value) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string got = create(z, type, name, value);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    std::printf("  %s at %s in a %d-record zone: %s, %lld us\n",
                std::string(type == RecordType::NS ? "NS" : "A").c_str(), name.c_str(), kRecords,
                got.c_str(), static_cast<long long>(us));
    return got;
  };
  EXPECT_EQ(time(RecordType::A, "a.b.c.d", "192.0.2.1"), "ok");      // ancestor lookups only
  EXPECT_EQ(time(RecordType::NS, "free", "ns1.example.net"), "ok");  // scans the zone's index
  EXPECT_EQ(time(RecordType::NS, "x", "ns1.example.net"), "conflict name");  // data below x
}

}  // namespace
}  // namespace zp::store::testing
