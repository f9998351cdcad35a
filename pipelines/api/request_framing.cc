#include "pipelines/api/request_framing.h"

#include "pipelines/api/errors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string>

namespace zp::api {
namespace {

constexpr std::string_view kLastChunk = "0\r\n\r\n";
constexpr size_t kMaxChunkLine = 32;  // "FFFFFFFFFFFFFFF\r\n" and then some

Refusal parseError(std::string detail) {
  return {httpStatus(ErrorKind::kParse), errorCode(ErrorKind::kParse), std::move(detail)};
}

Refusal bodyTooLarge(std::string detail) {
  return {httpStatus(ErrorKind::kPayloadTooLarge), errorCode(ErrorKind::kPayloadTooLarge),
          std::move(detail)};
}

Refusal headersTooLarge(std::string detail) {
  return {431, kHeadersTooLargeCode, std::move(detail)};
}

// A client's bytes shown in a detail: printable ASCII, at most 40 characters.
std::string shown(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7F) ? c : '?';
  }
  if (text.size() > 40) out += "...";
  return out;
}

// RFC 9110 section 5.6.2: tchar.
constexpr std::array<bool, 256> kTchars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool isTchar(char c) { return kTchars[static_cast<unsigned char>(c)]; }

bool isToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), isTchar); }

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 section 8.3.1: type "/" subtype *( OWS ";" OWS [ parameter ] ),
// parameter = token "=" ( token / quoted-string ).
bool isMediaType(std::string_view v) {
  size_t i = 0;
  auto token = [&] {
    const size_t start = i;
    while (i < v.size() && isTchar(v[i])) ++i;
    return i > start;
  };
  auto ows = [&] {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  };
  if (!token() || i >= v.size() || v[i++] != '/' || !token()) return false;
  for (;;) {
    ows();
    if (i == v.size()) return true;
    if (v[i++] != ';') return false;
    ows();
    if (i == v.size() || v[i] == ';') continue;
    if (!token() || i >= v.size() || v[i++] != '=') return false;
    if (i < v.size() && v[i] == '"') {
      for (++i;; ++i) {
        if (i >= v.size()) return false;
        if (v[i] == '\\') {
          if (++i >= v.size()) return false;
        } else if (v[i] == '"') {
          ++i;
          break;
        }
      }
    } else if (!token()) {
      return false;
    }
  }
}

std::optional<Refusal> parseRequestLine(std::string_view line, RequestHead& head) {
  // Built only for a refusal (the good path allocates nothing).
  auto form = [line] {
    return "; a request line is `METHOD /path HTTP/1.1` with single spaces (got `" + shown(line) +
           "`)";
  };
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) {
    return parseError("the request line has no request target or no HTTP version" + form());
  }
  head.method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!isToken(head.method)) {
    return parseError("the method `" + shown(head.method) + "` is not an HTTP method token" +
                      form());
  }
  if (std::find(std::begin(kMethods), std::end(kMethods), head.method) == std::end(kMethods)) {
    return parseError("unknown method `" + shown(head.method) +
                      "`; methods are case-sensitive: use GET, HEAD, POST, PUT, PATCH, DELETE or "
                      "OPTIONS");
  }
  if (target.empty()) {
    return parseError("the request target is empty; send a path such as /api/v1/dns-zones/" +
                      form());
  }
  if (target.find(' ') != std::string_view::npos) {
    return parseError("the request target `" + shown(target) +
                      "` contains a space; percent-encode it as %20");
  }
  if (target.front() != '/') {
    return parseError("the request target `" + shown(target) +
                      "` is not a path starting with `/` (origin-form, RFC 9112 section 3.2.1)");
  }
  for (size_t i = 0; i < target.size(); ++i) {
    const auto u = static_cast<unsigned char>(target[i]);
    if (u <= 0x20 || u >= 0x7F) {
      return parseError("the request target `" + shown(target) +
                        "` contains a control character or a non-ASCII byte at offset " +
                        std::to_string(i) + "; percent-encode it");
    }
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return parseError("unsupported HTTP version `" + shown(version) + "`; send HTTP/1.1" + form());
  }
  return std::nullopt;
}

// Sets head.contentLength from one Content-Length value; `seen` says whether
// an earlier copy was read.
std::optional<Refusal> readContentLength(std::string_view value, bool seen, RequestHead& head,
                                         const FramingLimits& limits) {
  if (value.empty() ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return parseError("Content-Length `" + shown(value) +
                      "` is not a number of bytes (digits only, one value)");
  }
  uint64_t n = 0;
  bool tooLarge = false;
  for (const char c : value) {
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > limits.maxBody) tooLarge = true;
    if (tooLarge) break;
  }
  if (seen && (tooLarge || n != head.contentLength)) {
    return parseError("the request has two different Content-Length headers; send one");
  }
  if (tooLarge) {
    return bodyTooLarge("request body is larger than the limit of " +
                        std::to_string(limits.maxBody) + " bytes (Content-Length " + shown(value) +
                        ")");
  }
  head.contentLength = n;
  return std::nullopt;
}

}  // namespace

std::optional<Refusal> parseHead(std::string_view text, const FramingLimits& limits,
                                 RequestHead& head) {
  head = RequestHead{};
  size_t eol = text.find("\r\n");
  if (auto refused = parseRequestLine(text.substr(0, eol), head)) return refused;
  bool http10 = text.substr(0, eol).ends_with("HTTP/1.0");
  bool lengthSeen = false;
  bool encodingSeen = false;
  for (size_t start = eol + 2; start < text.size(); start = eol + 2) {
    eol = text.find("\r\n", start);
    const std::string_view line = text.substr(start, eol - start);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      return parseError(
          "a header line starts with whitespace (obsolete line folding, RFC 9112 "
          "section 5.2); send each header on one line");
    }
    const size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || !isToken(name)) {
      return parseError("the header line `" + shown(line) +
                        "` is not `Name: value` (a token name, no space before the colon)");
    }
    const std::string_view value = trimOws(line.substr(colon + 1));
    for (const char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7F) {
        return parseError("the header `" + shown(name) + "` contains a control character");
      }
    }
    if (equalsNoCase(name, "content-length")) {
      if (auto e = readContentLength(value, lengthSeen, head, limits)) return e;
      lengthSeen = true;
    } else if (equalsNoCase(name, "transfer-encoding")) {
      if (encodingSeen || !equalsNoCase(value, "chunked")) {
        return parseError("Transfer-Encoding `" + shown(value) +
                          "` is not supported: send the body with Content-Length, or with "
                          "`Transfer-Encoding: chunked` alone");
      }
      encodingSeen = true;
      head.chunked = true;
    } else if (equalsNoCase(name, "content-type") && !isMediaType(value)) {
      return parseError("Content-Type `" + shown(value) +
                        "` is not a media type: type/subtype, then `; name=value` parameters "
                        "(send application/json)");
    }
  }
  if (head.chunked && lengthSeen) {
    return parseError("the request has both Content-Length and Transfer-Encoding; send one");
  }
  if (head.chunked && http10) {
    return parseError("Transfer-Encoding is not allowed in HTTP/1.0; send Content-Length");
  }
  if (head.chunked) head.contentLength = 0;
  return std::nullopt;
}

namespace {

// Hands on in[runStart, pos) and moves runStart to pos.
void handOn(std::string_view in, size_t& runStart, size_t pos, RequestFramer::Sink sink) {
  if (pos > runStart) sink.pass(sink.context, in.substr(runStart, pos - runStart));
  runStart = pos;
}

}  // namespace

std::optional<Refusal> RequestFramer::refuse(Refusal refusal) {
  state_ = State::kRefused;
  head_.clear();
  head_.shrink_to_fit();
  line_.clear();
  refusal_ = std::move(refusal);
  return refusal_;
}

std::optional<Refusal> RequestFramer::feed(std::string_view in, Sink sink) {
  if (state_ == State::kRefused) return refusal_;
  size_t pos = 0;
  size_t runStart = 0;  // in[runStart, pos): good bytes not yet handed on
  while (pos < in.size()) {
    std::optional<Refusal> refused;
    const size_t stepStart = pos;
    switch (state_) {
      case State::kHead:
        refused = readHead(in, pos, runStart, sink);
        break;
      case State::kBody:
      case State::kChunkData: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size() - pos));
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0 && state_ == State::kBody) {
          handOn(in, runStart, pos, sink);  // one request per hand-on
          state_ = State::kHead;
          ++completed_;
        } else if (remaining_ == 0) {
          state_ = State::kChunkEnd;
          scanned_ = 0;
        }
        break;
      }
      case State::kChunkSize:
        refused = readChunkSize(in, pos, runStart, sink);
        break;
      case State::kChunkEnd:
        refused = readChunkEnd(in, pos);
        break;
      case State::kTrailers:
        refused = readTrailers(in, pos, runStart, sink);
        break;
      case State::kRefused:
        return refusal_;
    }
    if (refused) {
      handOn(in, runStart, std::max(runStart, stepStart), sink);  // the good bytes before it
      return refuse(std::move(*refused));
    }
  }
  handOn(in, runStart, pos, sink);
  return std::nullopt;
}

std::optional<Refusal> RequestFramer::readHead(std::string_view in, size_t& pos, size_t& runStart,
                                               Sink sink) {
  // v: the head so far. In place (nothing buffered): in[pos...], else head_
  // with this read appended. `at`: the index in v of in[pos].
  const bool inPlace = head_.empty();
  std::string_view v;
  ptrdiff_t at = 0;
  if (inPlace) {
    v = in.substr(pos);
  } else {
    at = static_cast<ptrdiff_t>(head_.size());
    const size_t room = limits_.maxHead + 1 - std::min(head_.size(), limits_.maxHead);
    head_.append(in.substr(pos, room));
    v = head_;
  }
  auto tooLarge = [this] {  // built only for a refusal
    return headersTooLarge("the request line and headers are larger than the limit of " +
                           std::to_string(limits_.maxHead) +
                           " bytes; send fewer or shorter headers");
  };
  for (;;) {
    const void* nl =
        scanned_ < v.size() ? std::memchr(v.data() + scanned_, '\n', v.size() - scanned_) : nullptr;
    if (nl == nullptr) break;
    const size_t i = static_cast<size_t>(static_cast<const char*>(nl) - v.data());
    if (i == 0 || v[i - 1] != '\r' || i == lineStart_) {
      return parseError(
          "a line of the request ends in a bare LF; HTTP lines end in CRLF "
          "(RFC 9112 section 2.2)");
    }
    if (i - 1 != lineStart_) {  // a request or header line: keep scanning
      lineStart_ = i + 1;
      scanned_ = i + 1;
      continue;
    }
    if (lineStart_ == 0) {  // an empty line before the request line: skip it
      if (inPlace) {
        pos += i + 1;
        runStart = pos;
        v.remove_prefix(i + 1);
      } else {
        head_.erase(0, i + 1);
        at -= static_cast<ptrdiff_t>(i + 1);
        v = head_;
      }
      scanned_ = 0;
      continue;
    }
    const size_t end = i + 1;
    if (end > limits_.maxHead) return tooLarge();
    RequestHead head;
    if (auto refused = parseHead(v.substr(0, end), limits_, head)) return refused;
    const size_t consumed = static_cast<size_t>(static_cast<ptrdiff_t>(end) - at);
    if (inPlace) {
      pos += consumed;
    } else {
      sink.pass(sink.context, v.substr(0, end));
      pos += consumed;
      runStart = pos;
      head_.clear();
    }
    scanned_ = 0;
    lineStart_ = 0;
    startBody(head);
    if (state_ == State::kHead) {  // no body: complete
      handOn(in, runStart, pos, sink);
      ++completed_;
    }
    return std::nullopt;
  }
  scanned_ = v.size();
  if (v.size() > limits_.maxHead) return tooLarge();
  if (inPlace) head_.assign(v);
  pos = in.size();
  runStart = pos;
  return std::nullopt;
}

void RequestFramer::startBody(const RequestHead& head) {
  if (head.chunked) {
    state_ = State::kChunkSize;
    bodySoFar_ = 0;
    line_.clear();
  } else if (head.contentLength > 0) {
    state_ = State::kBody;
    remaining_ = head.contentLength;
  } else {
    state_ = State::kHead;
  }
}

std::optional<Refusal> RequestFramer::readChunkSize(std::string_view in, size_t& pos,
                                                    size_t& runStart, Sink sink) {
  handOn(in, runStart, pos, sink);  // the size line is handed on once checked
  while (pos < in.size()) {
    const char c = in[pos++];
    line_ += c;
    if (line_.size() > kMaxChunkLine) {
      return parseError("a chunk-size line of the chunked body is too long");
    }
    if (c != '\n') continue;
    runStart = pos;
    const std::string_view size = std::string_view(line_).substr(0, line_.size() - 2);
    if (line_.size() < 3 || line_[line_.size() - 2] != '\r') {
      return parseError("a chunk-size line of the chunked body does not end in CRLF");
    }
    if (size.find(';') != std::string_view::npos) {
      return parseError("chunk extensions are not supported; send `SIZE\\r\\n` lines");
    }
    if (size.size() > 15 || !std::all_of(size.begin(), size.end(), [](char h) {
          return std::isxdigit(static_cast<unsigned char>(h)) != 0;
        })) {
      return parseError("the chunk size `" + shown(size) + "` is not a hexadecimal number");
    }
    const uint64_t n = std::stoull(std::string(size), nullptr, 16);
    if (n == 0) {
      state_ = State::kTrailers;
      line_.clear();
      scanned_ = 0;
      return std::nullopt;
    }
    bodySoFar_ += n;
    if (bodySoFar_ > limits_.maxBody) {
      return bodyTooLarge("request body is larger than the limit of " +
                          std::to_string(limits_.maxBody) + " bytes (chunked)");
    }
    sink.pass(sink.context, line_);
    line_.clear();
    remaining_ = n;
    state_ = State::kChunkData;
    return std::nullopt;
  }
  runStart = pos;
  return std::nullopt;
}

std::optional<Refusal> RequestFramer::readChunkEnd(std::string_view in, size_t& pos) {
  while (pos < in.size() && scanned_ < 2) {
    if (in[pos++] != "\r\n"[scanned_++]) {
      return parseError("a chunk of the chunked body is not followed by CRLF (its size is wrong)");
    }
  }
  if (scanned_ == 2) state_ = State::kChunkSize;
  return std::nullopt;
}

std::optional<Refusal> RequestFramer::readTrailers(std::string_view in, size_t& pos,
                                                   size_t& runStart, Sink sink) {
  while (pos < in.size()) {
    const char c = in[pos++];
    line_ += c;
    scanned_ += 1;
    if (scanned_ > limits_.maxHead) {
      return headersTooLarge("the chunked body's trailer fields are larger than the limit of " +
                             std::to_string(limits_.maxHead) + " bytes");
    }
    if (c != '\n') continue;
    if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
      return parseError("a trailer line of the chunked body does not end in CRLF");
    }
    const bool last = line_.size() == 2;
    line_.clear();
    if (!last) continue;
    runStart = pos;  // the trailers are not handed on (Pistache ignores them)
    sink.pass(sink.context, kLastChunk);
    state_ = State::kHead;
    ++completed_;
    scanned_ = 0;
    return std::nullopt;
  }
  runStart = pos;
  return std::nullopt;
}

}  // namespace zp::api
