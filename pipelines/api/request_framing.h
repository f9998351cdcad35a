#pragma once
// The HTTP/1.1 request gate's parser: what the API checks about the bytes of a
// connection before Pistache's own parser sees them (http_gate.h feeds it).
// Pistache 0.0.5 answers some broken requests outside the API's contract (500
// for an empty target or a negative/huge Content-Length, 501 for an unknown
// Transfer-Encoding, text/plain 400/415, or no answer at all for bare-LF
// lines); this class refuses exactly those with a Refusal before they get there,
// and hands every byte of a good request on unchanged.
//
// Rules (RFC 9112 sections 2-7, RFC 9110 sections 5, 8.3, 8.6):
// - request-line = method SP origin-form SP HTTP-version CRLF, single spaces;
//   method one of kMethods (case-sensitive: `get` is refused); target starts
//   with `/`, visible ASCII only (no space, control character or raw non-ASCII
//   byte); version HTTP/1.0 or HTTP/1.1. Empty lines before a request are
//   skipped (RFC 9112 section 2.2) and not handed on.
// - every line ends in CRLF (a bare LF is refused); a header line is
//   token ":" OWS value OWS, value without control characters (HTAB allowed),
//   no obs-fold continuation lines.
// - Content-Length: digits only, every copy equal, at most limits.maxBody
//   (else 413). Transfer-Encoding: only `chunked`, alone, once, never with a
//   Content-Length or on HTTP/1.0. Chunked bodies: hex sizes without
//   extensions, their sum at most limits.maxBody (413).
// - Content-Type: type "/" subtype *( OWS ";" OWS [ token "=" ( token /
//   quoted-string ) ] ).
// - the request line plus headers at most limits.maxHead bytes (431).
// A refusal is a Refusal (400 parse_error, 413 payload_too_large, 431
// headers_too_large) whose detail says what was wrong, in words a client developer can act
// on; after it the connection must be answered and closed, and the framer
// refuses everything else (it has lost the request boundaries).
//
// Framing: the framer knows where each request ends (Content-Length, chunked
// framing, or no body), so the next request on a keep-alive connection is
// checked too. It hands bytes on through `Sink` in runs, one request per call
// at most (Pistache's parser discards whatever follows a complete request in
// one feed); a chunked body's last-chunk line and trailers are handed on as
// the fixed "0\r\n\r\n" once complete (Pistache's chunk parser stops after
// "0\r\n" and would take the rest for the next request).
//
// Memory: a head split over reads is copied (at most maxHead bytes); a head
// arriving whole in one read, and every body byte, is handed on in place.
// One instance per connection; not thread-safe (a connection's reads come on
// one reactor thread).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zp::api {

struct FramingLimits {
  size_t maxHead = 32 * 1024;  // bytes of request line + headers (431 above)
  size_t maxBody = 1 << 20;    // bytes of a body (api.max_body; 413 above)
};

// What the head of one request says about its body.
struct RequestHead {
  std::string_view method;
  bool chunked = false;
  uint64_t contentLength = 0;  // 0 when chunked or absent
};

// The methods the router serves or answers 405 for (routes.h's kAllMethods).
inline constexpr std::string_view kMethods[] = {"GET",    "HEAD",    "POST",  "PUT",    "PATCH",
                                                "DELETE", "OPTIONS", "TRACE", "CONNECT"};

// Why a request is refused: the status and documented error_code to answer
// with (errors.h's codes for 400 parse_error and 413 payload_too_large; the
// gate's own below), and a sentence for the client.
struct Refusal {
  int status = 400;
  std::string_view code;  // a static string
  std::string detail;
  bool operator==(const Refusal&) const = default;
};

// The gate's error codes that no handler answers (README's error table and
// the OpenAPI document list them): 431 (RFC 6585 section 5) and 408 (RFC 9110
// section 15.5.9, answered by http_gate.h when a request does not arrive in
// time).
inline constexpr std::string_view kHeadersTooLargeCode = "headers_too_large";
inline constexpr std::string_view kRequestTimeoutCode = "request_timeout";

// Checks one complete head: from the request line up to and including the
// empty line ending the headers (CRLF line ends, already checked). Fills
// `head`; nullopt when it is good.
std::optional<Refusal> parseHead(std::string_view text, const FramingLimits& limits,
                                 RequestHead& head);

class RequestFramer {
 public:
  // Receives the bytes to hand on. A plain function pointer and context (no
  // allocation per read).
  struct Sink {
    void (*pass)(void* context, std::string_view bytes);
    void* context;
  };

  explicit RequestFramer(FramingLimits limits) : limits_(limits) {}

  // Reads the connection's next `bytes`; hands good ones to `sink` in order.
  // Returns the refusal when the connection must be answered and closed
  // (bytes before the refused request were handed on); once refused, every
  // later call returns the same refusal and hands nothing on.
  std::optional<Refusal> feed(std::string_view bytes, Sink sink);

  // True between the first byte of a request and its last (a timeout here is
  // a request that did not arrive in time).
  // Requests whose last byte was read so far.
  uint64_t completed() const { return completed_; }

  bool midRequest() const {
    return state_ != State::kRefused && (state_ != State::kHead || !head_.empty());
  }

 private:
  enum class State { kHead, kBody, kChunkSize, kChunkData, kChunkEnd, kTrailers, kRefused };

  // Each consumes bytes from `in` starting at `pos`, advancing it.
  std::optional<Refusal> readHead(std::string_view in, size_t& pos, size_t& runStart, Sink sink);
  std::optional<Refusal> readChunkSize(std::string_view in, size_t& pos, size_t& runStart,
                                       Sink sink);
  std::optional<Refusal> readChunkEnd(std::string_view in, size_t& pos);
  std::optional<Refusal> readTrailers(std::string_view in, size_t& pos, size_t& runStart,
                                      Sink sink);
  std::optional<Refusal> refuse(Refusal refusal);
  void startBody(const RequestHead& head);

  FramingLimits limits_;
  State state_ = State::kHead;
  std::string head_;        // a head split over reads (empty: scanning in place)
  size_t scanned_ = 0;      // bytes of the current head (or line) already scanned
  size_t lineStart_ = 0;    // offset of the current line in the head
  uint64_t remaining_ = 0;  // body or chunk bytes (with the chunk's CRLF) still to come
  uint64_t bodySoFar_ = 0;  // chunked: bytes of data so far
  std::string line_;        // chunked: the current size or trailer line
  std::optional<Refusal> refusal_;
  uint64_t completed_ = 0;
};

}  // namespace zp::api
