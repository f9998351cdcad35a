#include "common/dns/import_plan.h"

#include <map>
#include <tuple>

#include "common/dns/validate.h"

namespace zp::dns {
namespace {

using Key = std::tuple<std::string, RecordType, std::string>;  // name, type, value

Key keyOf(const RecordData& r) { return {r.name, r.type, r.value}; }

}  // namespace

Result<ImportMode> parseImportMode(const std::optional<std::string>& raw) {
  if (!raw || *raw == "merge") return ImportMode::kMerge;
  if (*raw == "replace") return ImportMode::kReplace;
  return Error::validation("mode", "mode must be merge (the default) or replace");
}

Result<ImportPlan> planImport(const ParsedZoneFile& file, std::span<const Record> current,
                              const DnsName& zone, ImportMode mode) {
  std::map<Key, const Record*> stored;
  for (const auto& r : current) stored.emplace(keyOf(r.data), &r);
  ImportPlan plan;
  std::map<Key, bool> inFile;
  for (size_t i = 0; i < file.records.size(); ++i) {
    const std::string line = "line " + std::to_string(i < file.lines.size() ? file.lines[i] : 0);
    auto valid = validateRecord(file.records[i]);
    if (!valid) {
      const Error& e = valid.error();
      return Error{e.kind, "body",
                   line + ": " + e.detail + (e.field.empty() ? "" : " (" + e.field + ")")};
    }
    RecordData data = std::move(valid).value();
    auto relative = relativizeOwner(data.name, zone);
    if (!relative)
      return Error{relative.error().kind, "body", line + ": " + relative.error().detail};
    data.name = std::move(relative).value();
    const Key key = keyOf(data);
    if (!inFile.emplace(key, true).second) continue;  // the same record twice: once is enough
    auto it = stored.find(key);
    if (it == stored.end()) {
      plan.items.push_back({ChangeItem::Action::kCreate, "", file.records[i]});
      ++plan.added;
    } else if (it->second->data == data) {
      ++plan.unchanged;
    } else {
      // A new TTL is a new record: inside a set each change is checked
      // against the others' state, so updating the TTLs of an RRset of
      // several records one by one would meet the one-TTL rule (RFC 2181
      // 5.2) half-way; deletes apply before creates, so this works.
      plan.items.push_back({ChangeItem::Action::kDelete, it->second->uuid, {}});
      plan.items.push_back({ChangeItem::Action::kCreate, "", file.records[i]});
      ++plan.changed;
    }
  }
  if (mode == ImportMode::kReplace) {
    for (const auto& r : current) {
      if (inFile.count(keyOf(r.data)) == 0) {
        plan.items.push_back({ChangeItem::Action::kDelete, r.uuid, {}});
        ++plan.removed;
      }
    }
  }
  return plan;
}

}  // namespace zp::dns
