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

ZoneFileBuilder::ZoneFileBuilder(const std::string& domain, ZoneFileSettings settings)
    : domain_(domain), settings_(std::move(settings)) {
  zoneName(domain_);  // throws when not normalised
  if (settings_.nameservers.empty()) {
    throw std::invalid_argument(
        "zone file: no nameservers configured; every zone needs NS records");
  }
}

void ZoneFileBuilder::add(std::vector<dns::Record> records) {
  const dns::DnsName zone = zoneName(domain_);
  for (dns::Record& r : records) {
    recheck(r, domain_);
    std::string text = line(r, zone);
    lines_.push_back({std::move(r), std::move(text)});
  }
}

std::string ZoneFileBuilder::finish(const dns::Zone& zone) {
  if (zone.domain != domain_) {
    throw std::invalid_argument("zone file: records of " + domain_ + " for zone " + zone.domain);
  }
  std::vector<const Line*> sorted;
  sorted.reserve(lines_.size());
  size_t bytes = 256 * (settings_.nameservers.size() + 3);
  for (const Line& l : lines_) {
    sorted.push_back(&l);
    bytes += l.text.size() + 1;
  }
  std::sort(sorted.begin(), sorted.end(), [](const Line* a, const Line* b) {
    const dns::Record& x = a->record;
    const dns::Record& y = b->record;
    return std::forward_as_tuple(x.data.name != "@", x.data.name, x.data.type, x.data.value,
                                 x.uuid) < std::forward_as_tuple(y.data.name != "@", y.data.name,
                                                                 y.data.type, y.data.value, y.uuid);
  });
  const std::string apex = zoneName(domain_).toAbsolute();
  const uint32_t serial = soaSerialOf(zone);
  std::string out;
  out.reserve(bytes);
  out += "; zone " + domain_ + ", serial " + std::to_string(serial) + "\n";
  out += "; generated by zonepipe from its store; edits here are overwritten\n";
  out += soaText(apex, serial, settings_) + "\n";
  for (const std::string& ns : settings_.nameservers) {
    out += apex + " " + std::to_string(settings_.nsTtl) + " IN NS " +
           configuredName(ns, "nameserver") + "\n";
  }
  for (const Line* l : sorted) {
    out += l->text;
    out += '\n';
  }
  lines_.clear();
  return out;
}

std::string renderZoneFile(const dns::ZoneSnapshot& snapshot, const ZoneFileSettings& settings) {
  ZoneFileBuilder builder(snapshot.zone.domain, settings);
  builder.add(snapshot.records);
  return builder.finish(snapshot.zone);
}

}  // namespace zp::dns
