#pragma once
// The filters of both record lists (issue 11), parsed from the query string:
//   record_type      one type, case-insensitive
//   name             exact: relative to the zone ("www", "@") or the FQDN
//                    ("www.example.com"); with a trailing dot only the FQDN
//   value            exact, as the API shows it (canonical form)
//   name_contains    a substring of the relative name (case-insensitive)
//   name_startswith  a prefix of the relative name (case-insensitive)
//   zone             (GET /dns-records/ only) a zone uuid
// All combine (AND). A filter given empty is refused (validation_error on its
// field) rather than ignored: a cleanup script must never act on a wider list
// than it asked for. Pure functions, thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/pagination.h"
#include "schema/pipeline.capnp.h"

namespace zp::api {

struct RecordListFilter {
  std::string zone;  // uuid, lower-case; "" = every zone
  std::string type;  // "TXT"; "" = every type
  std::string name;  // lower-case, no trailing dot
  bool nameIsAbsolute = false;
  std::string nameParam;  // as it goes back into links (trailing dot kept)
  std::string value;
  std::string nameContains;
  std::string nameStartswith;

  // The store's RecordFilter (only when a name/value filter is set).
  bool hasRecordFilter() const {
    return !name.empty() || !value.empty() || !nameContains.empty() || !nameStartswith.empty();
  }
  void toSchema(schema::RecordFilter::Builder out) const;
  // The filters to repeat in the Link header, in documentation order
  // (views into this object).
  std::vector<QueryParam> linkParams() const;
};

// `withZone`: the cross-zone list, which takes `zone`.
Result<RecordListFilter> parseRecordFilters(const ApiRequest& req, bool withZone);

}  // namespace zp::api
