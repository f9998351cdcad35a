#include "pipelines/push/rndc_protocol.h"

#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace zp::push {
namespace {

constexpr size_t kMaxDepth = 16;
constexpr uint32_t kMaxMessage = 1024 * 1024;  // rndc's isccc_ccmsg_setmaxsize
constexpr size_t kShaSignatureLength = 88;     // base64 of SHA-512, BIND's field size
constexpr size_t kMd5SignatureLength = 22;
constexpr int kMaxIncludeDepth = 8;

Error parseError(std::string detail) { return Error{ErrorKind::kParse, {}, std::move(detail)}; }

void putUint32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>((v >> 24) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

uint32_t getUint32(std::string_view in) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

void encodeValue(std::string& out, const CcValue& value);

void encodeEntries(std::string& out, const CcTable& table) {
  for (const CcEntry& entry : table) {
    if (entry.key.size() > 255) {
      throw std::invalid_argument("control message key longer than 255 bytes: " + entry.key);
    }
    out.push_back(static_cast<char>(entry.key.size()));
    out += entry.key;
    encodeValue(out, entry.value);
  }
}

void encodeValue(std::string& out, const CcValue& value) {
  out.push_back(static_cast<char>(value.kind));
  const size_t lengthAt = out.size();
  putUint32(out, 0);
  switch (value.kind) {
    case CcValue::Kind::kBinary:
      out += value.binary;
      break;
    case CcValue::Kind::kTable:
      encodeEntries(out, value.table);
      break;
    case CcValue::Kind::kList:
      for (const CcValue& element : value.list) encodeValue(out, element);
      break;
  }
  const size_t length = out.size() - lengthAt - 4;
  if (length > UINT32_MAX) throw std::invalid_argument("control message value over 4 GiB");
  std::string prefix;
  putUint32(prefix, static_cast<uint32_t>(length));
  out.replace(lengthAt, 4, prefix);
}

// Reads one value from the front of `in` (advancing it).
Result<CcValue> decodeValue(std::string_view& in, size_t depth);

Result<CcTable> decodeEntries(std::string_view in, size_t depth) {
  if (depth > kMaxDepth) return parseError("control message nested deeper than 16 levels");
  CcTable table;
  while (!in.empty()) {
    const size_t keyLength = static_cast<unsigned char>(in[0]);
    if (in.size() < 1 + keyLength) return parseError("control message truncated in a key");
    CcEntry entry;
    entry.key = std::string(in.substr(1, keyLength));
    in.remove_prefix(1 + keyLength);
    Result<CcValue> value = decodeValue(in, depth);
    if (!value) return value.error();
    entry.value = std::move(value).value();
    table.push_back(std::move(entry));
  }
  return table;
}

Result<CcValue> decodeValue(std::string_view& in, size_t depth) {
  if (in.size() < 5) return parseError("control message truncated in a value header");
  const auto type = static_cast<unsigned char>(in[0]);
  const uint32_t length = getUint32(in.substr(1, 4));
  in.remove_prefix(5);
  if (in.size() < length) return parseError("control message truncated in a value");
  const std::string_view body = in.substr(0, length);
  in.remove_prefix(length);
  CcValue value;
  switch (type) {
    case 1:
      value.kind = CcValue::Kind::kBinary;
      value.binary = std::string(body);
      return value;
    case 2: {
      Result<CcTable> table = decodeEntries(body, depth + 1);
      if (!table) return table.error();
      value.kind = CcValue::Kind::kTable;
      value.table = std::move(table).value();
      return value;
    }
    case 3: {
      if (depth + 1 > kMaxDepth) return parseError("control message nested deeper than 16 levels");
      value.kind = CcValue::Kind::kList;
      std::string_view rest = body;
      while (!rest.empty()) {
        Result<CcValue> element = decodeValue(rest, depth + 1);
        if (!element) return element.error();
        value.list.push_back(std::move(element).value());
      }
      return value;
    }
    default:
      return parseError("control message has a value of unknown type " + std::to_string(type));
  }
}

const EVP_MD* digestOf(HmacAlgorithm algorithm) {
  switch (algorithm) {
    case HmacAlgorithm::kMd5:
      return EVP_md5();
    case HmacAlgorithm::kSha1:
      return EVP_sha1();
    case HmacAlgorithm::kSha224:
      return EVP_sha224();
    case HmacAlgorithm::kSha256:
      return EVP_sha256();
    case HmacAlgorithm::kSha384:
      return EVP_sha384();
    case HmacAlgorithm::kSha512:
      return EVP_sha512();
  }
  throw std::logic_error("unknown HMAC algorithm");
}

std::string lowerFirst(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

std::string errnoText(int error) { return lowerFirst(std::strerror(error)); }

// ---- rndc.conf ---------------------------------------------------------------

struct Token {
  enum class Kind { kWord, kString, kOpen, kClose, kSemicolon };
  Kind kind;
  std::string text;
  int line;
};

struct Statement {
  std::vector<Token> words;  // kWord/kString tokens before `{` or `;`
  bool hasBlock = false;
  std::vector<Statement> block;
};

Result<std::vector<Token>> tokenize(std::string_view text, const std::string& name) {
  std::vector<Token> tokens;
  int line = 1;
  size_t i = 0;
  const auto at = [&](int l) { return name + ":" + std::to_string(l) + ": "; };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const int start = line;
      i += 2;
      while (i + 1 < text.size() && !(text[i] == '*' && text[i + 1] == '/')) {
        if (text[i] == '\n') ++line;
        ++i;
      }
      if (i + 1 >= text.size()) return parseError(at(start) + "unterminated comment");
      i += 2;
    } else if (c == '{' || c == '}' || c == ';') {
      tokens.push_back({c == '{'   ? Token::Kind::kOpen
                        : c == '}' ? Token::Kind::kClose
                                   : Token::Kind::kSemicolon,
                        std::string(1, c), line});
      ++i;
    } else if (c == '"') {
      const int start = line;
      std::string value;
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        if (text[i] == '\n') ++line;
        value.push_back(text[i]);
        ++i;
      }
      if (i >= text.size()) return parseError(at(start) + "unterminated string");
      ++i;
      tokens.push_back({Token::Kind::kString, std::move(value), start});
    } else {
      std::string value;
      while (i < text.size() &&
             std::string_view(" \t\r\n\f\v{};\"").find(text[i]) == std::string_view::npos) {
        value.push_back(text[i]);
        ++i;
      }
      tokens.push_back({Token::Kind::kWord, std::move(value), line});
    }
  }
  return tokens;
}

// statements := { words ( ';' | '{' statements '}' ';' ) }
Result<std::vector<Statement>> parseStatements(const std::vector<Token>& tokens, size_t& pos,
                                               bool nested, const std::string& name, size_t depth) {
  const auto at = [&](int l) { return name + ":" + std::to_string(l) + ": "; };
  if (depth > kMaxDepth) return parseError(at(tokens[pos].line) + "blocks nested too deeply");
  std::vector<Statement> statements;
  while (pos < tokens.size()) {
    if (tokens[pos].kind == Token::Kind::kClose) {
      if (!nested) return parseError(at(tokens[pos].line) + "unexpected '}'");
      return statements;
    }
    Statement statement;
    while (pos < tokens.size() &&
           (tokens[pos].kind == Token::Kind::kWord || tokens[pos].kind == Token::Kind::kString)) {
      statement.words.push_back(tokens[pos++]);
    }
    if (pos >= tokens.size()) {
      return parseError(name + ": unexpected end of file (missing ';'?)");
    }
    const Token& next = tokens[pos];
    if (next.kind == Token::Kind::kOpen) {
      ++pos;
      Result<std::vector<Statement>> block = parseStatements(tokens, pos, true, name, depth + 1);
      if (!block) return block.error();
      if (pos >= tokens.size()) return parseError(name + ": unexpected end of file (missing '}')");
      ++pos;  // '}'
      if (pos >= tokens.size() || tokens[pos].kind != Token::Kind::kSemicolon) {
        return parseError(at(tokens[pos - 1].line) + "missing ';' after '}'");
      }
      statement.hasBlock = true;
      statement.block = std::move(block).value();
    } else if (next.kind != Token::Kind::kSemicolon) {
      return parseError(at(next.line) + "unexpected '" + next.text + "'");
    }
    ++pos;                                                         // ';'
    if (statement.words.empty() && !statement.hasBlock) continue;  // a stray ';'
    if (statement.words.empty()) return parseError(at(next.line) + "a block without a name");
    statements.push_back(std::move(statement));
  }
  if (nested) return parseError(name + ": unexpected end of file (missing '}')");
  return statements;
}

struct ConfigState {
  std::vector<Statement> keys;     // key "NAME" { ... };
  std::vector<Statement> servers;  // server "NAME" { ... };
  std::optional<Statement> options;
};

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

Status collect(std::string_view text, const std::string& name, int includeDepth,
               ConfigState& state) {
  Result<std::vector<Token>> tokens = tokenize(text, name);
  if (!tokens) return tokens.error();
  size_t pos = 0;
  Result<std::vector<Statement>> statements = parseStatements(*tokens, pos, false, name, 0);
  if (!statements) return statements.error();
  for (Statement& statement : statements.value()) {
    const std::string& keyword = statement.words[0].text;
    const std::string where = name + ":" + std::to_string(statement.words[0].line) + ": ";
    if (keyword == "include") {
      if (statement.words.size() != 2 || statement.hasBlock) {
        return parseError(where + "include needs one file name");
      }
      if (includeDepth >= kMaxIncludeDepth) return parseError(where + "includes nested too deeply");
      const std::string& path = statement.words[1].text;
      const std::optional<std::string> included = readFile(path);
      if (!included) return parseError(where + "open: " + path + ": file not found or unreadable");
      if (Status status = collect(*included, path, includeDepth + 1, state)) return status;
    } else if (keyword == "key" || keyword == "server") {
      if (statement.words.size() != 2 || !statement.hasBlock) {
        return parseError(where + keyword + " needs a name and a { ... } block");
      }
      (keyword == "key" ? state.keys : state.servers).push_back(std::move(statement));
    } else if (keyword == "options") {
      if (!statement.hasBlock) return parseError(where + "options needs a { ... } block");
      if (state.options) return parseError(where + "options may only be given once");
      state.options = std::move(statement);
    }
    // Other statements (e.g. `controls` when a named.conf is shared) do not
    // concern the client.
  }
  return std::nullopt;
}

bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// The single value of `option` in `block` ("port 953;" -> "953").
std::optional<std::string> optionValue(const std::vector<Statement>& block,
                                       std::string_view option) {
  for (const Statement& s : block) {
    if (s.words[0].text == option && s.words.size() >= 2) return s.words[1].text;
  }
  return std::nullopt;
}

Result<uint16_t> parsePort(const std::string& text) {
  if (text.empty() || text.size() > 5 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return parseError("port '" + text + "' out of range");
  }
  const unsigned long port = std::stoul(text);
  if (port == 0 || port > 65535) return parseError("port " + text + " out of range");
  return static_cast<uint16_t>(port);
}

}  // namespace

// ---- 1. wire format --------------------------------------------------------

CcValue CcValue::text(std::string value) {
  CcValue v;
  v.kind = Kind::kBinary;
  v.binary = std::move(value);
  return v;
}

CcValue CcValue::of(CcTable entries) {
  CcValue v;
  v.kind = Kind::kTable;
  v.table = std::move(entries);
  return v;
}

bool CcValue::operator==(const CcValue& other) const {
  return kind == other.kind && binary == other.binary && table == other.table && list == other.list;
}

const CcValue* ccFind(const CcTable& table, std::string_view key) {
  for (const CcEntry& entry : table) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

std::optional<std::string> ccText(const CcTable& table, std::string_view key) {
  const CcValue* value = ccFind(table, key);
  if (value == nullptr || value->kind != CcValue::Kind::kBinary) return std::nullopt;
  return value->binary;
}

std::string encodeTable(const CcTable& table) {
  std::string out;
  encodeEntries(out, table);
  return out;
}

Result<CcTable> decodeTable(std::string_view bytes) { return decodeEntries(bytes, 0); }

// ---- 2. signed messages ----------------------------------------------------

namespace {
constexpr std::pair<std::string_view, HmacAlgorithm> kHmacNames[] = {
    {"hmac-md5", HmacAlgorithm::kMd5},       {"hmac-sha1", HmacAlgorithm::kSha1},
    {"hmac-sha224", HmacAlgorithm::kSha224}, {"hmac-sha256", HmacAlgorithm::kSha256},
    {"hmac-sha384", HmacAlgorithm::kSha384}, {"hmac-sha512", HmacAlgorithm::kSha512},
};
}  // namespace

std::optional<HmacAlgorithm> hmacAlgorithmFromName(std::string_view name) {
  for (const auto& [text, algorithm] : kHmacNames) {
    if (sameName(text, name)) return algorithm;
  }
  return std::nullopt;
}

std::string_view hmacAlgorithmName(HmacAlgorithm algorithm) {
  for (const auto& [text, known] : kHmacNames) {
    if (known == algorithm) return text;
  }
  throw std::logic_error("unknown HMAC algorithm");
}

std::string base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i]) << 16) |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
            kAlphabet[v & 63]};
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i]) << 16);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (rest == 2) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i]) << 16) |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  std::string out;
  uint32_t accumulator = 0;
  int bits = 0;
  int padding = 0;
  size_t symbols = 0;
  for (const char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else if (c == '=') {
      ++padding;
      ++symbols;
      continue;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      continue;
    } else {
      return std::nullopt;
    }
    if (padding != 0) return std::nullopt;  // data after '='
    ++symbols;
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xff));
    }
  }
  if (symbols % 4 != 0 || padding > 2) return std::nullopt;
  return out;
}

std::string ccSignature(const RndcKey& key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static const unsigned char kEmpty = 0;
  const auto* secret =
      key.secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.secret.data());
  const auto* bytes = data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(digestOf(key.algorithm), secret, static_cast<int>(key.secret.size()), bytes, data.size(),
           digest, &length) == nullptr) {
    throw std::runtime_error("OpenSSL HMAC failed (is the digest disabled on this system?)");
  }
  std::string text = base64Encode(std::string_view(reinterpret_cast<char*>(digest), length));
  const size_t size =
      key.algorithm == HmacAlgorithm::kMd5 ? kMd5SignatureLength : kShaSignatureLength;
  text.resize(size, '\0');
  return text;
}

std::string encodeMessage(const CcTable& body, const RndcKey& key) {
  const std::string signedPart = encodeTable(body);
  const std::string signature = ccSignature(key, signedPart);
  CcTable auth;
  if (key.algorithm == HmacAlgorithm::kMd5) {
    auth.push_back({"hmd5", CcValue::text(signature)});
  } else {
    auth.push_back(
        {"hsha", CcValue::text(std::string(1, static_cast<char>(key.algorithm)) + signature)});
  }
  std::string out;
  putUint32(out, 1);
  out += encodeTable({{"_auth", CcValue::of(std::move(auth))}});
  out += signedPart;
  return out;
}

Result<CcTable> decodeMessage(std::string_view bytes, const RndcKey& key) {
  if (bytes.size() < 4) return parseError("control message shorter than its version");
  if (getUint32(bytes) != 1) {
    return parseError("control message of unknown version " + std::to_string(getUint32(bytes)));
  }
  std::string_view rest = bytes.substr(4);
  // The first entry must be _auth; the signature covers what follows it.
  if (rest.empty() || static_cast<unsigned char>(rest[0]) != 5 || rest.substr(1, 5) != "_auth") {
    return Error{ErrorKind::kAuthentication, {}, "bad auth (the message is not signed)"};
  }
  rest.remove_prefix(6);
  Result<CcValue> auth = decodeValue(rest, 1);
  if (!auth) return auth.error();
  const std::string_view signedPart = rest;
  Result<CcTable> entries = decodeTable(signedPart);
  if (!entries) return entries.error();
  if (auth->kind != CcValue::Kind::kTable) {
    return Error{ErrorKind::kAuthentication, {}, "bad auth (_auth is not a table)"};
  }
  const std::string expected = ccSignature(key, signedPart);
  std::optional<std::string> given;
  if (key.algorithm == HmacAlgorithm::kMd5) {
    given = ccText(auth->table, "hmd5");
  } else if (std::optional<std::string> hsha = ccText(auth->table, "hsha")) {
    if (!hsha->empty() &&
        static_cast<unsigned char>((*hsha)[0]) == static_cast<unsigned char>(key.algorithm)) {
      given = hsha->substr(1);
    }
  }
  if (!given || given->size() != expected.size() ||
      CRYPTO_memcmp(given->data(), expected.data(), expected.size()) != 0) {
    return Error{ErrorKind::kAuthentication, {}, "bad auth"};
  }
  return entries;
}

// ---- 3. rndc.conf ------------------------------------------------------------

Result<RndcTarget> parseRndcConfig(std::string_view text, const std::string& name) {
  ConfigState state;
  if (Status status = collect(text, name, 0, state)) return *status;
  const std::vector<Statement> none;
  const std::vector<Statement>& options = state.options ? state.options->block : none;

  RndcTarget target;
  const std::optional<std::string> server = optionValue(options, "default-server");
  if (!server) return parseError("no server specified and no default");
  target.server = *server;

  const Statement* serverBlock = nullptr;
  for (const Statement& s : state.servers) {
    if (sameName(s.words[1].text, target.server)) serverBlock = &s;
  }
  std::optional<std::string> keyName;
  if (serverBlock != nullptr) keyName = optionValue(serverBlock->block, "key");
  if (!keyName) keyName = optionValue(options, "default-key");
  if (!keyName) return parseError("no key for server and no default");

  const Statement* keyBlock = nullptr;
  for (const Statement& s : state.keys) {
    if (sameName(s.words[1].text, *keyName) && keyBlock == nullptr) keyBlock = &s;
  }
  if (keyBlock == nullptr) return parseError("no key definition for name " + *keyName);
  const std::optional<std::string> algorithm = optionValue(keyBlock->block, "algorithm");
  const std::optional<std::string> secret = optionValue(keyBlock->block, "secret");
  if (!algorithm || !secret) return parseError("key must have algorithm and secret");
  const std::optional<HmacAlgorithm> known = hmacAlgorithmFromName(*algorithm);
  if (!known) return parseError("unsupported algorithm: " + *algorithm);
  std::optional<std::string> decoded = base64Decode(*secret);
  if (!decoded) return parseError("decode base64 secret: bad base64 encoding");
  target.key = {keyBlock->words[1].text, *known, std::move(*decoded)};

  std::optional<std::string> port;
  if (serverBlock != nullptr) port = optionValue(serverBlock->block, "port");
  if (!port) port = optionValue(options, "default-port");
  if (port) {
    Result<uint16_t> number = parsePort(*port);
    if (!number) return number.error();
    target.port = *number;
  }
  return target;
}

Result<RndcTarget> loadRndcConfig(const std::string& path) {
  const std::optional<std::string> text = readFile(path);
  if (!text) return parseError(path + " does not exist or cannot be read");
  return parseRndcConfig(*text, path);
}

// ---- 4. the session --------------------------------------------------------

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kClosedByServer =
    "rndc: connection to remote host closed.\n"
    "* This may indicate that the\n"
    "* remote server is using an older\n"
    "* version of the command protocol,\n"
    "* this host is not authorized to connect,\n"
    "* the clocks are not synchronized,\n"
    "* the key signing algorithm is incorrect\n"
    "* or the key is invalid.\n";

int msLeft(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left, INT32_MAX));
}

// Waits for `events` on `fd` until the deadline: true when ready.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, msLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

enum class Io { kOk, kTimeout, kClosed, kError };

Io sendAll(int fd, std::string_view data, Clock::time_point deadline, int& error) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!waitFor(fd, POLLOUT, deadline)) return Io::kTimeout;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      error = errno;
      return Io::kError;
    }
  }
  return Io::kOk;
}

Io receiveExactly(int fd, char* into, size_t size, Clock::time_point deadline, int& error,
                  size_t& got) {
  got = 0;
  while (got < size) {
    const ssize_t n = ::recv(fd, into + got, size - got, MSG_DONTWAIT);
    if (n > 0) {
      got += static_cast<size_t>(n);
    } else if (n == 0) {
      return Io::kClosed;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!waitFor(fd, POLLIN, deadline)) return Io::kTimeout;
    } else if (errno != EINTR) {
      error = errno;
      return Io::kError;
    }
  }
  return Io::kOk;
}

// As rndc does: every argument, one space between each (none are quoted).
std::string joinArgs(const std::vector<std::string>& args) {
  std::string text;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i != 0) text.push_back(' ');
    text += args[i];
  }
  return text;
}

ProcessResult failed(std::string message, bool timedOut = false) {
  ProcessResult result;
  result.started = true;
  result.timedOut = timedOut;
  result.exitCode = 1;
  result.errors = "rndc: " + std::move(message) + "\n";
  return result;
}

}  // namespace

RndcSession::RndcSession(std::string config, std::chrono::milliseconds timeout)
    : config_(std::move(config)), timeout_(timeout) {
  std::random_device random;
  serial_ = random();
}

RndcSession::~RndcSession() { disconnect(); }

int RndcSession::connectionsOpened() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

void RndcSession::disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  target_.reset();
  nonce_ = 0;
}

bool RndcSession::connectionLooksClosed() const {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) == 0) return false;  // quiet: still open
  char byte;
  const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // 0: closed by named; >0: an unexpected message, so the stream is out of step.
  return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

bool RndcSession::connect(const RndcTarget& target, Clock::time_point deadline,
                          ProcessResult& result) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(target.port);
  const int rc = ::getaddrinfo(target.server.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    result = failed("couldn't get address for '" + target.server + "': " + gai_strerror(rc));
    return false;
  }
  std::string failure;
  bool timedOut = false;
  for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
    char host[NI_MAXHOST] = "?";
    ::getnameinfo(a->ai_addr, a->ai_addrlen, host, sizeof host, nullptr, 0, NI_NUMERICHOST);
    const std::string peer = std::string(host) + "#" + port;
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      failure = "connect failed: " + peer + ": " + errnoText(errno);
      continue;
    }
    int error = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        if (waitFor(fd, POLLOUT, deadline)) {
          socklen_t length = sizeof error;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        } else {
          error = ETIMEDOUT;
          timedOut = true;
        }
      }
    }
    if (error != 0) {
      ::close(fd);
      failure = "connect failed: " + peer + ": " + errnoText(error);
      continue;
    }
    fd_ = fd;
    peer_ = peer;
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) {
    result = failed(failure.empty() ? "no address for '" + target.server + "'" : failure, timedOut);
    return false;
  }
  ++connections_;
  nonce_ = 0;
  bool replied = false;
  std::optional<CcTable> answer = exchange("null", target.key, deadline, result, replied);
  if (!answer) {
    disconnect();
    return false;
  }
  // exchange() checked that _ctrl is a table.
  if (std::optional<std::string> nonce = ccText(ccFind(*answer, "_ctrl")->table, "_nonce")) {
    nonce_ = static_cast<uint32_t>(std::strtoul(nonce->c_str(), nullptr, 10));
  }
  target_ = target;
  return true;
}

std::optional<CcTable> RndcSession::exchange(const std::string& type, const RndcKey& key,
                                             Clock::time_point deadline, ProcessResult& result,
                                             bool& replied) {
  replied = false;
  const auto now = static_cast<uint32_t>(std::time(nullptr));
  CcTable ctrl = {{"_ser", CcValue::text(std::to_string(++serial_))},
                  {"_tim", CcValue::text(std::to_string(now))},
                  {"_exp", CcValue::text(std::to_string(now + 60))}};
  if (nonce_ != 0) ctrl.push_back({"_nonce", CcValue::text(std::to_string(nonce_))});
  const CcTable body = {{"_ctrl", CcValue::of(std::move(ctrl))},
                        {"_data", CcValue::of({{"type", CcValue::text(type)}})}};
  const std::string message = encodeMessage(body, key);
  std::string frame;
  putUint32(frame, static_cast<uint32_t>(message.size()));
  frame += message;

  int error = 0;
  switch (sendAll(fd_, frame, deadline, error)) {
    case Io::kOk:
      break;
    case Io::kTimeout:
      result = failed("send failed: timed out", true);
      return std::nullopt;
    case Io::kClosed:
    case Io::kError:
      result = failed("send failed: " + errnoText(error));
      return std::nullopt;
  }
  char header[4];
  size_t got = 0;
  Io io = receiveExactly(fd_, header, sizeof header, deadline, error, got);
  replied = got > 0;
  if (io == Io::kOk) {
    const uint32_t length = getUint32(std::string_view(header, 4));
    if (length > kMaxMessage) {
      result = failed("recv failed: out of range (an answer of " + std::to_string(length) +
                      " bytes from " + peer_ + ")");
      return std::nullopt;
    }
    std::string answer(length, '\0');
    io = receiveExactly(fd_, answer.data(), length, deadline, error, got);
    if (io == Io::kOk) {
      Result<CcTable> decoded = decodeMessage(answer, key);
      if (!decoded) {
        result = failed("parse message: " + decoded.error().detail);
        return std::nullopt;
      }
      // named echoes the request's serial: anything else is an answer to
      // another request, i.e. the stream is out of step.
      const CcValue* answerCtrl = ccFind(*decoded, "_ctrl");
      if (answerCtrl == nullptr || answerCtrl->kind != CcValue::Kind::kTable ||
          ccText(answerCtrl->table, "_ser") != std::to_string(serial_)) {
        result = failed("bad or missing ctrl section in response (expected serial " +
                        std::to_string(serial_) + ")");
        return std::nullopt;
      }
      return std::move(decoded).value();
    }
  }
  switch (io) {
    case Io::kTimeout:
      result = failed("recv failed: timed out (no answer from " + peer_ + " within " +
                          std::to_string(timeout_.count()) + " ms)",
                      true);
      break;
    case Io::kClosed:
      result = ProcessResult{};
      result.started = true;
      result.exitCode = 1;
      result.errors = kClosedByServer;
      break;
    default:
      result = failed("recv failed: " + errnoText(error));
      break;
  }
  return std::nullopt;
}

ProcessResult RndcSession::run(const std::vector<std::string>& args) {
  std::lock_guard lock(mutex_);
  if (args.empty()) return failed("no command given (usage: rndc command [arguments])");
  Result<RndcTarget> target = loadRndcConfig(config_);
  if (!target) {
    disconnect();
    return failed(target.error().detail);
  }
  const auto deadline = Clock::now() + timeout_;
  if (target_ && !(*target_ == *target)) disconnect();
  if (fd_ >= 0 && connectionLooksClosed()) disconnect();

  const std::string type = joinArgs(args);
  ProcessResult result;
  std::optional<CcTable> answer;
  for (int attempt = 0; attempt < 2 && !answer; ++attempt) {
    const bool reused = fd_ >= 0;
    if (!reused && !connect(*target, deadline, result)) return result;
    bool replied = false;
    answer = exchange(type, target->key, deadline, result, replied);
    if (answer) break;
    disconnect();
    // Retry only a kept connection that named dropped before answering (e.g.
    // it restarted in between); anything else is the answer.
    if (!reused || replied || result.timedOut) return result;
  }
  if (!answer) return result;

  result = ProcessResult{};
  result.started = true;
  const CcValue* data = ccFind(*answer, "_data");
  if (data == nullptr || data->kind != CcValue::Kind::kTable) {
    disconnect();
    return failed("bad or missing data section in response");
  }
  const std::string command = args[0];
  bool commandFailed = false;
  if (std::optional<std::string> err = ccText(data->table, "err")) {
    commandFailed = true;
    result.errors += "rndc: '" + command + "' failed: " + *err + "\n";
  }
  if (std::optional<std::string> text = ccText(data->table, "text"); text && !text->empty()) {
    (commandFailed ? result.errors : result.output) += *text + "\n";
  }
  result.exitCode = commandFailed ? 1 : 0;
  return result;
}

}  // namespace zp::push
