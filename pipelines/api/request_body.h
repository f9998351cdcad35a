#pragma once
// Decoding request bodies into the domain's input types. Checks only the JSON
// shape (which fields, which JSON types); the rules for the values themselves
// (TTL range, names, addresses) belong to common/dns/validate and run in the
// validator. Stateless functions, thread-safe.
//
// Errors: kParse when the body is not one strict JSON object; kValidation
// naming the field when a field is missing ("record_type is required"), of
// the wrong type ("ttl must be an integer"), out of int64 range, or unknown
// ("unknown field `tll`"). Read-only fields the API itself returns are
// accepted and ignored, so a client may send back what it received.

#include <string>
#include <string_view>

#include "common/dns/record.h"
#include "common/util/result.h"

namespace zp::api {

// POST /dns-zones/ {"domain": "..."}: returns the raw domain text.
Result<std::string> decodeZoneBody(std::string_view body);

// POST /dns-zones/{uuid}/records/ {"record_type", "name", "value", "ttl"?,
// "priority"?}. `null` for ttl/priority means absent.
Result<dns::RecordInput> decodeRecordBody(std::string_view body);

}  // namespace zp::api
