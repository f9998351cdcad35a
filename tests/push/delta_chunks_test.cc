// splitDelta and soaWithSerial (pipelines/push/delta_chunks.h): a change set
// too big for one UPDATE goes as several, each but the last with the next
// serial after named's, the last with the version's own.
#include "pipelines/push/delta_chunks.h"

#include <gtest/gtest.h>

namespace zp::push {
namespace {

const std::string kSoa =
    "big.test. 3600 IN SOA ns1.zonepipe.test. hostmaster.zonepipe.test. 5002 3600 600 1209600 300";

TEST(SoaWithSerial, ReplacesTheSerialFieldOnly) {
  const struct {
    std::string soa;
    uint32_t serial;
    std::optional<std::string> want;
  } cases[] = {
      {kSoa, 7,
       "big.test. 3600 IN SOA ns1.zonepipe.test. hostmaster.zonepipe.test. 7 3600 600 1209600 300"},
      {"a.test.\t60\tIN\tSOA\tns. h. 1 2 3 4 5", 4294967295u,
       "a.test.\t60\tIN\tSOA\tns. h. 4294967295 2 3 4 5"},
      // not an SOA line, a serial that is not a number, too few fields
      {"a.test. 60 IN TXT ns. h. 1 2 3 4 5", 7, std::nullopt},
      {"a.test. 60 IN SOA ns. h. x1 2 3 4 5", 7, std::nullopt},
      {"a.test. 60 IN SOA ns. h.", 7, std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(soaWithSerial(c.soa, c.serial), c.want) << c.soa;
}

std::vector<UpdateOp> creates(int n) {
  std::vector<UpdateOp> ops;
  for (int i = 0; i < n; ++i)
    ops.push_back({true, "r" + std::to_string(i) + ".big.test. 300 IN A 192.0.2.1"});
  return ops;
}

TEST(SplitDelta, ChunksCarryConsecutiveSerialsAndTheLastTheVersions) {
  const auto ops = creates(10);  // each line 31-32 bytes + 16
  const struct {
    const char* name;
    size_t maxBytes;
    uint32_t served, want;
    std::optional<std::vector<size_t>> sizes;  // ops per chunk; nullopt: refused
    std::vector<uint32_t> serials;             // of every chunk's SOA
  } cases[] = {
      {"fits one", 1000, 4992, 5002, std::vector<size_t>{10}, {5002}},
      {"three chunks", 200, 4992, 5002, std::vector<size_t>{4, 4, 2}, {4993, 4994, 5002}},
      {"a line longer than the limit is a chunk by itself",
       10,
       4992,
       5002,
       std::vector<size_t>(10, 1),
       {4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000, 5001, 5002}},
      {"serials must stay below the version's", 200, 5000, 5002, std::nullopt, {}},
      {"across the wrap of 2^32",
       200,
       4294967294u,
       3,
       std::vector<size_t>{4, 4, 2},
       {4294967295u, 0, 3}},
  };
  for (const auto& c : cases) {
    auto chunks = splitDelta(ops, kSoa, c.served, c.want, c.maxBytes);
    ASSERT_EQ(chunks.has_value(), c.sizes.has_value()) << c.name;
    if (!chunks) continue;
    ASSERT_EQ(chunks->size(), c.sizes->size()) << c.name;
    size_t next = 0;
    for (size_t i = 0; i < chunks->size(); ++i) {
      const auto& chunk = (*chunks)[i];
      EXPECT_EQ(chunk.ops.size(), (*c.sizes)[i]) << c.name << " chunk " << i;
      for (const auto& op : chunk.ops) EXPECT_EQ(op.rr, ops[next++].rr) << c.name;  // in order
      const std::string want = i + 1 == chunks->size() ? kSoa : *soaWithSerial(kSoa, c.serials[i]);
      EXPECT_EQ(chunk.soa, want) << c.name << " chunk " << i;
    }
    EXPECT_EQ(next, ops.size()) << c.name;
  }
}

}  // namespace
}  // namespace zp::push
