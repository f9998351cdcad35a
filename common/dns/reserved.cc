#include "common/dns/reserved.h"

namespace zp::dns {

namespace {

// A reserved tree (its apex and everything below it) and why, in the user's words.
struct ReservedTree {
  std::string_view apex;
  std::string_view why;
};

constexpr ReservedTree kReservedTrees[] = {
    {kServiceDomain, "names under zonepipe.invalid belong to zonepipe itself (its catalog zone)"},
    {"bind",
     "names under .bind (version.bind, hostname.bind, authors.bind) are answered by the "
     "nameserver software itself, so they cannot be served as a zone"},
    {"server",
     "names under .server (id.server, version.server, hostname.server) are answered by the "
     "nameserver software itself, so they cannot be served as a zone"},
};

bool isAtOrBelow(std::string_view name, std::string_view apex) {
  return name == apex || (name.size() > apex.size() && name.ends_with(apex) &&
                          name[name.size() - apex.size() - 1] == '.');
}

}  // namespace

Status checkZoneNotReserved(const DnsName& zone, std::span<const std::string> nameservers) {
  const std::string& domain = zone.text();
  for (const ReservedTree& tree : kReservedTrees) {
    if (isAtOrBelow(domain, tree.apex)) {
      return Error::validation("domain",
                               "domain " + domain + " is reserved: " + std::string(tree.why));
    }
  }
  for (const std::string& text : nameservers) {
    auto ns = DnsName::parseHostname(text, "nameserver");
    if (!ns || !ns->isAtOrBelow(zone)) continue;
    return Error::validation(
        "domain",
        "domain " + domain + " is reserved: " + (ns->text() == domain ? "it is " : "it contains ") +
            ns->text() +
            ", one of this service's own nameservers; every zone lists them in its NS records, "
            "and the nameservers refuse to load a zone whose NS names lie inside it without "
            "addresses");
  }
  return std::nullopt;
}

}  // namespace zp::dns
