#pragma once
// The malformed requests of issue 12 ("every answer is the documented JSON,
// even for broken HTTP") with the answer each must get from the request gate
// (pipelines/api/http_gate.h): one table for the server test
// (tests/api/server_test.cc) and the end-to-end test
// (tests/e2e/api_broken_http_test.cc).

#include <string>
#include <vector>

namespace zp::api::testing {

struct BrokenHttpCase {
  const char* what;
  std::string raw;   // the bytes sent on a fresh connection
  int status;        // the JSON error's HTTP status
  const char* code;  // its error_code
};

inline std::vector<BrokenHttpCase> brokenHttpCases() {
  return {
      {"empty target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "parse_error"},
      {"Content-Length -1", "POST /api/v1/dns-zones/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400,
       "parse_error"},
      {"Content-Length 2^63-1",
       "POST /api/v1/dns-zones/ HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n", 413,
       "payload_too_large"},
      {"Content-Length 2^64",
       "POST /api/v1/dns-zones/ HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", 413,
       "payload_too_large"},
      {"gzip, chunked",
       "POST /api/v1/dns-zones/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400,
       "parse_error"},
      {"unknown method", "BREW /api/v1/dns-zones/ HTTP/1.1\r\n\r\n", 400, "parse_error"},
      {"lower-case method", "get /api/v1/dns-zones/ HTTP/1.1\r\n\r\n", 400, "parse_error"},
      {"space in the path", "GET /api/v1/dns zones/ HTTP/1.1\r\n\r\n", 400, "parse_error"},
      {"space in the query", "GET /api/v1/dns-zones/?domain=a b HTTP/1.1\r\n\r\n", 400,
       "parse_error"},
      {"unfinished Content-Type parameter",
       "POST /api/v1/dns-zones/ HTTP/1.1\r\nContent-Type: application/json; charset\r\n"
       "Content-Length: 2\r\n\r\n{}",
       400, "parse_error"},
      {"Content-Type parameter without a value",
       "POST /api/v1/dns-zones/ HTTP/1.1\r\nContent-Type: application/json; charset=\r\n"
       "Content-Length: 2\r\n\r\n{}",
       400, "parse_error"},
      {"bare LF", "GET /api/v1/openapi.json HTTP/1.1\nHost: a\n\n", 400, "parse_error"},
      {"headers over the limit", "GET / HTTP/1.1\r\nX-A: " + std::string(40000, 'a') + "\r\n\r\n",
       431, "headers_too_large"},
  };
}

}  // namespace zp::api::testing
