#pragma once
// A minimal blocking HTTP/1.1 client for the API's unit tests: one request per
// connection to 127.0.0.1, answer read by Content-Length (Pistache does not
// close connections), everything under a deadline. Throws std::runtime_error
// when the server does not answer in time or the answer is malformed, so a
// broken server fails the test instead of hanging it. Not thread-safe per call
// site; independent calls may run on different threads.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace zp::api::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The value of a header (lower-case name), "" when absent.
  std::string header(const std::string& lowerName) const;
};

// Sends `method target` with `body` (Content-Length always sent when the body
// is non-empty or the method is POST/PUT/PATCH) and `Authorization: Bearer
// token` when `token` is non-empty. For HEAD no body is read.
HttpReply httpRequest(uint16_t port, std::string_view method, std::string_view target,
                      std::string_view body = "", std::string_view token = "",
                      std::chrono::milliseconds deadline = std::chrono::milliseconds(10000));

}  // namespace zp::api::testing
