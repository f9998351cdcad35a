#include "bench/load/http_conn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace zp::bench {
namespace {

using Clock = std::chrono::steady_clock;

Error unavailable(std::string detail) { return {ErrorKind::kUnavailable, "", std::move(detail)}; }

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Parses a whole string as an unsigned number in `base`; false on junk.
bool parseNumber(std::string_view s, size_t& out, int base) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<ParsedReply> parseHttpReply(std::string_view buf) {
  ParsedReply p;
  const size_t headEnd = buf.find("\r\n\r\n");
  if (headEnd == std::string_view::npos) {
    if (buf.size() > 64 * 1024) return unavailable("response header larger than 64 KiB");
    return p;
  }
  std::string_view head = buf.substr(0, headEnd);
  const size_t lineEnd = head.find("\r\n");
  const std::string_view statusLine = head.substr(0, lineEnd);
  size_t status = 0;
  if (statusLine.size() < 12 || statusLine.substr(0, 7) != "HTTP/1." || statusLine[8] != ' ' ||
      !parseNumber(statusLine.substr(9, 3), status, 10) || status < 100 || status > 999) {
    return unavailable("malformed status line: " + std::string(statusLine.substr(0, 80)));
  }
  p.reply.status = static_cast<int>(status);

  bool haveLength = false, chunked = false;
  size_t length = 0;
  std::string_view rest = lineEnd == std::string_view::npos ? "" : head.substr(lineEnd + 2);
  while (!rest.empty()) {
    const size_t eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? "" : rest.substr(eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return unavailable("header line without a colon");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (equalsNoCase(name, "content-length")) {
      if (!parseNumber(value, length, 10)) return unavailable("bad Content-Length");
      haveLength = true;
    } else if (equalsNoCase(name, "transfer-encoding")) {
      chunked = equalsNoCase(value, "chunked");
    } else if (equalsNoCase(name, "connection")) {
      p.reply.serverCloses = equalsNoCase(value, "close");
    }
  }

  const size_t bodyStart = headEnd + 4;
  if (status < 200 || status == 204 || status == 304) {
    p.complete = true;
    p.consumed = bodyStart;
    return p;
  }
  if (chunked) {
    size_t pos = bodyStart;
    std::string body;
    while (true) {
      const size_t eol = buf.find("\r\n", pos);
      if (eol == std::string_view::npos) return p;
      std::string_view sizeText = buf.substr(pos, eol - pos);
      sizeText = sizeText.substr(0, sizeText.find(';'));  // chunk extensions
      size_t size = 0;
      if (!parseNumber(trim(sizeText), size, 16)) return unavailable("bad chunk size");
      if (size == 0) {
        const size_t end = buf.find("\r\n", eol + 2);  // no trailers expected: "0\r\n\r\n"
        if (end == std::string_view::npos) return p;
        p.complete = true;
        p.consumed = end + 2;
        p.reply.body = std::move(body);
        return p;
      }
      if (buf.size() < eol + 2 + size + 2) return p;
      body.append(buf.substr(eol + 2, size));
      pos = eol + 2 + size + 2;
    }
  }
  if (!haveLength) return unavailable("response has neither Content-Length nor chunked body");
  if (buf.size() - bodyStart < length) return p;
  p.complete = true;
  p.consumed = bodyStart + length;
  p.reply.body = std::string(buf.substr(bodyStart, length));
  return p;
}

std::string buildRequest(std::string_view method, std::string_view path, std::string_view token,
                         std::string_view body, uint16_t port) {
  std::string r;
  r.reserve(256 + body.size());
  r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:");
  r.append(std::to_string(port)).append("\r\nConnection: keep-alive\r\n");
  if (!token.empty()) r.append("Authorization: Bearer ").append(token).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    r.append("Content-Type: application/json\r\nContent-Length: ");
    r.append(std::to_string(body.size())).append("\r\n");
  }
  r.append("\r\n").append(body);
  return r;
}

HttpConn::HttpConn(uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {}

HttpConn::~HttpConn() { close(); }

void HttpConn::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

Status HttpConn::open() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return unavailable(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port_);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    close();
    return unavailable("connect 127.0.0.1:" + std::to_string(port_) + ": " + std::strerror(e));
  }
  ++connects_;
  return std::nullopt;
}

Result<HttpReply> HttpConn::exchange(const std::string& request) {
  if (fd_ < 0) {
    if (auto failed = open()) return *failed;
  }
  const auto deadline = Clock::now() + timeout_;
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      close();
      return unavailable(std::string("send: ") + std::strerror(e));
    }
    sent += static_cast<size_t>(n);
  }
  char chunk[16384];
  while (true) {
    auto parsed = parseHttpReply(buf_);
    if (!parsed.ok()) {
      close();
      return parsed.error();
    }
    if (parsed->complete) {
      HttpReply reply = std::move(parsed.value().reply);
      buf_.erase(0, parsed->consumed);
      return reply;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      close();
      return unavailable("no complete response within " + std::to_string(timeout_.count()) + " ms");
    }
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) {
      const int e = errno;
      close();
      return unavailable(std::string("poll: ") + std::strerror(e));
    }
    if (ready <= 0) continue;
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buf_.append(chunk, static_cast<size_t>(n));
    } else if (n == 0) {
      close();
      return unavailable("the server closed the connection before a complete response");
    } else if (errno != EINTR && errno != EAGAIN) {
      const int e = errno;
      close();
      return unavailable(std::string("recv: ") + std::strerror(e));
    }
  }
}

}  // namespace zp::bench
