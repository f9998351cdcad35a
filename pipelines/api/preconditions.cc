#include "pipelines/api/preconditions.h"

namespace zp::api {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

// etagc = %x21 / %x23-7E / obs-text (RFC 9110 section 8.8.3).
bool isEtagChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u != 0x7f);
}

std::optional<uint64_t> versionOf(const EntityTag& tag) {
  if (tag.weak || tag.opaque.empty() || tag.opaque.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (const char c : tag.opaque) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

Result<EntityTagList> parseEntityTags(std::string_view value, std::string_view header) {
  const std::string field(header);
  auto bad = [&](const std::string& what) {
    return Error::validation(field, field + " " + what +
                                        "; send * or quoted ETags as the API gave them "
                                        "(\"57\"), separated by commas");
  };
  size_t i = 0;
  auto skipSpace = [&] {
    while (i < value.size() && isSpace(value[i])) ++i;
  };
  skipSpace();
  if (i == value.size()) return bad("is empty");
  EntityTagList out;
  if (value[i] == '*') {
    ++i;
    skipSpace();
    if (i != value.size()) return bad("holds * and something else");
    out.any = true;
    return out;
  }
  while (true) {
    skipSpace();
    if (i < value.size() && value[i] == ',') {  // empty list elements are allowed (RFC 9110 5.6.1)
      ++i;
      continue;
    }
    if (i == value.size()) break;
    EntityTag tag;
    if (value.substr(i, 2) == "W/") {
      tag.weak = true;
      i += 2;
    }
    if (i == value.size() || value[i] != '"') return bad("holds an ETag without its quotes");
    ++i;
    const size_t start = i;
    while (i < value.size() && value[i] != '"') {
      if (!isEtagChar(value[i])) return bad("holds a character not allowed in an ETag");
      ++i;
    }
    if (i == value.size()) return bad("holds an ETag without its closing quote");
    tag.opaque = std::string(value.substr(start, i - start));
    ++i;
    if (tag.opaque.size() > kMaxOpaqueOctets) return bad("holds an ETag that is too long");
    out.tags.push_back(std::move(tag));
    if (out.tags.size() > kMaxEntityTags) {
      return bad("holds more than " + std::to_string(kMaxEntityTags) + " ETags");
    }
    skipSpace();
    if (i == value.size()) break;
    if (value[i] != ',') return bad("holds something after an ETag that is not a comma");
  }
  if (out.tags.empty()) return bad("holds no ETag");
  return out;
}

Result<Preconditions> parseIfMatch(const std::optional<std::string>& ifMatch) {
  Preconditions p;
  if (!ifMatch) return p;
  auto list = parseEntityTags(*ifMatch, "If-Match");
  if (!list) return list.error();
  if (list->any) return p;
  p.ifMatch = true;
  for (const auto& tag : list->tags) {
    if (auto v = versionOf(tag)) p.versions.push_back(*v);
  }
  return p;
}

Result<Preconditions> parseCreatePreconditions(const std::optional<std::string>& ifMatch,
                                               const std::optional<std::string>& ifNoneMatch) {
  auto p = parseIfMatch(ifMatch);
  if (!p) return p;
  if (!ifNoneMatch) return p;
  auto list = parseEntityTags(*ifNoneMatch, "If-None-Match");
  if (!list) return list.error();
  if (!list->any) {
    return Error::validation("If-None-Match",
                             "If-None-Match on a create takes only *: create the record only "
                             "if the same name, type and value do not exist yet");
  }
  Preconditions out = std::move(p).value();
  out.ifNoneMatch = true;
  return out;
}

void fillPrecondition(const Preconditions& p, schema::Command::Builder command) {
  if (!p.any()) return;
  auto out = command.initPrecondition();
  out.setIfMatch(p.ifMatch);
  auto list = out.initVersions(static_cast<unsigned>(p.versions.size()));
  for (unsigned i = 0; i < list.size(); ++i) list.set(i, p.versions[i]);
  out.setIfNoneMatch(p.ifNoneMatch);
}

Status checkIfMatch(const Preconditions& p, uint64_t version, std::string_view what) {
  if (!p.ifMatch) return std::nullopt;
  for (const uint64_t v : p.versions) {
    if (v == version) return std::nullopt;
  }
  return Error{ErrorKind::kPreconditionFailed, "If-Match",
               "the " + std::string(what) + " changed since you read it: its ETag is now " +
                   etagOf(version) +
                   ", which If-Match does not name; read it again, redo your change and retry"};
}

std::string etagOf(uint64_t version) { return "\"" + std::to_string(version) + "\""; }

}  // namespace zp::api
