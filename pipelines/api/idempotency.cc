#include "pipelines/api/idempotency.h"

#include "common/auth/token.h"

namespace zp::api {
namespace {

// Length-prefixed, so no two different requests hash the same bytes.
void append(std::string& out, std::string_view part) {
  out += std::to_string(part.size());
  out += ':';
  out += part;
}

}  // namespace

Result<std::optional<IdempotencyRequest>> idempotencyOf(const ApiRequest& req,
                                                        std::string_view method) {
  auto key = req.header("idempotency-key");
  if (!key) return std::optional<IdempotencyRequest>();
  bool ok = !key->empty() && key->size() <= kMaxIdempotencyKeyOctets;
  for (const char c : *key) ok = ok && c >= 0x21 && c <= 0x7e;
  if (!ok) {
    return Error::validation("Idempotency-Key",
                             "an Idempotency-Key is 1 to 255 visible ASCII characters (no "
                             "spaces), e.g. a random UUID made once per operation");
  }
  std::string path = req.target;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string bytes;
  append(bytes, method);
  append(bytes, path);
  for (const auto& [name, value] : req.queryParams) {
    if (name == "wait" || name == "timeout_ms") continue;
    append(bytes, name);
    append(bytes, value);
  }
  append(bytes, req.body);
  const auto hash = auth::hashSecret(bytes);
  return std::optional<IdempotencyRequest>(IdempotencyRequest{
      *key, std::string(reinterpret_cast<const char*>(hash.data()), hash.size())});
}

void fillIdempotency(const IdempotencyRequest& request, const std::string& note,
                     schema::Command::Builder command) {
  auto out = command.initIdempotency();
  out.setKey(request.key);
  out.setRequestHash(kj::arrayPtr(reinterpret_cast<const kj::byte*>(request.requestHash.data()),
                                  request.requestHash.size()));
  if (!note.empty()) {
    out.setNote(kj::arrayPtr(reinterpret_cast<const kj::byte*>(note.data()), note.size()));
  }
}

}  // namespace zp::api
