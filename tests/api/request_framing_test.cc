// The request gate's parser (request_framing.h): good and broken requests side
// by side, each fed whole, split in two at every byte boundary, and one byte at
// a time (a connection's reads arrive in arbitrary chunks); what is handed on
// to Pistache and what is refused must not depend on the split.

#include "pipelines/api/request_framing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace zp::api {
namespace {

struct Case {
  const char* name;
  std::string input;
  std::string handedOn;  // what Pistache must see, in order
  int status;            // 0: no refusal; else the status of the refusal
};

std::string big(size_t n) { return std::string(n, 'a'); }

const std::string kGet = "GET /api/v1/dns-zones/?limit=5 HTTP/1.1\r\nHost: api\r\n\r\n";
const std::string kPost =
    "POST /api/v1/dns-zones/ HTTP/1.1\r\nContent-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 2\r\n\r\n{}";
const std::string kChunkedHead =
    "PUT /api/v1/dns-records/x/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
const std::string kChunked = kChunkedHead + "2\r\n{}\r\na\r\n0123456789\r\n0\r\n\r\n";

const Case kCases[] = {
    // good
    {"get", kGet, kGet, 0},
    {"post with a body, then a get", kPost + kGet, kPost + kGet, 0},
    {"chunked, then a get", kChunked + kGet, kChunked + kGet, 0},
    {"chunked with trailers", kChunkedHead + "2\r\n{}\r\n000\r\nX-Sum: 1\r\n\r\n" + kGet,
     kChunkedHead + "2\r\n{}\r\n0\r\n\r\n" + kGet, 0},
    {"empty lines before a request", "\r\n\r\n" + kGet, kGet, 0},
    {"http/1.0, quoted parameter, empty value",
     "GET / HTTP/1.0\r\nContent-Type: text/plain; a=\"b;\\\"c\"\r\nX-Empty:\r\n\r\n",
     "GET / HTTP/1.0\r\nContent-Type: text/plain; a=\"b;\\\"c\"\r\nX-Empty:\r\n\r\n", 0},
    {"content-length 0 and equal copies",
     "DELETE /x HTTP/1.1\r\nContent-Length: 0\r\ncontent-length: 0\r\n\r\n",
     "DELETE /x HTTP/1.1\r\nContent-Length: 0\r\ncontent-length: 0\r\n\r\n", 0},
    {"head at the limit", "GET /" + big(200) + " HTTP/1.1\r\n\r\n",
     "GET /" + big(200) + " HTTP/1.1\r\n\r\n", 0},
    // broken request lines
    {"empty target", "GET  HTTP/1.1\r\n\r\n", "", 400},
    {"lower-case method", "get / HTTP/1.1\r\n\r\n", "", 400},
    {"unknown method", "FROB / HTTP/1.1\r\n\r\n", "", 400},
    {"method with a bad byte", "G(T / HTTP/1.1\r\n\r\n", "", 400},
    {"space in the target", "GET /a b HTTP/1.1\r\n\r\n", "", 400},
    {"absolute-form target", "GET http://x/ HTTP/1.1\r\n\r\n", "", 400},
    {"control byte in the target", std::string("GET /a\x01 HTTP/1.1\r\n\r\n"), "", 400},
    {"non-ASCII byte in the target", "GET /\xc3\xa9 HTTP/1.1\r\n\r\n", "", 400},
    {"no version", "GET /\r\n\r\n", "", 400},
    {"http/2", "GET / HTTP/2.0\r\n\r\n", "", 400},
    {"bare LF", "GET / HTTP/1.1\nHost: x\n\n", "", 400},
    // broken headers
    {"no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", "", 400},
    {"space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", "", 400},
    {"folded header", "GET / HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\n", "", 400},
    {"control byte in a value", std::string("GET / HTTP/1.1\r\nX-A: 1\x7f\r\n\r\n"), "", 400},
    {"content-length -1", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "", 400},
    {"content-length +3", "POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc", "", 400},
    {"content-length list", "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n{}", "", 400},
    {"content-length int64 max", "POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n",
     "", 413},
    {"content-length 2^64", "POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", "",
     413},
    {"content-length over the body limit", "POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n", "",
     413},
    {"conflicting content-lengths",
     "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "", 400},
    {"gzip, chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "", 400},
    {"chunked twice",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "",
     400},
    {"chunked and content-length",
     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", "", 400},
    {"chunked on http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "", 400},
    {"unfinished content-type parameter",
     "POST / HTTP/1.1\r\nContent-Type: application/json; charset\r\n\r\n", "", 400},
    {"content-type without subtype", "POST / HTTP/1.1\r\nContent-Type: json\r\n\r\n", "", 400},
    {"unterminated quoted parameter", "POST / HTTP/1.1\r\nContent-Type: text/plain; a=\"b\r\n\r\n",
     "", 400},
    {"head over the limit", "GET /" + big(300) + " HTTP/1.1\r\n\r\n", "", 431},
    {"headers that never end", "GET / HTTP/1.1\r\nX-A: " + big(400), "", 431},
    // broken chunked bodies (the head was handed on already)
    {"chunk extension", kChunkedHead + "2;x=y\r\n{}\r\n0\r\n\r\n", kChunkedHead, 400},
    {"chunk size not hex", kChunkedHead + "zz\r\n", kChunkedHead, 400},
    {"chunk size too long", kChunkedHead + "1000000000000000\r\n", kChunkedHead, 400},
    {"chunk longer than its size", kChunkedHead + "1\r\n{}\r\n0\r\n\r\n", kChunkedHead + "1\r\n{",
     400},
    {"chunks over the body limit", kChunkedHead + "400\r\n" + big(1024) + "\r\n1\r\n",
     kChunkedHead + "400\r\n" + big(1024) + "\r\n", 413},
    // a good request, then a broken one on the same connection
    {"good then broken", kGet + "GET  HTTP/1.1\r\n\r\n", kGet, 400},
};

FramingLimits limits() {
  FramingLimits l;
  l.maxHead = 256;
  l.maxBody = 1024;
  return l;
}

struct Fed {
  std::string handedOn;
  std::vector<std::string> runs;
  std::optional<Refusal> refusal;
};

// Feeds `input` cut at `cuts` (ascending offsets).
Fed feed(const std::string& input, const std::vector<size_t>& cuts) {
  Fed out;
  RequestFramer framer(limits());
  const RequestFramer::Sink sink{[](void* c, std::string_view bytes) {
                                   auto* f = static_cast<Fed*>(c);
                                   f->handedOn.append(bytes);
                                   f->runs.emplace_back(bytes);
                                 },
                                 &out};
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (const size_t to : ends) {
    auto refused = framer.feed(std::string_view(input).substr(from, to - from), sink);
    if (refused && !out.refusal) out.refusal = refused;
    from = to;
  }
  return out;
}

void check(const Case& c, const Fed& fed, const std::string& how) {
  const std::string what = std::string(c.name) + " (" + how + ")";
  EXPECT_EQ(fed.handedOn, c.handedOn) << what;
  if (c.status == 0) {
    EXPECT_FALSE(fed.refusal) << what << ": " << fed.refusal->detail;
  } else {
    ASSERT_TRUE(fed.refusal) << what;
    EXPECT_EQ(fed.refusal->status, c.status) << what << ": " << fed.refusal->detail;
    const std::string_view code = c.status == 400   ? "parse_error"
                                  : c.status == 413 ? "payload_too_large"
                                                    : "headers_too_large";
    EXPECT_EQ(fed.refusal->code, code) << what;
    EXPECT_FALSE(fed.refusal->detail.empty()) << what;
  }
}

TEST(RequestFramer, GoodAndBrokenRequestsWholeAndSplitAtEveryByte) {
  for (const Case& c : kCases) {
    check(c, feed(c.input, {}), "whole");
    for (size_t cut = 1; cut < c.input.size(); ++cut) {
      check(c, feed(c.input, {cut}), "split at " + std::to_string(cut));
    }
    std::vector<size_t> every;
    for (size_t i = 1; i < c.input.size(); ++i) every.push_back(i);
    check(c, feed(c.input, every), "byte by byte");
  }
}

// Pistache's parser drops whatever follows a complete request in the same
// feed, so each hand-on holds at most one request.
TEST(RequestFramer, HandsOnOneRequestPerCall) {
  const std::string requests[] = {kPost, kGet, kChunked, kGet};
  std::string all;
  for (const auto& r : requests) all += r;
  const Fed fed = feed(all, {});
  EXPECT_EQ(fed.handedOn, all);
  std::vector<size_t> runEnds;
  size_t at = 0;
  for (const auto& run : fed.runs) runEnds.push_back(at += run.size());
  at = 0;
  for (const auto& r : requests) {
    at += r.size();
    EXPECT_NE(std::find(runEnds.begin(), runEnds.end(), at), runEnds.end())
        << "a hand-on spans the end of the request ending at " << at;
  }
  EXPECT_EQ(fed.runs.front(), kPost);
}

TEST(RequestFramer, RefusesEverythingAfterARefusal) {
  RequestFramer framer(limits());
  std::string handedOn;
  const RequestFramer::Sink sink{
      [](void* c, std::string_view b) { static_cast<std::string*>(c)->append(b); }, &handedOn};
  ASSERT_TRUE(framer.feed("get / HTTP/1.1\r\n\r\n", sink));
  EXPECT_TRUE(framer.feed(kGet, sink));
  EXPECT_EQ(handedOn, "");
  EXPECT_FALSE(framer.midRequest());
}

TEST(RequestFramer, MidRequestIsTrueOnlyBetweenARequestsFirstAndLastByte) {
  RequestFramer framer(limits());
  const RequestFramer::Sink sink{[](void*, std::string_view) {}, nullptr};
  EXPECT_FALSE(framer.midRequest());
  ASSERT_FALSE(framer.feed(kPost.substr(0, 10), sink));
  EXPECT_TRUE(framer.midRequest());
  ASSERT_FALSE(framer.feed(kPost.substr(10, kPost.size() - 11), sink));
  EXPECT_TRUE(framer.midRequest());  // one body byte to come
  ASSERT_FALSE(framer.feed(kPost.substr(kPost.size() - 1), sink));
  EXPECT_FALSE(framer.midRequest());
}

}  // namespace
}  // namespace zp::api
