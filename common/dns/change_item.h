#pragma once
// One change of a change set (issue 11 item 4): create a record, update one
// (the whole new record, as PUT) or delete one, by record uuid. What the API's
// change sets, rollbacks and imports and the admin CLI's `zone import` send as
// Command.changeSet (common/schema/change_set.h). A value type.

#include <string>

#include "common/dns/record.h"

namespace zp::dns {

struct ChangeItem {
  enum class Action { kCreate, kUpdate, kDelete };
  Action action = Action::kCreate;
  std::string uuid;   // update, delete: the record
  RecordInput input;  // create, update
};

}  // namespace zp::dns
