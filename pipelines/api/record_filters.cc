#include "pipelines/api/record_filters.h"

#include "common/dns/record_type.h"
#include "common/util/ids.h"
#include "pipelines/api/query_string.h"

namespace zp::api {
namespace {

constexpr size_t kMaxFilterBytes = 4096;

// The decoded value of `field`, refused when empty or oversized; nullopt when absent.
Result<std::optional<std::string>> decodedParam(const ApiRequest& req, std::string_view field) {
  auto raw = req.query(field);
  if (!raw) return std::optional<std::string>();
  auto decoded = percentDecode(*raw, field);
  if (!decoded) return decoded.error();
  if (decoded->empty()) {
    return Error::validation(
        std::string(field),
        std::string(field) + " is empty; leave the parameter out to list without it");
  }
  if (decoded->size() > kMaxFilterBytes) {
    return Error::validation(std::string(field), std::string(field) + " is longer than " +
                                                     std::to_string(kMaxFilterBytes) + " bytes");
  }
  return std::optional<std::string>(std::move(decoded).value());
}

}  // namespace

Result<RecordListFilter> parseRecordFilters(const ApiRequest& req, bool withZone) {
  RecordListFilter f;
  if (withZone) {
    if (auto raw = req.query("zone")) {
      auto decoded = percentDecode(*raw, "zone");
      if (!decoded) return decoded.error();
      if (!decoded->empty() && !looksLikeUuid(*decoded)) {
        return Error::validation("zone", "zone must be the uuid of a zone");
      }
      f.zone = lowerAscii(std::move(decoded).value());
    }
  }
  if (auto raw = req.query("record_type")) {
    auto decoded = percentDecode(*raw, "record_type");
    if (!decoded) return decoded.error();
    f.type = upperAscii(std::move(decoded).value());
    if (!f.type.empty() && !dns::recordTypeFromString(f.type)) {
      return Error::validation("record_type",
                               "record_type must be one of A, AAAA, CNAME, MX, TXT, NS, SRV, CAA, "
                               "PTR, TLSA, SSHFP, DS, NAPTR, DNAME, HTTPS, SVCB");
    }
  }
  auto name = decodedParam(req, "name");
  if (!name) return name.error();
  if (*name) {
    f.name = lowerAscii(std::move(**name));
    if (f.name.size() > 1 && f.name.back() == '.') {
      f.name.pop_back();
      f.nameIsAbsolute = true;
    }
    if (f.name == ".") return Error::validation("name", "name must be a record name, not the root");
    f.nameParam = f.name + (f.nameIsAbsolute ? "." : "");
  }
  auto value = decodedParam(req, "value");
  if (!value) return value.error();
  if (*value) f.value = std::move(**value);
  auto contains = decodedParam(req, "name_contains");
  if (!contains) return contains.error();
  if (*contains) f.nameContains = lowerAscii(std::move(**contains));
  auto startswith = decodedParam(req, "name_startswith");
  if (!startswith) return startswith.error();
  if (*startswith) f.nameStartswith = lowerAscii(std::move(**startswith));
  return f;
}

void RecordListFilter::toSchema(schema::RecordFilter::Builder out) const {
  out.setName(name);
  out.setNameIsAbsolute(nameIsAbsolute);
  out.setValue(value);
  out.setNameContains(nameContains);
  out.setNameStartswith(nameStartswith);
}

std::vector<QueryParam> RecordListFilter::linkParams() const {
  return {{"zone", zone},   {"record_type", type},           {"name", nameParam},
          {"value", value}, {"name_contains", nameContains}, {"name_startswith", nameStartswith}};
}

}  // namespace zp::api
