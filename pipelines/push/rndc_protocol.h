#pragma once
// rndc without a process: BIND 9's control-channel protocol ("ISCCC", as in
// lib/isccc/cc.c and bin/rndc/rndc.c of BIND 9.18) spoken in-process.
//
// Layers, each usable on its own (and tested on its own):
//   1. the wire format: a message is a table of named values (binary strings,
//      tables, lists); `encodeTable`/`decodeTable`;
//   2. a signed message: version 1, an `_auth` entry carrying the base64 HMAC
//      of everything after it, then the body; `encodeMessage`/`decodeMessage`;
//   3. rndc.conf: the `key`, `options` and `server` statements rndc reads
//      (with `include`); `loadRndcConfig`;
//   4. `RndcSession`, the `Rndc` seam over one TCP connection to named.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "pipelines/push/rndc.h"

namespace zp::push {

// ---- 1. wire format --------------------------------------------------------

struct CcEntry;
using CcTable = std::vector<CcEntry>;  // ordered: the wire order is kept

// One value of a control message. Strings and numbers travel as binary
// (numbers as decimal text, e.g. _ser "1234").
struct CcValue {
  enum class Kind : uint8_t { kBinary = 1, kTable = 2, kList = 3 };  // the wire type bytes
  Kind kind = Kind::kBinary;
  std::string binary;          // kBinary
  std::vector<CcEntry> table;  // kTable
  std::vector<CcValue> list;   // kList

  static CcValue text(std::string value);
  static CcValue of(CcTable entries);
  bool operator==(const CcValue&) const;
};

struct CcEntry {
  std::string key;  // at most 255 bytes
  CcValue value;
  bool operator==(const CcEntry&) const = default;
};

// The first entry called `key`, or null.
const CcValue* ccFind(const CcTable& table, std::string_view key);
// The binary value of `key` when present and binary.
std::optional<std::string> ccText(const CcTable& table, std::string_view key);

// Table entries back to back: 1-byte key length, key, 1-byte type, 4-byte
// big-endian length, value. Throws std::invalid_argument for a key longer than
// 255 bytes or a value over 4 GiB (a bug of the caller).
std::string encodeTable(const CcTable& table);
// The inverse. Truncated or malformed input, or nesting deeper than 16, is an
// Error (kParse), never a crash.
Result<CcTable> decodeTable(std::string_view bytes);

// ---- 2. signed messages ----------------------------------------------------

// The HMAC algorithms of rndc keys; the values are BIND's (DST) numbers, which
// travel in the signature.
enum class HmacAlgorithm : uint8_t {
  kMd5 = 157,
  kSha1 = 161,
  kSha224 = 162,
  kSha256 = 163,
  kSha384 = 164,
  kSha512 = 165,
};
// "hmac-sha256" -> kSha256 (case-insensitive); nullopt for an unknown name.
std::optional<HmacAlgorithm> hmacAlgorithmFromName(std::string_view name);
// kSha256 -> "hmac-sha256" (NUL-terminated: the names are literals).
std::string_view hmacAlgorithmName(HmacAlgorithm algorithm);

struct RndcKey {
  std::string name;
  HmacAlgorithm algorithm = HmacAlgorithm::kSha256;
  std::string secret;  // decoded bytes
  bool operator==(const RndcKey&) const = default;
};

// The signature field as BIND writes it: base64 (with '=' padding) of the
// HMAC of `data`, zero-filled to 88 bytes (hmac-md5: the first 22 characters).
std::string ccSignature(const RndcKey& key, std::string_view data);

// Version 1, then `_auth` {hsha: algorithm byte + signature} (hmac-md5:
// {hmd5: signature}), then `body`'s entries; the signature covers the bytes
// after the `_auth` entry. Without the 4-byte length prefix of the stream.
std::string encodeMessage(const CcTable& body, const RndcKey& key);
// The inverse: checks the version and that `_auth` is the first entry and
// carries a valid signature by `key` (else an Error: kAuthentication for a bad
// signature, kParse for the rest). The result holds the entries after `_auth`.
Result<CcTable> decodeMessage(std::string_view bytes, const RndcKey& key);

// base64 (RFC 4648, with padding) both ways; decoding skips whitespace and
// rejects anything else that is not base64.
std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);

// ---- 3. rndc.conf ------------------------------------------------------------

// Where and how rndc talks to named, as rndc derives it from its config:
// options { default-server; default-port (953); default-key; } and a matching
// server "NAME" { key; port; } statement, and the key "NAME" { algorithm;
// secret; } it names (possibly from an `include`d file).
struct RndcTarget {
  std::string server;  // host name or address, as written
  uint16_t port = 953;
  RndcKey key;
  bool operator==(const RndcTarget&) const = default;
};

// Reads `path` (and its includes, relative to the working directory as named
// and rndc do). Every problem is an Error whose detail reads like rndc's.
Result<RndcTarget> loadRndcConfig(const std::string& path);
// The same for text in memory; includes are read from disk.
Result<RndcTarget> parseRndcConfig(std::string_view text, const std::string& name);

// ---- 4. the session --------------------------------------------------------

// The `Rndc` seam spoken in-process: no rndc program is started. Each run()
// re-reads the rndc.conf (a few microseconds; so a rewritten config takes
// effect as it would for the program) and sends the command over a kept-open
// TCP connection to named's control channel: named keeps the channel open and
// the nonce it handed out on the first (`null`) exchange stays valid for every
// later command of that connection. A connection that named closed meanwhile
// is detected before the send (or by an empty answer) and replaced once.
//
// Results mimic the rndc program: exit code 0 or 1, named's `text` on stdout
// (on stderr after an error), "rndc: 'CMD' failed: ERR" on stderr, and rndc's
// wording for connection failures. `timedOut` is set when named does not
// answer within `timeout`.
//
// Thread-safety: run() may be called from several threads; calls are
// serialised on one mutex (one connection, one command at a time).
// Failure: never throws for named or the network misbehaving or a bad config;
// those are results (exit code 1).
class RndcSession : public Rndc {
 public:
  explicit RndcSession(std::string config,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RndcSession() override;
  RndcSession(const RndcSession&) = delete;
  RndcSession& operator=(const RndcSession&) = delete;

  ProcessResult run(const std::vector<std::string>& args) override;
  const std::string& configPath() const override { return config_; }

  // Connections opened so far (for tests and logs: 1 after many commands on
  // a healthy named).
  int connectionsOpened() const;

 private:
  struct Exchange;
  void disconnect();
  bool connectionLooksClosed() const;
  // Opens the connection and fetches the nonce; false with `result` filled.
  bool connect(const RndcTarget& target, std::chrono::steady_clock::time_point deadline,
               ProcessResult& result);
  // One request/answer; the answer's entries or nullopt with `result` filled.
  // `replied` tells whether any byte of an answer arrived.
  std::optional<CcTable> exchange(const std::string& type, const RndcKey& key,
                                  std::chrono::steady_clock::time_point deadline,
                                  ProcessResult& result, bool& replied);

  const std::string config_;
  const std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::optional<RndcTarget> target_;  // what fd_ is connected to
  std::string peer_;                  // "127.0.0.1#953", for messages
  uint32_t nonce_ = 0;
  uint32_t serial_ = 0;
  int connections_ = 0;
};

}  // namespace zp::push
