// SnapshotPager: a zone snapshot assembled from the store's pages (issue 8).

#include "pipelines/render/snapshot_pager.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zp::render {
namespace {

// A store reply: one page of `domain` at `serial` with records named `names`.
struct Page {
  uint64_t serial = 0;
  std::vector<std::string> names;
  std::string next;  // empty: the last page
};

class Reply {
 public:
  Reply(uint64_t requestId, const std::string& domain, const Page& page) {
    auto r = root(requestId);
    auto p = r.getBody().initSnapshotPage();
    auto zone = p.initZone();
    zone.setDomain(domain);
    zone.setSerial(page.serial);
    auto records = p.initRecords(static_cast<unsigned>(page.names.size()));
    for (unsigned i = 0; i < records.size(); ++i) {
      records[i].setName(page.names[i]);
      records[i].setUuid("u-" + page.names[i]);
      records[i].setType(schema::RecordType::A);
      records[i].setValue("192.0.2.1");
      records[i].setTtl(3600);
    }
    p.setNext(kj::arrayPtr(reinterpret_cast<const kj::byte*>(page.next.data()), page.next.size()));
  }
  Reply(uint64_t requestId, schema::ErrorKind kind) {
    auto e = root(requestId).getBody().initError();
    e.setKind(kind);
    e.setDetail("zone gone.test not found");
  }
  schema::Reply::Reader reader() { return m_.getRoot<schema::Reply>().asReader(); }

 private:
  schema::Reply::Builder root(uint64_t requestId) {
    auto r = m_.initRoot<schema::Reply>();
    r.setVersion(schema::PROTOCOL_VERSION);
    r.setRequestId(requestId);
    return r;
  }
  capnp::MallocMessageBuilder m_;
};

std::vector<std::string> namesOf(const SnapshotPager::Step& step) {
  std::vector<std::string> out;
  for (const auto& r : std::get<dns::ZoneSnapshot>(*step.done).records) out.push_back(r.data.name);
  return out;
}

TEST(SnapshotPagerTest, PagesAreJoinedAndAChangedVersionRestartsAtMostThreeTimes) {
  struct Case {
    const char* what;
    std::vector<Page> replies;        // what the store answers, in order
    std::vector<std::string> afters;  // the `after` of each query sent, in order
    uint64_t serial;                  // of the snapshot handed over
    std::vector<std::string> names;
  } cases[] = {
      {"one page", {{5, {"a", "b"}, ""}}, {""}, 5, {"a", "b"}},
      {"three pages",
       {{5, {"a"}, "ka"}, {5, {"b"}, "kb"}, {5, {"c"}, ""}},
       {"", "ka", "kb"},
       5,
       {"a", "b", "c"}},
      {"an empty zone", {{7, {}, ""}}, {""}, 7, {}},
      {"changed between pages: read again",
       {{5, {"a"}, "ka"}, {6, {"b"}, "kb"}, {6, {"a"}, "ka"}, {6, {"b"}, ""}},
       {"", "ka", "", "ka"},
       6,
       {"a", "b"}},
      {"changing on every page: the pages as they are after three restarts",
       {{1, {"a"}, "ka"},
        {2, {"b"}, ""},
        {2, {"a"}, "ka"},
        {3, {"b"}, ""},
        {3, {"a"}, "ka"},
        {4, {"b"}, ""},
        {4, {"a"}, "ka"},
        {5, {"b"}, ""}},
       {"", "ka", "", "ka", "", "ka", "", "ka"},
       4,
       {"a", "b"}},
  };
  for (const auto& c : cases) {
    SnapshotPager pager(2);
    PageQuery q = pager.start(11, "paged.test");
    std::vector<std::string> afters = {q.after};
    EXPECT_EQ(q.limit, 2u) << c.what;
    EXPECT_EQ(q.domain, "paged.test") << c.what;
    SnapshotPager::Step step;
    for (size_t i = 0; i < c.replies.size(); ++i) {
      ASSERT_TRUE(pager.owns(11)) << c.what << " reply " << i;
      Reply reply(11, "paged.test", c.replies[i]);
      step = pager.onReply(reply.reader());
      if (i + 1 < c.replies.size()) {
        ASSERT_TRUE(step.next) << c.what << " reply " << i;
        ASSERT_FALSE(step.done) << c.what << " reply " << i;
        afters.push_back(step.next->after);
      }
    }
    ASSERT_TRUE(step.done) << c.what;
    EXPECT_FALSE(step.next) << c.what;
    EXPECT_EQ(afters, c.afters) << c.what;
    EXPECT_EQ(std::get<dns::ZoneSnapshot>(*step.done).zone.serial, c.serial) << c.what;
    EXPECT_EQ(namesOf(step), c.names) << c.what;
    EXPECT_FALSE(pager.owns(11)) << c.what;
  }
}

TEST(SnapshotPagerTest, ErrorsEndTheFetchAndAskingAgainForgetsTheOldOne) {
  SnapshotPager pager(100);
  pager.start(1, "gone.test");
  Reply notFound(1, schema::ErrorKind::NOT_FOUND);
  auto step = pager.onReply(notFound.reader());
  ASSERT_TRUE(step.done);
  EXPECT_EQ(std::get<Error>(*step.done).kind, ErrorKind::kNotFound);
  EXPECT_FALSE(pager.owns(1));

  pager.start(2, "paged.test");
  pager.start(3, "paged.test");  // the renderer asked again (its query timed out)
  EXPECT_FALSE(pager.owns(2));
  EXPECT_TRUE(pager.owns(3));
  pager.start(4, "other.test");
  EXPECT_EQ(pager.inProgress(), 2u);
  Reply late(2, "paged.test", {5, {"a"}, ""});
  step = pager.onReply(late.reader());  // a late answer to the forgotten query
  EXPECT_FALSE(step.done);
  EXPECT_FALSE(step.next);
}

}  // namespace
}  // namespace zp::render
