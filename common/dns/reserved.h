#pragma once
// Zone domains a user may not create because the nameservers could never serve
// them for that user: names the service or named itself answers for, and
// zones that would contain the service's own nameservers. The validator
// refuses them before anything is stored and the store re-checks them, so
// such a zone is never committed and never left retrying its deploy.

#include <span>
#include <string>
#include <string_view>

#include "common/dns/name.h"
#include "common/util/result.h"

namespace zp::dns {

// The service's own namespace below `.invalid`, a name RFC 6761 §6.4 keeps out
// of the real DNS, so it cannot collide with a user's domain.
inline constexpr std::string_view kServiceDomain = "zonepipe.invalid";
// The catalog zone the pusher maintains for the secondaries (RFC 9432; see
// pipelines/push/catalog.h). Defined here, beside the rule that reserves it.
inline constexpr const char* kCatalogZone = "catalog.zonepipe.invalid";
static_assert(std::string_view(kCatalogZone).ends_with(kServiceDomain));

// Refuses (a validation error on field "domain") the normalised zone domain
// `zone` when it is
//  - at or below zonepipe.invalid: the service's catalog zone lives there;
//  - at or below `bind` or `server`: named answers version.bind,
//    hostname.bind, authors.bind and id.server from its built-in CHAOS view
//    (BIND 9.18, bin/named/config.c, view "_bind"), and version.server and
//    hostname.server are the same queries on other servers (NSD, Unbound);
//  - at or above one of `nameservers` (config dns.nameservers): every zone's
//    apex NS records name the service's nameservers, so such a zone would hold
//    its own NS names without address records, and named refuses to load a
//    zone like that (named-checkzone: "NS ... has no address records").
// A nameserver name that does not parse as a hostname is skipped (the
// renderer reports a bad nameserver configuration itself).
Status checkZoneNotReserved(const DnsName& zone, std::span<const std::string> nameservers);

}  // namespace zp::dns
