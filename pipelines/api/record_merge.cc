#include "pipelines/api/record_merge.h"

#include <string>

#include "common/dns/record_spec.h"

namespace zp::api {
namespace {

bool takesPriority(dns::RecordType type) {
  return dns::specFor(type).priority == dns::PriorityRule::kRequired;
}

}  // namespace

bool mergeNeedsZoneDomain(const dns::Record& stored, const RecordPatch& patch) {
  return !patch.name && stored.data.name.find('.') != std::string::npos;
}

dns::RecordInput mergePatch(const dns::Record& stored, const RecordPatch& patch,
                            std::string_view zoneDomain) {
  const dns::RecordData& d = stored.data;
  dns::RecordInput out;
  out.type = patch.type ? *patch.type : std::string(dns::toString(d.type));
  out.value = patch.value ? *patch.value : d.value;

  if (patch.name) {
    out.name = *patch.name;
  } else if (mergeNeedsZoneDomain(stored, patch) && !zoneDomain.empty()) {
    out.name = d.name + "." + std::string(zoneDomain) + ".";
  } else {
    out.name = d.name;
  }

  if (patch.ttl) {
    out.ttl = *patch.ttl;
  } else {
    out.ttl = static_cast<int64_t>(d.ttl);
  }

  if (patch.priority) {
    out.priority = *patch.priority;
  } else {
    const auto newType = dns::recordTypeFromString(out.type);
    const bool dropped = patch.type && newType && !takesPriority(*newType);
    if (!dropped && takesPriority(d.type) && d.priority) {
      out.priority = static_cast<int64_t>(*d.priority);
    }
  }
  return out;
}

}  // namespace zp::api
