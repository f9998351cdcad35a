#include "pipelines/api/acme_httpreq.h"

#include <array>

#include "common/dns/serial.h"
#include "pipelines/api/api_request.h"
#include "pipelines/api/json.h"
#include "pipelines/api/request_body.h"

namespace zp::api {
namespace {

constexpr size_t kMaxValueBytes = 255;  // one TXT string; an ACME digest is 43

// lego's RAW mode (HTTPREQ_MODE=RAW) sends these instead.
constexpr std::array<std::string_view, 3> kRawModeFields = {"domain", "token", "keyAuth"};

}  // namespace

Result<AcmeChallenge> decodeAcmeChallenge(std::string_view body) {
  auto doc = parseObject(body);
  if (!doc) return doc.error();
  for (const auto& member : doc->GetObject()) {
    const std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (name == "fqdn" || name == "value") continue;
    const std::string shown = sanitizeUtf8(name.substr(0, 64));
    for (const auto raw : kRawModeFields) {
      if (name == raw) {
        return Error::validation(shown,
                                 "this endpoint speaks lego's default httpreq mode, {\"fqdn\", "
                                 "\"value\"}; unset HTTPREQ_MODE (RAW is not supported)");
      }
    }
    return Error::validation(shown,
                             "unknown field `" + shown + "`; the body is {\"fqdn\", \"value\"}");
  }
  auto fqdn = decodeRequiredString(*doc, "fqdn");
  if (!fqdn) return fqdn.error();
  auto value = decodeRequiredString(*doc, "value");
  if (!value) return value.error();
  AcmeChallenge out{lowerAscii(std::move(fqdn).value()), std::move(value).value()};
  if (!out.fqdn.empty() && out.fqdn.back() == '.') out.fqdn.pop_back();
  if (out.fqdn.empty()) {
    return Error::validation("fqdn",
                             "fqdn must be the challenge's name, e.g. "
                             "_acme-challenge.www.example.com.");
  }
  if (out.value.empty() || out.value.size() > kMaxValueBytes) {
    return Error::validation("value", "value must be the challenge's TXT value, 1 to " +
                                          std::to_string(kMaxValueBytes) + " octets");
  }
  return out;
}

std::string relativeName(std::string_view fqdn, std::string_view domain) {
  if (fqdn.size() <= domain.size()) return "@";
  return std::string(fqdn.substr(0, fqdn.size() - domain.size() - 1));
}

std::string renderAcmeOutcome(const AcmeOutcome& outcome) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "fqdn");
  writeString(w, outcome.challenge.fqdn);
  writeKey(w, "zone");
  writeString(w, outcome.zoneUuid);
  writeKey(w, "domain");
  writeString(w, outcome.domain);
  writeKey(w, "name");
  writeString(w, relativeName(outcome.challenge.fqdn, outcome.domain));
  writeKey(w, "value");
  writeString(w, outcome.challenge.value);
  writeKey(w, "records");
  w.StartArray();
  for (const auto& uuid : outcome.records) writeString(w, uuid);
  w.EndArray();
  writeKey(w, "status");
  writeString(w, "INSYNC");
  if (outcome.changeId) {
    writeKey(w, "change_id");
    w.Uint64(*outcome.changeId);
  }
  writeKey(w, "zone_serial");
  w.Uint(outcome.zoneSerial);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string notInSyncDetail(const Commit& commit, const std::optional<deploy::PushStatus>& last,
                            std::chrono::milliseconds waited, bool removal) {
  std::string lagging;
  if (last) {
    for (const auto& ns : last->nameservers) {
      if (ns.answered &&
          (ns.serial == commit.zoneSerial || dns::serialGreater(ns.serial, commit.zoneSerial))) {
        continue;
      }
      if (!lagging.empty()) lagging += ", ";
      lagging += ns.name + " (" + ns.address + ") " +
                 (ns.answered ? "at serial " + std::to_string(ns.serial) : "not answering");
    }
  }
  if (lagging.empty()) lagging = "the nameservers (no deployment status yet)";
  return std::string(removal ? "the TXT record's removal" : "the TXT record") +
         " is committed (change " + std::to_string(commit.changeId) + ", zone serial " +
         std::to_string(commit.zoneSerial) + ") but " + lagging + " did not serve it within " +
         std::to_string(waited.count()) + " ms, so the CA could not see it yet; see GET " +
         changeUrl(commit.changeId) + " and retry (a retried present keeps the record)";
}

}  // namespace zp::api
