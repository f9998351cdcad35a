#pragma once
// The account pages' bodies (issue 9): plain server-rendered HTML, every user
// string escaped (html.h). What each page shows:
//   login       user name + password form (CSRF pair in a cookie and a field)
//   /account/   the user's zones: domain, records, serial, and one mark that
//               says whether every nameserver serves the latest serial
//   zone page   the zone's records and its recent history
//   developers  the user's tokens (name, permissions, scope, created, last used,
//               expiry, first characters; never a secret), "create token" with
//               permissions and scope, "revoke" behind a confirmation; right
//               after a creation, the secret once with a copy button and a
//               warning that it will not be shown again
// Stateless functions, thread-safe. They return body HTML for renderPage().

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/dns/record.h"
#include "pipelines/api/token_json.h"

namespace zp::api {

struct ZoneRow {
  std::string uuid;
  std::string domain;
  uint32_t recordCount = 0;
  uint32_t soaSerial = 0;
  std::optional<bool> inSync;  // nullopt: the pusher did not answer
  std::string statusDetail;    // why not in sync
};

struct ChangeRow {
  int64_t time = 0;
  uint32_t serial = 0;
  std::string action;  // "record_created", ...
  std::string what;    // "TXT _acme-challenge proof"
};

std::string loginBody(const std::string& loginCsrf, const std::string& error,
                      const std::string& user);
std::string zonesBody(const std::vector<ZoneRow>& zones);
std::string zoneBody(const ZoneRow& zone, const std::vector<dns::Record>& records,
                     const std::vector<ChangeRow>& changes);

struct DevelopersView {
  std::string csrf;
  std::vector<TokenView> tokens;
  std::vector<ZoneRow> zones;        // for the scope picker
  std::optional<TokenView> created;  // just created: show its secret once
  std::string secret;                // with `created`
  std::string error;                 // a refused creation, in words
};
std::string developersBody(const DevelopersView& view);

// A page for an error (status in the title), with a link back.
std::string errorBody(const std::string& message);

}  // namespace zp::api
