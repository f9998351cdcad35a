#include "pipelines/api/zone_lookup.h"

#include <utility>

#include "common/dns/name.h"
#include "common/schema/codec.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/query_string.h"

namespace zp::api {

Result<std::vector<std::string>> zonesThatMayHold(std::string_view raw, std::string_view field) {
  auto decoded = percentDecode(raw, field);
  if (!decoded) return decoded.error();
  std::string name = lowerAscii(std::move(decoded).value());
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty() || name.size() > 253 || name.find("..") != std::string::npos ||
      name.front() == '.') {
    return Error::validation(std::string(field),
                             std::string(field) + " must be a DNS name, e.g. www.example.com");
  }
  std::vector<std::string> out;
  for (size_t at = 0; at != std::string::npos;) {
    const std::string suffix = name.substr(at);
    if (suffix.find('.') == std::string::npos) break;  // zones have two labels or more
    if (auto zone = dns::DnsName::parseZoneDomain(suffix)) out.push_back(zone->text());
    const size_t dot = name.find('.', at);
    at = dot == std::string::npos ? dot : dot + 1;
  }
  return out;
}

void ZoneLookup::find(const ExchangePtr& x, std::vector<std::string> candidates, Found found) {
  next(x, std::make_shared<const std::vector<std::string>>(std::move(candidates)), 0,
       std::make_shared<const Found>(std::move(found)));
}

// Asks for candidates[i], then the next, until one is the user's zone.
void ZoneLookup::next(const ExchangePtr& x,
                      std::shared_ptr<const std::vector<std::string>> candidates, size_t i,
                      std::shared_ptr<const Found> found) {
  if (i >= candidates->size()) return (*found)(std::nullopt);
  calls_.query(
      x,
      [&](schema::Query::Builder q) {
        auto body = q.getBody().initListZones();
        body.setDomain((*candidates)[i]);
        body.setLimit(1);
      },
      [this, x, candidates, i, found](schema::Reply::Reader reply) {
        if (!reply.getBody().isZones()) {
          return x->fail(internalError("the store answered listZones with another body"));
        }
        auto items = reply.getBody().getZones().getItems();
        if (items.size() == 0) return next(x, candidates, i + 1, found);
        (*found)(schema::fromSchema(items[0]));
      });
}

}  // namespace zp::api
