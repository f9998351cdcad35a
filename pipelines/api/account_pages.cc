#include "pipelines/api/account_pages.h"

#include "common/dns/record_type.h"
#include "common/util/ids.h"
#include "pipelines/api/html.h"

namespace zp::api {
namespace {

const char* const kGrantable[] = {"dns:list",   "dns:read", "dns:create",   "dns:update",
                                  "dns:delete", "dns:*",    "tokens:manage"};

std::string e(const std::string& s) { return escapeHtml(s); }

std::string joined(const std::vector<std::string>& items, const std::string& none) {
  if (items.empty()) return none;
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string when(int64_t t, const std::string& none) { return t == 0 ? none : isoTime(t); }

std::string hidden(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + e(name) + "\" value=\"" + e(value) + "\">";
}

std::string mark(const ZoneRow& z) {
  if (!z.inSync) {
    return "<span class=\"mark unknown\" title=\"status unknown\">? unknown</span>";
  }
  if (*z.inSync) return "<span class=\"mark ok\">&#10003; served everywhere</span>";
  return "<span class=\"mark bad\" title=\"" + e(z.statusDetail) + "\">&#10007; not in sync</span>";
}

std::string scopeText(const TokenView& t, const std::vector<ZoneRow>& zones) {
  std::vector<std::string> parts;
  if (!t.scope.zones.empty()) {
    std::vector<std::string> names;
    for (const auto& uuid : t.scope.zones) {
      std::string shown = uuid;
      for (const auto& z : zones) {
        if (z.uuid == uuid) shown = z.domain;
      }
      names.push_back(shown);
    }
    parts.push_back("zones " + joined(names, ""));
  }
  if (!t.scope.recordTypes.empty()) parts.push_back("types " + joined(t.scope.recordTypes, ""));
  if (!t.scope.names.empty()) parts.push_back("names " + joined(t.scope.names, ""));
  if (!t.scope.allowedIps.empty()) parts.push_back("from " + joined(t.scope.allowedIps, ""));
  return joined(parts, "unlimited");
}

}  // namespace

std::string loginBody(const std::string& loginCsrf, const std::string& error,
                      const std::string& user) {
  std::string out;
  if (!error.empty()) out += "<p class=\"error\" role=\"alert\">" + e(error) + "</p>";
  out += "<form method=\"post\" action=\"/account/login/\" class=\"stack\">" +
         hidden("csrf", loginCsrf) +
         "<label for=\"user\">User name</label>"
         "<input id=\"user\" name=\"user\" autocomplete=\"username\" required autofocus value=\"" +
         e(user) +
         "\"><label for=\"password\">Password</label>"
         "<input id=\"password\" name=\"password\" type=\"password\" "
         "autocomplete=\"current-password\" required>"
         "<button type=\"submit\">Log in</button></form>";
  return out;
}

std::string zonesBody(const std::vector<ZoneRow>& zones) {
  if (zones.empty()) {
    return "<p>No zones yet. Create one with the API (<code>POST /api/v1/dns-zones/</code>).</p>";
  }
  std::string out =
      "<table><caption>Your zones</caption><thead><tr><th scope=\"col\">Domain</th>"
      "<th scope=\"col\">Records</th><th scope=\"col\">Serial</th>"
      "<th scope=\"col\">Nameservers</th></tr></thead><tbody>";
  for (const auto& z : zones) {
    out += "<tr><td><a href=\"/account/zones/" + e(z.uuid) + "/\">" + e(z.domain) +
           "</a></td><td>" + std::to_string(z.recordCount) + "</td><td>" +
           std::to_string(z.soaSerial) + "</td><td>" + mark(z) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string zoneBody(const ZoneRow& zone, const std::vector<dns::Record>& records,
                     const std::vector<ChangeRow>& changes) {
  std::string out = "<p>Serial " + std::to_string(zone.soaSerial) + " · " + mark(zone) + "</p>";
  out +=
      "<table><caption>Records</caption><thead><tr><th scope=\"col\">Name</th>"
      "<th scope=\"col\">Type</th><th scope=\"col\">Value</th><th scope=\"col\">TTL</th>"
      "<th scope=\"col\">Priority</th></tr></thead><tbody>";
  for (const auto& r : records) {
    out += "<tr><td>" + e(r.data.name) + "</td><td>" + e(std::string(dns::toString(r.data.type))) +
           "</td><td class=\"value\">" + e(r.data.value) + "</td><td>" +
           std::to_string(r.data.ttl) + "</td><td>" +
           (r.data.priority ? std::to_string(*r.data.priority) : std::string("")) + "</td></tr>";
  }
  out +=
      "</tbody></table><table><caption>Recent changes</caption><thead><tr>"
      "<th scope=\"col\">Time</th><th scope=\"col\">Serial</th><th scope=\"col\">Change</th>"
      "<th scope=\"col\">Record</th></tr></thead><tbody>";
  for (const auto& c : changes) {
    out += "<tr><td>" + isoTime(c.time) + "</td><td>" + std::to_string(c.serial) + "</td><td>" +
           e(c.action) + "</td><td class=\"value\">" + e(c.what) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string developersBody(const DevelopersView& v) {
  std::string out;
  if (v.created) {
    out +=
        "<section class=\"created\" aria-labelledby=\"created-h\"><h2 id=\"created-h\">Token "
        "created: " +
        e(v.created->name.empty() ? v.created->id : v.created->name) +
        "</h2><p class=\"warning\" role=\"alert\"><strong>Copy this token now. It will not be "
        "shown again.</strong></p><p><input id=\"new-token\" class=\"secret\" readonly "
        "aria-label=\"The new API token\" value=\"" +
        e(v.secret) +
        "\"> <button type=\"button\" id=\"copy-token\" data-copy=\"new-token\">Copy</button> "
        "<span id=\"copy-status\" role=\"status\"></span></p></section>";
  }
  out +=
      "<table><caption>Your API tokens</caption><thead><tr><th scope=\"col\">Name</th>"
      "<th scope=\"col\">Token</th><th scope=\"col\">Permissions</th><th scope=\"col\">Scope</th>"
      "<th scope=\"col\">Created</th><th scope=\"col\">Last used</th>"
      "<th scope=\"col\">Expires</th><th scope=\"col\"><span class=\"sr\">Actions</span></th>"
      "</tr></thead><tbody>";
  for (const auto& t : v.tokens) {
    out += "<tr class=\"token\" data-id=\"" + e(t.id) + "\"><td class=\"token-name\">" + e(t.name) +
           "</td><td><code>" + e(t.prefix.empty() ? t.id : t.prefix + "…") + "</code></td><td>" +
           e(joined(t.permissions, "")) + "</td><td>" + e(scopeText(t, v.zones)) + "</td><td>" +
           when(t.createdAt, "") + "</td><td>" + when(t.lastUsedAt, "never") + "</td><td>" +
           when(t.scope.expiresAt, "never") +
           "</td><td><form method=\"post\" action=\"/account/developers/" + e(t.id) +
           "/revoke/\" data-confirm=\"Revoke the token " + e(t.name.empty() ? t.id : t.name) +
           "? Programs using it will be refused at once.\">" + hidden("csrf", v.csrf) +
           "<button type=\"submit\" class=\"danger\">Revoke</button></form></td></tr>";
  }
  if (v.tokens.empty()) out += "<tr><td colspan=\"8\">No tokens yet.</td></tr>";
  out += "</tbody></table>";

  out += "<section aria-labelledby=\"create-h\"><h2 id=\"create-h\">Create a token</h2>";
  if (!v.error.empty()) out += "<p class=\"error\" role=\"alert\">" + e(v.error) + "</p>";
  out += "<form method=\"post\" action=\"/account/developers/\" class=\"stack\">" +
         hidden("csrf", v.csrf) +
         "<label for=\"name\">Name</label><input id=\"name\" name=\"name\" maxlength=\"200\">"
         "<fieldset><legend>Permissions</legend>";
  for (const char* p : kGrantable) {
    const std::string id = std::string("perm-") + p;
    out += "<label><input type=\"checkbox\" name=\"permissions\" value=\"" + e(p) + "\" id=\"" +
           e(id) + "\"> " + e(p) + "</label>";
  }
  out +=
      "</fieldset><fieldset><legend>Scope (leave empty for no limit)</legend>"
      "<label for=\"zones\">Zones</label><select id=\"zones\" name=\"zones\" multiple>";
  for (const auto& z : v.zones) {
    out += "<option value=\"" + e(z.uuid) + "\">" + e(z.domain) + "</option>";
  }
  out += "</select><fieldset><legend>Record types</legend>";
  for (const dns::RecordType type : dns::kAllRecordTypes) {  // every type the service serves
    const std::string t(dns::toString(type));
    out += "<label><input type=\"checkbox\" name=\"record_types\" value=\"" + e(t) +
           "\" id=\"type-" + e(t) + "\"> " + e(t) + "</label>";
  }
  out +=
      "</fieldset><label for=\"names\">Owner names (one per line, e.g. _acme-challenge and "
      "_acme-challenge.*)</label><textarea id=\"names\" name=\"names\" rows=\"2\"></textarea>"
      "<label for=\"expires_at\">Expires at (ISO 8601, e.g. 2027-01-01T00:00:00Z)</label>"
      "<input id=\"expires_at\" name=\"expires_at\">"
      "<label for=\"allowed_ips\">Allowed addresses (CIDRs, one per line)</label>"
      "<textarea id=\"allowed_ips\" name=\"allowed_ips\" rows=\"2\"></textarea></fieldset>"
      "<button type=\"submit\">Create token</button></form></section>";
  return out;
}

std::string errorBody(const std::string& message) {
  return "<p class=\"error\" role=\"alert\">" + e(message) +
         "</p><p><a href=\"/account/\">Back to your zones</a></p>";
}

}  // namespace zp::api
