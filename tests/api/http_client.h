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

// One raw TCP connection to 127.0.0.1:port for tests of HTTP framing: sends
// bytes exactly as given and reads answers one at a time (keep-alive), each
// call under its own deadline. Throws std::runtime_error like httpRequest.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void send(std::string_view bytes,
            std::chrono::milliseconds deadline = std::chrono::milliseconds(10000));
  // The next answer (`head`: the request was HEAD, no body to read).
  HttpReply read(bool head = false,
                 std::chrono::milliseconds deadline = std::chrono::milliseconds(10000));
  // True when the server closed its sending side (EOF) before `deadline`,
  // with no further answer bytes; false when the deadline passed first.
  bool closedByServer(std::chrono::milliseconds deadline = std::chrono::milliseconds(10000));

 private:
  int fd_;
  std::string in_;  // bytes read and not yet consumed
};

}  // namespace zp::api::testing
