#include "common/dns/zone_text.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <tuple>

#include "common/dns/name.h"
#include "common/dns/record_spec.h"
#include "common/dns/serial.h"
#include "common/dns/text.h"
#include "common/dns/validate.h"

namespace zp::dns {

namespace {

// A configured name (nameserver, SOA mailbox) as an absolute name.
std::string configuredName(const std::string& text, std::string_view what) {
  auto name = dns::DnsName::parseHostname(text, what);
  if (!name) {
    throw std::invalid_argument("zone file: configured " + std::string(what) + " '" + text +
                                "' is not a valid hostname: " + name.error().detail);
  }
  return name->toAbsolute();
}

std::string rdata(const dns::RecordData& r) { return dns::specFor(r.type).write(r); }

// The cheap re-check: the stored record must be exactly what validation
// produces from it, so every value below is canonical and safe to write.
void recheck(const dns::Record& record, const std::string& domain) {
  dns::RecordInput input;
  input.type = std::string(dns::toString(record.data.type));
  input.name = record.data.name;
  input.value = record.data.value;
  input.ttl = record.data.ttl;
  if (record.data.priority) input.priority = *record.data.priority;
  auto valid = dns::validateRecord(input);
  if (!valid) {
    throw std::invalid_argument("zone file: record " + record.uuid + " of zone " + domain +
                                " fails validation: " + valid.error().detail);
  }
  const bool relative = record.data.name == "@" || record.data.name.back() != '.';
  if (!(valid.value() == record.data) || !relative) {
    throw std::invalid_argument("zone file: record " + record.uuid + " of zone " + domain +
                                " is not stored in canonical form");
  }
}

std::string soaText(const std::string& apex, uint32_t serial, const ZoneFileSettings& settings) {
  if (settings.nameservers.empty()) {
    throw std::invalid_argument(
        "zone file: no nameservers configured; every zone needs NS records");
  }
  return apex + " " + std::to_string(settings.nsTtl) + " IN SOA " +
         configuredName(settings.nameservers.front(), "nameserver") + " " +
         configuredName(settings.soaRname, "SOA mailbox") + " " + std::to_string(serial) + " " +
         std::to_string(settings.refresh) + " " + std::to_string(settings.retry) + " " +
         std::to_string(settings.expire) + " " + std::to_string(settings.minimum);
}

std::string line(const dns::Record& r, const dns::DnsName& zone) {
  return dns::absoluteOwner(r.data.name, zone) + " " + std::to_string(r.data.ttl) + " IN " +
         std::string(dns::toString(r.data.type)) + " " + rdata(r.data);
}

dns::DnsName zoneName(const std::string& domain) {
  auto zone = dns::DnsName::parseZoneDomain(domain);
  if (!zone || zone->text() != domain) {
    throw std::invalid_argument("zone file: zone domain '" + domain + "' is not normalised");
  }
  return *zone;
}

}  // namespace

std::string soaLine(const std::string& domain, uint32_t serial, const ZoneFileSettings& settings) {
  return soaText(zoneName(domain).toAbsolute(), serial, settings);
}

std::string recordLine(const dns::Record& record, const std::string& domain) {
  recheck(record, domain);
  return line(record, zoneName(domain));
}

ZoneFileSettings settingsFrom(const config::Config& cfg) {
  ZoneFileSettings s;
  s.nameservers = cfg.nameservers;
  s.soaRname = cfg.soaRname;
  s.refresh = cfg.soaRefresh;
  s.retry = cfg.soaRetry;
  s.expire = cfg.soaExpire;
  s.minimum = cfg.soaMinimum;
  s.nsTtl = cfg.nsTtl;
  return s;
}

std::string renderZoneFile(const dns::ZoneSnapshot& snapshot, const ZoneFileSettings& settings) {
  const std::string& domain = snapshot.zone.domain;
  auto zone = dns::DnsName::parseZoneDomain(domain);
  if (!zone || zone->text() != domain) {
    throw std::invalid_argument("zone file: zone domain '" + domain + "' is not normalised");
  }
  if (settings.nameservers.empty()) {
    throw std::invalid_argument(
        "zone file: no nameservers configured; every zone needs NS records");
  }
  const std::string apex = zone->toAbsolute();

  std::vector<const dns::Record*> records;
  records.reserve(snapshot.records.size());
  for (const dns::Record& r : snapshot.records) {
    recheck(r, domain);
    records.push_back(&r);
  }
  std::sort(records.begin(), records.end(), [](const dns::Record* a, const dns::Record* b) {
    return std::forward_as_tuple(a->data.name != "@", a->data.name, a->data.type, a->data.value,
                                 a->uuid) < std::forward_as_tuple(b->data.name != "@", b->data.name,
                                                                  b->data.type, b->data.value,
                                                                  b->uuid);
  });

  const uint32_t serial = soaSerialOf(snapshot.zone);

  std::string out;
  out += "; zone " + domain + ", serial " + std::to_string(serial) + "\n";
  out += "; generated by zonepipe from its store; edits here are overwritten\n";
  out += soaText(apex, serial, settings) + "\n";
  for (const std::string& ns : settings.nameservers) {
    out += apex + " " + std::to_string(settings.nsTtl) + " IN NS " +
           configuredName(ns, "nameserver") + "\n";
  }
  for (const dns::Record* r : records) {
    out += line(*r, *zone) + "\n";
  }
  return out;
}

}  // namespace zp::dns
