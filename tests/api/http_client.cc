#include "tests/api/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace zp::api::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Closes the socket on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int msLeft(Clock::time_point end) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

void waitFor(int fd, short events, Clock::time_point end) {
  pollfd p{fd, events, 0};
  const int n = ::poll(&p, 1, msLeft(end));
  if (n == 0) throw std::runtime_error("HTTP request: deadline passed");
  if (n < 0 && errno != EINTR) throw std::runtime_error("HTTP request: poll failed");
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

}  // namespace

std::string HttpReply::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? "" : it->second;
}

HttpReply httpRequest(uint16_t port, std::string_view method, std::string_view target,
                      std::string_view body, std::string_view token,
                      std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) throw std::runtime_error("HTTP request: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("HTTP request: cannot connect to port " + std::to_string(port) + ": " +
                             std::strerror(errno));
  }

  std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  request += "Host: 127.0.0.1\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + std::string(token) + "\r\n";
  const bool sendsBody = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (sendsBody) {
    request += "Content-Type: application/json\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  size_t sent = 0;
  while (sent < request.size()) {
    waitFor(fd.get(), POLLOUT, end);
    const ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw std::runtime_error("HTTP request: send failed");
    }
    sent += static_cast<size_t>(n);
  }

  std::string in;
  HttpReply reply;
  size_t headerEnd = std::string::npos;
  size_t contentLength = 0;
  for (;;) {
    if (headerEnd == std::string::npos) {
      headerEnd = in.find("\r\n\r\n");
      if (headerEnd != std::string::npos) {
        const std::string head = in.substr(0, headerEnd);
        size_t lineEnd = head.find("\r\n");
        const std::string statusLine = head.substr(0, lineEnd);
        if (statusLine.rfind("HTTP/1.1 ", 0) != 0 || statusLine.size() < 12) {
          throw std::runtime_error("HTTP request: bad status line: " + statusLine);
        }
        reply.status = std::stoi(statusLine.substr(9, 3));
        while (lineEnd != std::string::npos) {
          const size_t start = lineEnd + 2;
          lineEnd = head.find("\r\n", start);
          const std::string line = head.substr(start, lineEnd - start);
          const size_t colon = line.find(':');
          if (colon == std::string::npos) continue;
          reply.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
        }
        const std::string length = reply.header("content-length");
        contentLength = length.empty() || method == "HEAD" ? 0 : std::stoul(length);
      }
    }
    if (headerEnd != std::string::npos && in.size() >= headerEnd + 4 + contentLength) {
      reply.body = in.substr(headerEnd + 4, contentLength);
      return reply;
    }
    waitFor(fd.get(), POLLIN, end);
    char buffer[16384];
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n == 0) throw std::runtime_error("HTTP request: the server closed before answering");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw std::runtime_error("HTTP request: recv failed");
    }
    in.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace zp::api::testing
