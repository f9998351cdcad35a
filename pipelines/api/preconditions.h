#pragma once
// Conditional requests (issue 11 item 5; RFC 9110 sections 8.8.3 and 13.1):
// the ETag every record and zone answer carries, and the If-Match /
// If-None-Match headers a write sends back. The API only parses them: the
// store checks them in the write's own transaction (schema Precondition),
// so two PATCHes with the same If-Match cannot both win.
//
// ETags are strong, quoted decimal versions: a record's is the seq of the
// event that last wrote it (Record.version; "0" for a record not written
// since versions were stored), a zone's its serial (the seq of its last
// change). If-Match compares strongly (RFC 9110 8.8.3.2): a weak tag
// (W/"57") never matches. Pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

// One entity-tag of a header list (RFC 9110 section 8.8.3).
struct EntityTag {
  bool weak = false;
  std::string opaque;  // between the quotes
  bool operator==(const EntityTag&) const = default;
};

// An If-Match or If-None-Match value: "*" or a list of entity tags.
struct EntityTagList {
  bool any = false;  // "*"
  std::vector<EntityTag> tags;
  bool operator==(const EntityTagList&) const = default;
};

// Parses `value` (`*` or `#entity-tag`, comma separated, optional
// whitespace; at most kMaxEntityTags tags of kMaxOpaqueOctets octets).
// Errors: kValidation with field `header` ("If-Match") naming what is wrong.
Result<EntityTagList> parseEntityTags(std::string_view value, std::string_view header);

inline constexpr size_t kMaxEntityTags = 64;
inline constexpr size_t kMaxOpaqueOctets = 64;

// What a write's conditional headers ask the store to check.
struct Preconditions {
  bool ifMatch = false;            // If-Match with tags (not "*")
  std::vector<uint64_t> versions;  // the strong tags that are versions of ours
  bool ifNoneMatch = false;        // If-None-Match: *
  bool any() const { return ifMatch || ifNoneMatch; }
};

// The request's If-Match (nullopt: absent). "*" asks only that the target
// exists, which every write checks anyway (404 comes first, RFC 9110
// 13.2.1), so it asks nothing more.
Result<Preconditions> parseIfMatch(const std::optional<std::string>& ifMatch);
// If-Match plus If-None-Match for a record create: If-None-Match must be "*"
// (a list of tags is a 400: a new record has no ETag to compare).
Result<Preconditions> parseCreatePreconditions(const std::optional<std::string>& ifMatch,
                                               const std::optional<std::string>& ifNoneMatch);

// Command.precondition; nothing when `p` asks nothing.
void fillPrecondition(const Preconditions& p, schema::Command::Builder command);

// The store's own check (store.cc checkIfMatch), for an answer the API gives
// without a write (a rollback that changes nothing, a PATCH whose read
// already shows another version): kPreconditionFailed naming `what`
// ("record", "zone") and its current ETag, unless `p` allows `version`.
Status checkIfMatch(const Preconditions& p, uint64_t version, std::string_view what);

// `"57"`: the ETag header value of a version.
std::string etagOf(uint64_t version);

}  // namespace zp::api
