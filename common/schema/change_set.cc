#include "common/schema/change_set.h"

#include "common/dns/zone_text.h"
#include "common/schema/codec.h"

namespace zp::schema {

void fillChangeSet(const std::string& zoneUuid, const std::vector<dns::ChangeItem>& items,
                   bool dryRun, Command::Builder command) {
  using Action = dns::ChangeItem::Action;
  command.setDryRun(dryRun);
  auto g = command.getBody().initChangeSet();
  g.setZoneUuid(zoneUuid);
  auto list = g.initItems(static_cast<unsigned>(items.size()));
  for (unsigned i = 0; i < list.size(); ++i) {
    const dns::ChangeItem& item = items[i];
    switch (item.action) {
      case Action::kCreate:
        toSchema(item.input, list[i].initCreate());
        break;
      case Action::kUpdate: {
        auto u = list[i].initUpdate();
        u.setRecordUuid(item.uuid);
        toSchema(item.input, u.initInput());
        break;
      }
      case Action::kDelete:
        list[i].setDelete(item.uuid);
        break;
    }
  }
}

std::vector<std::string> changedLines(capnp::List<Event>::Reader events,
                                      const std::string& domain) {
  std::vector<std::string> out;
  for (auto event : events) {
    auto change = event.getChange();
    if (change.isRecordDeleted()) {
      out.push_back("-" + dns::recordLine(fromSchema(change.getRecordDeleted()), domain));
    } else if (change.isRecordUpdated()) {
      out.push_back("-" +
                    dns::recordLine(fromSchema(change.getRecordUpdated().getBefore()), domain));
      out.push_back("+" +
                    dns::recordLine(fromSchema(change.getRecordUpdated().getAfter()), domain));
    } else if (change.isRecordCreated()) {
      out.push_back("+" + dns::recordLine(fromSchema(change.getRecordCreated()), domain));
    }
  }
  return out;
}

}  // namespace zp::schema
