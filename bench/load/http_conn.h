#pragma once
// A minimal HTTP/1.1 client for the load generator: one keep-alive TCP
// connection to 127.0.0.1:PORT, raw sockets, no pipelining (Pistache drops
// pipelined requests). One thread owns a connection; it is not thread-safe.
// A connection that breaks is reopened on the next request. Transport
// failures (refused, reset, timeout, malformed response) are Error values of
// kind kUnavailable; nothing here throws for a misbehaving server.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace zp::bench {

struct HttpReply {
  int status = 0;
  std::string body;
  bool serverCloses = false;  // the server sent `Connection: close`
};

// The outcome of parsing the start of a receive buffer.
struct ParsedReply {
  bool complete = false;  // false: more bytes are needed
  size_t consumed = 0;    // bytes of the buffer this response occupies (when complete)
  HttpReply reply;
};

// Parses one HTTP/1.1 response at the start of `buf` (Content-Length or
// chunked bodies; 1xx, 204 and 304 have none). A malformed response or one
// whose end cannot be determined is an Error.
Result<ParsedReply> parseHttpReply(std::string_view buf);

// The bytes of one request with `Connection: keep-alive` (and a JSON body and
// bearer token when not empty).
std::string buildRequest(std::string_view method, std::string_view path, std::string_view token,
                         std::string_view body, uint16_t port);

class HttpConn {
 public:
  HttpConn(uint16_t port, std::chrono::milliseconds timeout);
  ~HttpConn();
  HttpConn(const HttpConn&) = delete;
  HttpConn& operator=(const HttpConn&) = delete;

  // Sends `request` (from buildRequest) and reads its response, connecting
  // first if needed. On any error the connection is closed.
  Result<HttpReply> exchange(const std::string& request);

  // How many TCP connections this object opened (1 for a healthy run).
  int connects() const { return connects_; }

 private:
  Status open();
  void close();

  uint16_t port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  int connects_ = 0;
  std::string buf_;
};

}  // namespace zp::bench
