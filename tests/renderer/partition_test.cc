// Several renderers share the zones: the partition by domain hash, its cursor
// file names, and a Renderer that renders only its own zones while its cursor
// still follows every event.
#include "pipelines/render/partition.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipelines/render/renderer.h"

namespace zp::render {
namespace {

TEST(DomainHash, IsFnv1a64OfTheNormalisedDomain) {
  struct Case {
    std::string domain;
    uint64_t hash;
  };
  // Reference values of FNV-1a 64 (the empty string is the offset basis).
  const std::vector<Case> cases = {
      {"", 14695981039346656037ULL},
      {"a", 0xaf63dc4c8601ec8cULL},
      {"foobar", 0x85944171f73967e8ULL},
  };
  for (const auto& c : cases) EXPECT_EQ(domainHash(c.domain), c.hash) << c.domain;
  // Case and a trailing dot do not move a zone to another renderer.
  EXPECT_EQ(domainHash("Example.COM."), domainHash("example.com"));
  EXPECT_EQ(domainHash("example.com."), domainHash("example.com"));
  EXPECT_NE(domainHash("example.com"), domainHash("example.net"));
}

TEST(Partition, EveryDomainHasExactlyOneOwner) {
  for (uint32_t n : {1u, 2u, 3u, 7u}) {
    std::vector<size_t> owned(n);
    for (int z = 0; z < 1000; ++z) {
      const std::string domain = "zone" + std::to_string(z) + ".example";
      int owners = 0;
      for (uint32_t i = 0; i < n; ++i) {
        if (Partition(i, n).owns(domain)) {
          ++owners;
          ++owned[i];
        }
      }
      EXPECT_EQ(owners, 1) << domain << " with " << n << " renderers";
    }
    // Spread: no instance idles (1000 domains, each share well above zero).
    for (uint32_t i = 0; i < n; ++i) EXPECT_GT(owned[i], 1000 / n / 2) << i << " of " << n;
  }
}

TEST(Partition, RefusesInstancesThatDoNotExist) {
  struct Case {
    uint32_t instance, instances;
    bool ok;
  };
  const std::vector<Case> cases = {{0, 1, true},  {1, 2, true},  {2, 2, false},
                                   {0, 0, false}, {5, 3, false}, {2, 3, true}};
  for (const auto& c : cases) {
    if (c.ok) {
      EXPECT_NO_THROW(Partition(c.instance, c.instances)) << c.instance << "/" << c.instances;
    } else {
      EXPECT_THROW(Partition(c.instance, c.instances), std::invalid_argument)
          << c.instance << "/" << c.instances;
    }
  }
}

TEST(Partition, CursorFileNamesDifferPerInstanceAndCount) {
  EXPECT_EQ(Partition().cursorFileName(), "cursor");
  EXPECT_EQ(Partition(0, 1).cursorFileName(), "cursor");  // a lone renderer keeps its old file
  std::set<std::string> names;
  for (uint32_t n = 2; n <= 4; ++n) {
    for (uint32_t i = 0; i < n; ++i) names.insert(Partition(i, n).cursorFileName());
  }
  EXPECT_EQ(names.size(), 2u + 3u + 4u);
  EXPECT_EQ(Partition(1, 2).cursorFileName(), "cursor-1-of-2");
}

// Two domains owned by different instances of two.
std::pair<std::string, std::string> oneForEach() {
  std::string first, second;
  for (int z = 0; first.empty() || second.empty(); ++z) {
    const std::string d = "z" + std::to_string(z) + ".test";
    (Partition(0, 2).owns(d) ? first : second) = d;
  }
  return {first, second};
}

TEST(PartitionedRenderer, RendersOnlyItsOwnZonesAndItsCursorFollowsEveryEvent) {
  const auto [mine, theirs] = oneForEach();
  RendererOptions options;
  options.partition = Partition(0, 2);
  Renderer r(0, options);
  r.start({0, 0});
  auto start = r.takeActions();
  ASSERT_EQ(start.logRequests.size(), 1u);
  r.onStoreAnswer(start.logRequests[0].requestId,
                  LogPage{{{1, theirs}, {2, theirs}, {3, ""}, {4, theirs}}, 4}, {0, 0});
  auto a = r.takeActions();
  EXPECT_TRUE(a.snapshotRequests.empty());  // none of them is ours
  EXPECT_EQ(r.cursor(), 4u);                // yet the cursor moves past them
  EXPECT_TRUE(r.idle());

  r.onEvent({5, mine}, {1, 1});
  r.onEvent({6, theirs}, {1, 1});
  a = r.takeActions();
  ASSERT_EQ(a.snapshotRequests.size(), 1u);
  EXPECT_EQ(a.snapshotRequests[0].domain, mine);
  EXPECT_EQ(r.cursor(), 4u);  // held back by our own zone in flight
  dns::ZoneSnapshot snap;
  snap.zone.domain = mine;
  snap.zone.serial = 5;
  r.onStoreAnswer(a.snapshotRequests[0].requestId, snap, {2, 2});
  ASSERT_EQ(r.takeActions().renders.size(), 1u);
  r.onChecked(mine, 5, CheckVerdict::kAccepted, "zone text", {3, 3});
  ASSERT_EQ(r.takeActions().deploys.size(), 1u);
  r.onAck(mine, 5, true, "", {4, 4});
  EXPECT_EQ(r.cursor(), 6u);
  EXPECT_TRUE(r.idle());

  // The other instance, fed the same events, renders the other zone only.
  RendererOptions other;
  other.partition = Partition(1, 2);
  Renderer r1(0, other);
  r1.start({0, 0});
  auto s1 = r1.takeActions();
  r1.onStoreAnswer(s1.logRequests.at(0).requestId,
                   LogPage{{{1, theirs}, {2, theirs}, {3, ""}, {4, theirs}, {5, mine}}, 5}, {0, 0});
  auto a1 = r1.takeActions();
  ASSERT_EQ(a1.snapshotRequests.size(), 1u);
  EXPECT_EQ(a1.snapshotRequests[0].domain, theirs);
}

}  // namespace
}  // namespace zp::render
