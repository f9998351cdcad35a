#include "pipelines/api/json.h"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

namespace zp::api {
namespace {

Error parseError(std::string detail) { return {ErrorKind::kParse, "", std::move(detail)}; }

// "line 3, column 7" for a byte offset into `body` (both 1-based).
std::string position(std::string_view body, size_t offset) {
  offset = std::min(offset, body.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (body[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string quoteKey(const rapidjson::Value& key) {
  std::string_view name(key.GetString(), key.GetStringLength());
  if (name.size() > 64) return "`" + sanitizeUtf8(name.substr(0, 64)) + "...`";
  return "`" + sanitizeUtf8(name) + "`";
}

// Walks the DOM without recursion: rejects nesting deeper than kMaxJsonDepth
// and objects that repeat a key (I-JSON, RFC 7493).
Status checkStructure(const rapidjson::Value& root) {
  std::vector<std::pair<const rapidjson::Value*, int>> stack = {{&root, 1}};
  std::unordered_set<std::string_view> seen;
  while (!stack.empty()) {
    auto [value, depth] = stack.back();
    stack.pop_back();
    if (!value->IsObject() && !value->IsArray()) continue;
    if (depth > kMaxJsonDepth) {
      return parseError("request body is nested deeper than " + std::to_string(kMaxJsonDepth) +
                        " levels");
    }
    if (value->IsArray()) {
      for (const auto& item : value->GetArray()) stack.emplace_back(&item, depth + 1);
      continue;
    }
    seen.clear();
    for (const auto& member : value->GetObject()) {
      std::string_view name(member.name.GetString(), member.name.GetStringLength());
      if (!seen.insert(name).second) {
        return parseError("request body repeats the key " + quoteKey(member.name) +
                          "; send each key once");
      }
      stack.emplace_back(&member.value, depth + 1);
    }
  }
  return std::nullopt;
}

// Length of the well-formed UTF-8 sequence at the start of `s`, 0 if ill-formed.
size_t utf8SequenceLength(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) lo = 0xa0;  // overlong
    if (b0 == 0xed) hi = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) lo = 0x90;  // overlong
    if (b0 == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  const auto b1 = static_cast<unsigned char>(s[1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t i = 2; i < length; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return length;
}

// Offset of the first ill-formed byte, text.size() when there is none.
size_t firstInvalidUtf8(std::string_view text) {
  size_t offset = 0;
  while (offset < text.size()) {
    const size_t n = utf8SequenceLength(text.substr(offset));
    if (n == 0) return offset;
    offset += n;
  }
  return offset;
}

}  // namespace

Result<rapidjson::Document> parseObject(std::string_view body) {
  if (body.empty()) return parseError("request body is empty; send a JSON object");
  if (const auto nul = body.find('\0'); nul != std::string_view::npos) {
    return parseError("request body contains a NUL byte at " + position(body, nul));
  }
  if (const auto bad = firstInvalidUtf8(body); bad != body.size()) {
    return parseError("request body is not valid UTF-8 (at " + position(body, bad) + ")");
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.data(),
                                                                                    body.size());
  if (doc.HasParseError()) {
    return parseError(std::string("request body is not valid JSON: ") +
                      rapidjson::GetParseError_En(doc.GetParseError()) + " (at " +
                      position(body, doc.GetErrorOffset()) + ")");
  }
  if (!doc.IsObject()) return parseError("request body must be a JSON object");
  if (auto error = checkStructure(doc)) return std::move(*error);
  return doc;
}

bool isValidUtf8(std::string_view text) { return firstInvalidUtf8(text) == text.size(); }

std::string sanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t n = utf8SequenceLength(text);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, n));
      text.remove_prefix(n);
    }
  }
  return out;
}

void writeString(JsonWriter& writer, std::string_view text) {
  if (isValidUtf8(text)) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    const std::string clean = sanitizeUtf8(text);
    writer.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  }
}

void writeKey(JsonWriter& writer, std::string_view key) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

}  // namespace zp::api
