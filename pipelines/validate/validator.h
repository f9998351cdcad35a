#pragma once
// The validator stage: turns a command as the API received it (raw input) into
// the command the store accepts (normalised, canonical), or the error to answer
// with. Pure: no sockets, no clock, no state; the rules are common/dns/.

#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/util/result.h"
#include "schema/pipeline.capnp.h"

namespace zp::validate {

// The configuration the rules depend on.
struct ValidatorOptions {
  // dns.nameservers: a zone at or above one of them is refused
  // (common/dns/reserved.h).
  std::vector<std::string> nameservers;

  static ValidatorOptions fromConfig(const config::Config& cfg);
};

// Fills `out` from `in`. Raw `createZone`/`createRecord` become
// `createZoneValid`/`createRecordValid`, `updateRecord` becomes
// `updateRecordValid`; deletes pass through unchanged.
// Returns the error for the client when the input is invalid or the command is
// not one the API may send (token commands go from the admin CLI to the store).
Status translate(schema::Command::Reader in, schema::Command::Builder out,
                 const ValidatorOptions& options);

}  // namespace zp::validate
