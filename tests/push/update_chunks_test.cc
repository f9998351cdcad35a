// chunkBySize (pipelines/push/update_chunks.h): changes too many for one
// UPDATE go as several, in order, each at most the limit (one longer change
// by itself). The serial rule is tested with the pusher (deploy_status_test).
#include "pipelines/push/update_chunks.h"

#include <gtest/gtest.h>

#include <string>

namespace zp::push {
namespace {

TEST(ChunkBySize, RunsInOrderAtMostTheLimit) {
  const struct {
    const char* name;
    std::vector<size_t> sizes;
    size_t maxBytes;
    std::vector<size_t> runs;  // ops per run
  } cases[] = {
      {"none is one empty run (an UPDATE of the SOA alone)", {}, 100, {0}},
      {"fits one", {30, 30, 30}, 100, {3}},
      {"exactly the limit", {50, 50}, 100, {2}},
      {"cut where the next would pass it", {40, 40, 40, 40, 40}, 100, {2, 2, 1}},
      {"a longer op is a run by itself", {10, 500, 10}, 100, {1, 1, 1}},
  };
  for (const auto& c : cases) {
    std::vector<std::pair<int, size_t>> ops;  // (index, size)
    for (size_t i = 0; i < c.sizes.size(); ++i) ops.emplace_back(static_cast<int>(i), c.sizes[i]);
    const auto chunks = chunkBySize(
        ops, [](const std::pair<int, size_t>& op) { return op.second; }, c.maxBytes);
    ASSERT_EQ(chunks.size(), c.runs.size()) << c.name;
    int next = 0;
    for (size_t i = 0; i < chunks.size(); ++i) {
      EXPECT_EQ(chunks[i].size(), c.runs[i]) << c.name << " run " << i;
      size_t bytes = 0;
      for (const auto& op : chunks[i]) {
        EXPECT_EQ(op.first, next++) << c.name;  // in order, none lost or doubled
        bytes += op.second;
      }
      if (chunks[i].size() > 1) {
        EXPECT_LE(bytes, c.maxBytes) << c.name << " run " << i;
      }
    }
    EXPECT_EQ(next, static_cast<int>(c.sizes.size())) << c.name;
  }
}

}  // namespace
}  // namespace zp::push
