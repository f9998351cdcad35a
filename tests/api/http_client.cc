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
  RawConnection connection(port);
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
  connection.send(request, deadline);
  return connection.read(method == "HEAD", std::chrono::milliseconds(msLeft(end)));
}

RawConnection::RawConnection(uint16_t port)
    : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (fd_ < 0) throw std::runtime_error("HTTP request: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("HTTP request: cannot connect to port " + std::to_string(port) + ": " +
                             why);
  }
}

RawConnection::~RawConnection() { ::close(fd_); }

void RawConnection::send(std::string_view bytes, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  size_t sent = 0;
  while (sent < bytes.size()) {
    waitFor(fd_, POLLOUT, end);
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw std::runtime_error("HTTP request: send failed");
    }
    sent += static_cast<size_t>(n);
  }
}

HttpReply RawConnection::read(bool head, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  HttpReply reply;
  size_t headerEnd = std::string::npos;
  size_t contentLength = 0;
  for (;;) {
    if (headerEnd == std::string::npos) {
      headerEnd = in_.find("\r\n\r\n");
      if (headerEnd != std::string::npos) {
        const std::string headText = in_.substr(0, headerEnd);
        size_t lineEnd = headText.find("\r\n");
        const std::string statusLine = headText.substr(0, lineEnd);
        if (statusLine.rfind("HTTP/1.1 ", 0) != 0 || statusLine.size() < 12) {
          throw std::runtime_error("HTTP request: bad status line: " + statusLine);
        }
        reply.status = std::stoi(statusLine.substr(9, 3));
        while (lineEnd != std::string::npos) {
          const size_t start = lineEnd + 2;
          lineEnd = headText.find("\r\n", start);
          const std::string line = headText.substr(start, lineEnd - start);
          const size_t colon = line.find(':');
          if (colon == std::string::npos) continue;
          reply.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
        }
        const std::string length = reply.header("content-length");
        contentLength = length.empty() || head ? 0 : std::stoul(length);
      }
    }
    if (headerEnd != std::string::npos && in_.size() >= headerEnd + 4 + contentLength) {
      reply.body = in_.substr(headerEnd + 4, contentLength);
      in_.erase(0, headerEnd + 4 + contentLength);
      return reply;
    }
    waitFor(fd_, POLLIN, end);
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) throw std::runtime_error("HTTP request: the server closed before answering");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw std::runtime_error("HTTP request: recv failed");
    }
    in_.append(buffer, static_cast<size_t>(n));
  }
}

bool RawConnection::closedByServer(std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, msLeft(end)) == 0) return false;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return in_.empty();
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return in_.empty();  // a reset also ends the connection
    }
    in_.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace zp::api::testing
