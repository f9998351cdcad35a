#include "pipelines/push/catalog.h"

#include <cstdio>
#include <stdexcept>

namespace zp::push {

std::string catalogMemberLabel(const std::string& domain) {
  uint64_t h = 0xcbf29ce484222325u;
  for (const char c : domain) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3u;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

std::string catalogSoaLine(uint32_t serial) {
  return std::string(kCatalogZone) + ". 0 IN SOA invalid. invalid. " + std::to_string(serial) +
         " 3600 600 2147483646 0";
}

std::string catalogMemberLine(const std::string& domain) {
  return catalogMemberLabel(domain) + ".zones." + kCatalogZone + ". 0 IN PTR " + domain + ".";
}

std::string renderCatalog(const std::set<std::string>& members, uint32_t serial) {
  const std::string apex = std::string(kCatalogZone) + ".";
  std::string out;
  out += "; catalog zone of zonepipe (RFC 9432 version 2), serial " + std::to_string(serial) + "\n";
  out += "; written by zonepipe-push; the secondaries follow it\n";
  out += catalogSoaLine(serial) + "\n";
  out += apex + " 0 IN NS invalid.\n";
  out += "version." + apex + " 0 IN TXT \"2\"\n";
  std::set<std::string> labels;
  for (const std::string& domain : members) {
    const std::string label = catalogMemberLabel(domain);
    if (!labels.insert(label).second) {
      throw std::logic_error("catalog: two member zones hash to the label " + label);
    }
    out += catalogMemberLine(domain) + "\n";
  }
  return out;
}

}  // namespace zp::push
