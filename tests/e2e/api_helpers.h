#pragma once
// Shared pieces of the over-HTTP API tests (tests/e2e/api_*_test.cc): one
// real pipeline per test suite (tests/e2e/harness.h), users with their own
// tokens, JSON helpers, a small thread-safe HTTP client for concurrent tests,
// and a dig that also reports TTLs and the AUTHORITY section (delegations).
// Everything here runs on the test thread unless it says otherwise.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/harness.h"

namespace zp::e2e::api {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

inline constexpr milliseconds kDnsDeadline{30000};  // commit -> named serving, generously
inline const std::string kZones = "/api/v1/dns-zones/";
inline const std::string kRecords = "/api/v1/dns-records/";

inline rapidjson::Document parseJson(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  if (d.HasParseError()) {
    throw std::runtime_error("response (status " + std::to_string(r.status) + ") is not JSON: " +
                             rapidjson::GetParseError_En(d.GetParseError()) + ": " + r.body);
  }
  return d;
}

inline std::string str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key) || !obj[key].IsString()) {
    return "<missing " + std::string(key) + ">";
  }
  return obj[key].GetString();
}

// An integer member, or -1 when absent/null/not an integer.
inline int64_t num(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key) || !obj[key].IsInt64()) return -1;
  return obj[key].GetInt64();
}

inline std::set<std::string> memberNames(const rapidjson::Value& obj) {
  std::set<std::string> out;
  if (!obj.IsObject()) return out;
  for (const auto& m : obj.GetObject()) out.insert(m.name.GetString());
  return out;
}

// The error body of API.md: {"detail", "error_code", "field"?}.
struct ApiError {
  int status = 0;
  std::string errorCode;
  std::string field;
  std::string detail;
};

inline ApiError apiError(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  ApiError e;
  e.status = r.status;
  if (d.HasParseError() || !d.IsObject()) {
    ADD_FAILURE() << "error response (status " << r.status << ") is not a JSON object: " << r.body;
    return e;
  }
  EXPECT_TRUE(d.HasMember("detail") && d["detail"].IsString()) << r.body;
  EXPECT_NE(r.header("content-type").find("application/json"), std::string::npos)
      << "errors are JSON; content-type was " << r.header("content-type");
  e.errorCode = str(d, "error_code");
  e.field = d.HasMember("field") ? str(d, "field") : "";
  e.detail = str(d, "detail");
  return e;
}

// A JSON string literal for any bytes: quotes, backslashes and control
// characters escaped; other bytes (including invalid UTF-8) copied as they are.
inline std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// {"record_type", "name", "value"} plus raw `extra` members (", \"ttl\": 60").
inline std::string recordJson(const std::string& type, const std::string& name,
                              const std::string& value, const std::string& extra = "") {
  return R"({"record_type": )" + jsonString(type) + R"(, "name": )" + jsonString(name) +
         R"(, "value": )" + jsonString(value) + extra + "}";
}

inline std::string joined(const Strings& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " | ") + s;
  return "[" + out + "]";
}

// How dig prints a character-string's bytes inside its quotes.
inline std::string digEscaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u > 0x7e) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03u", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// The TXT rdata dig shows for `text`: 255-octet strings, each quoted.
inline std::string digTxt(const std::string& text) {
  std::string out;
  for (size_t at = 0; at < text.size() || at == 0; at += 255) {
    if (!out.empty()) out += ' ';
    out += '"' + digEscaped(text.substr(at, 255)) + '"';
    if (text.empty()) break;
  }
  return out;
}

// One resource record as dig printed it.
struct DnsRow {
  std::string section;  // "answer" or "authority"
  std::string owner;    // absolute, lower-case, with trailing dot
  long ttl = -1;
  std::string type;
  std::string rdata;
};

// A TCP client for the API that owns nothing shared: safe to use from many
// threads at once (one connection per request). Throws on connection failures.
inline HttpResponse httpTo(uint16_t port, const std::string& method, const std::string& path,
                           const std::string& body, const std::string& token) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    throw std::runtime_error("connect to the API failed");
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  for (size_t sent = 0; sent < req.size();) {
    const ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n < 0) throw std::runtime_error("send to the API failed");
    sent += static_cast<size_t>(n);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string buf;
  HttpResponse resp;
  size_t headEnd = std::string::npos;
  size_t want = std::string::npos;
  while (true) {
    if (headEnd == std::string::npos && (headEnd = buf.find("\r\n\r\n")) != std::string::npos) {
      std::istringstream head(buf.substr(0, headEnd));
      std::string line;
      std::getline(head, line);
      if (line.size() < 12) throw std::runtime_error("malformed status line: " + line);
      resp.status = std::stoi(line.substr(9, 3));
      while (std::getline(head, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        resp.headers[name] = value;
      }
      want = resp.status == 204 ? 0
                                : std::stoul(resp.header("content-length").empty()
                                                 ? std::string("0")
                                                 : resp.header("content-length"));
    }
    if (headEnd != std::string::npos && buf.size() - headEnd - 4 >= want) {
      resp.body = buf.substr(headEnd + 4, want);
      return resp;
    }
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error(method + " " + path + ": no answer in 30 s");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[8192];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) throw std::runtime_error(method + " " + path + ": connection closed early");
    buf.append(chunk, static_cast<size_t>(n));
  }
}

// A fixture with one pipeline shared by all tests of the suite (booting one
// takes seconds). Tests keep out of each other's way by using their own users
// and zones (uniqueName()).
class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      stack_ = std::make_unique<Stack>();
    } catch (const std::exception& e) {
      bootError_ = e.what();
    }
  }
  static void TearDownTestSuite() { stack_.reset(); }
  void SetUp() override {
    if (!stack_) GTEST_FAIL() << "the pipeline did not start: " << bootError_;
  }
  void TearDown() override {
    if (HasFailure() && stack_) stack_->dumpLogs(30);
  }

  Stack& stack() { return *stack_; }
  const std::string& admin() { return stack_->token(); }

  // A name no other test of this process uses ("t7-<what>").
  static std::string uniqueName(const std::string& what) {
    static std::atomic<int> counter{0};
    return "t" + std::to_string(++counter) + "-" + what;
  }

  // A token for `user` with `permissions` ("dns:list,dns:read"), via the admin CLI.
  std::string tokenFor(const std::string& user, const std::string& permissions) {
    auto created = stack_->cli({"token", "create", "--user", user, "--permissions", permissions});
    EXPECT_EQ(created.exitCode, 0) << created.err;
    std::string t = created.out.substr(0, created.out.find('\n'));
    EXPECT_EQ(t.rfind("vps_", 0), 0u) << created.out << created.err;
    return t;
  }

  HttpResponse call(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& token = "") {
    return stack_->http(method, path, body, token);
  }

  // POSTs a zone as `token` and returns its uuid ("" and a test failure on
  // anything but 201).
  std::string createZone(const std::string& domain, const std::string& token = "") {
    auto r = call("POST", kZones, R"({"domain": )" + jsonString(domain) + "}",
                  token.empty() ? admin() : token);
    EXPECT_EQ(r.status, 201) << domain << ": " << r.body;
    if (r.status != 201) return "";
    return str(parseJson(r), "uuid");
  }

  // POSTs a record; returns the response.
  HttpResponse postRecord(const std::string& zone, const std::string& body,
                          const std::string& token = "") {
    return call("POST", kZones + zone + "/records/", body, token.empty() ? admin() : token);
  }

  // POSTs a record that must be created; returns its uuid.
  std::string createRecord(const std::string& zone, const std::string& body,
                           const std::string& token = "") {
    auto r = postRecord(zone, body, token);
    EXPECT_EQ(r.status, 201) << body << " -> " << r.body;
    if (r.status != 201) return "";
    return str(parseJson(r), "uuid");
  }

  // dig @named with TTLs and the AUTHORITY section (for delegations).
  std::vector<DnsRow> digRows(const std::string& name, const std::string& type) {
    auto r = runCommand(
        {"dig", "@127.0.0.1", "-p", std::to_string(stack_->dnsPort()), "+norec", "+time=2",
         "+tries=1", "+noall", "+answer", "+authority", "+nocomments", "+nottlunits", name, type},
        milliseconds(10000));
    std::vector<DnsRow> rows;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == ';') continue;
      std::istringstream fields(line);
      DnsRow row;
      std::string klass;
      if (!(fields >> row.owner >> row.ttl >> klass >> row.type)) continue;
      for (char& c : row.owner) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::getline(fields, row.rdata);
      while (!row.rdata.empty() && std::isspace(static_cast<unsigned char>(row.rdata.front()))) {
        row.rdata.erase(0, 1);
      }
      rows.push_back(row);
    }
    return rows;
  }

  // Polls named until name/type answers exactly `want` (sorted comparison).
  bool servedAs(const std::string& name, const std::string& type, Strings want,
                Strings* last = nullptr) {
    std::sort(want.begin(), want.end());
    Strings seen;
    const bool ok = Stack::waitFor(
        [&] {
          seen = stack_->dig(name, type);
          std::sort(seen.begin(), seen.end());
          return seen == want;
        },
        kDnsDeadline);
    if (last) *last = seen;
    return ok;
  }

  // The zone's SOA serial as named serves it (0 when none).
  uint64_t servedSerial(const std::string& domain) {
    auto soa = stack_->dig(domain, "SOA");
    if (soa.size() != 1) return 0;
    std::istringstream in(soa[0]);
    std::string mname, rname;
    uint64_t serial = 0;
    in >> mname >> rname >> serial;
    return serial;
  }

  // Waits until named serves the serial the API reports for the zone; returns it.
  uint64_t waitDeployed(const std::string& zone, const std::string& domain) {
    auto detail = call("GET", kZones + zone + "/", "", admin());
    EXPECT_EQ(detail.status, 200) << detail.body;
    if (detail.status != 200) return 0;
    const int64_t serial = num(parseJson(detail), "serial");
    EXPECT_GT(serial, 0) << "the zone detail should carry the SOA serial: " << detail.body;
    uint64_t served = 0;
    const bool ok = Stack::waitFor(
        [&] {
          served = servedSerial(domain);
          return served == static_cast<uint64_t>(serial);
        },
        kDnsDeadline);
    EXPECT_TRUE(ok) << domain << ": named serves serial " << served << ", the API says " << serial;
    return served;
  }

  inline static std::unique_ptr<Stack> stack_;
  inline static std::string bootError_;
};

}  // namespace zp::e2e::api
