#include "pipelines/store/record_filter.h"

namespace zp::store {

RecordFilter RecordFilter::from(schema::RecordFilter::Reader in) {
  RecordFilter f;
  f.name = in.getName();
  f.nameIsAbsolute = in.getNameIsAbsolute();
  f.value = in.getValue();
  f.nameContains = in.getNameContains();
  f.nameStartswith = in.getNameStartswith();
  return f;
}

bool RecordFilter::matchesName(std::string_view relativeName, std::string_view zoneDomain) const {
  if (!nameContains.empty() && relativeName.find(nameContains) == std::string_view::npos) {
    return false;
  }
  if (!nameStartswith.empty() && !relativeName.starts_with(nameStartswith)) return false;
  if (name.empty()) return true;
  const bool fqdnMatches = relativeName == "@"
                               ? name == zoneDomain
                               : name.size() == relativeName.size() + 1 + zoneDomain.size() &&
                                     std::string_view(name).starts_with(relativeName) &&
                                     name[relativeName.size()] == '.' &&
                                     std::string_view(name).ends_with(zoneDomain);
  if (nameIsAbsolute) return fqdnMatches;
  return fqdnMatches || name == relativeName;
}

}  // namespace zp::store
