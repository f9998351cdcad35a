#pragma once
// Command.changeSet from change items (common/dns/change_item.h): what the
// API's change sets, rollbacks and imports and the admin CLI's `zone import`
// send to the validator, which validates every item and forwards
// changeSetValid to the store. Pure; thread-safe.

#include <string>
#include <vector>

#include "common/dns/change_item.h"
#include "schema/pipeline.capnp.h"

namespace zp::schema {

// Sets the body (and dryRun) of `command`; its version, request id and
// actor are the caller's.
void fillChangeSet(const std::string& zoneUuid, const std::vector<dns::ChangeItem>& items,
                   bool dryRun, Command::Builder command);

// The zone-file lines a change set's events changed, in order: "-<line>"
// for a deleted record or an update's old one, "+<line>" for a created
// record or an update's new one (dns::recordLine, records of `domain`).
std::vector<std::string> changedLines(capnp::List<Event>::Reader events, const std::string& domain);

}  // namespace zp::schema
