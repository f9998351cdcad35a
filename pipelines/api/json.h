#pragma once
// Strict JSON for the HTTP edge (TOOLCHAIN.md section 4): parsing request
// bodies with RapidJSON's validating, iterative parser plus the checks it
// lacks (NUL bytes, duplicate keys, nesting depth), and writing JSON that is
// always valid UTF-8. Stateless functions, thread-safe.

// RapidJSON is configured (throwing asserts) by common/json/rapidjson_config.h,
// force-included into every target.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "common/util/result.h"

namespace zp::api {

inline constexpr int kMaxJsonDepth = 32;  // nested objects/arrays, the body itself is depth 1

// Parses a request body that must be one JSON object. Every failure is a
// kParse error whose detail says what is wrong and where (line, column).
Result<rapidjson::Document> parseObject(std::string_view body);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool isValidUtf8(std::string_view text);
// `text` with every ill-formed byte replaced by U+FFFD.
std::string sanitizeUtf8(std::string_view text);

using JsonWriter =
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                      rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

// Writes a string value or key; ill-formed UTF-8 is replaced, never emitted.
void writeString(JsonWriter& writer, std::string_view text);
void writeKey(JsonWriter& writer, std::string_view key);

}  // namespace zp::api
