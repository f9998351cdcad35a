#include "pipelines/api/commit.h"

#include <stdexcept>

#include "common/dns/serial.h"
#include "pipelines/api/json.h"
#include "pipelines/api/query_string.h"

namespace zp::api {
namespace {

bool servesAtLeast(const deploy::NameserverState& ns, uint32_t serial) {
  return ns.answered && (ns.serial == serial || dns::serialGreater(ns.serial, serial));
}

}  // namespace

std::optional<Commit> commitOf(schema::Reply::Reader reply) {
  if (!reply.hasChange()) return std::nullopt;
  auto info = reply.getChange();
  Commit c;
  c.changeId = info.getSeq();
  c.zoneSerial = info.getSoaSerial();
  c.zoneUuid = info.getZoneUuid();
  c.domain = info.getDomain();
  c.zoneDeleted = info.getZoneDeleted();
  return c;
}

Commit commitOf(schema::Event::Reader event) {
  Commit c;
  c.changeId = event.getSeq();
  c.zoneSerial = dns::storedOrDerivedSerial(event.getSoaSerial(), event.getSeq());
  c.zoneUuid = event.getZoneUuid();
  c.domain = event.getDomain();
  c.zoneDeleted = event.getChange().isZoneDeleted();
  c.time = event.getTime();
  return c;
}

bool served(const Commit& commit, const deploy::PushStatus& status) {
  if (commit.zoneDeleted) return !status.known;
  if (!status.known || status.nameservers.empty()) return false;
  for (const auto& ns : status.nameservers) {
    if (!servesAtLeast(ns, commit.zoneSerial)) return false;
  }
  return true;
}

Result<std::optional<std::chrono::milliseconds>> parseWait(
    const std::optional<std::string>& wait, const std::optional<std::string>& timeoutMs) {
  using Wait = std::optional<std::chrono::milliseconds>;
  if (!wait) {
    if (timeoutMs) {
      return Error::validation("timeout_ms", "timeout_ms needs wait=in_sync");
    }
    return Wait();
  }
  auto decoded = percentDecode(*wait, "wait");
  if (!decoded) return decoded.error();
  if (*decoded != "in_sync") {
    return Error::validation("wait",
                             "wait takes one value, in_sync: answer once every nameserver "
                             "serves the change");
  }
  if (!timeoutMs) return Wait(std::chrono::milliseconds(kDefaultWaitMs));
  const Error bad = Error::validation(
      "timeout_ms", "timeout_ms must be an integer from 0 to " + std::to_string(kMaxWaitMs));
  auto text = percentDecode(*timeoutMs, "timeout_ms");
  if (!text || text->empty() || text->size() > 6) return bad;
  int64_t value = 0;
  for (const char c : *text) {
    if (c < '0' || c > '9') return bad;
    value = value * 10 + (c - '0');
  }
  if (value > kMaxWaitMs) return bad;
  return Wait(std::chrono::milliseconds(value));
}

std::string withCommit(std::string_view json, const Commit& commit) {
  if (json.size() < 2 || json.front() != '{' || json.back() != '}') {
    throw std::logic_error("withCommit: the JSON is not an object");
  }
  std::string out(json.substr(0, json.size() - 1));
  if (json.size() > 2) out += ',';
  out += "\"change_id\":" + std::to_string(commit.changeId) +
         ",\"zone_serial\":" + std::to_string(commit.zoneSerial) + "}";
  return out;
}

Headers commitHeaders(const Commit& commit) {
  return {{"X-Change-Id", std::to_string(commit.changeId)},
          {"X-Zone-Serial", std::to_string(commit.zoneSerial)}};
}

std::string renderChange(const Commit& commit, const std::optional<deploy::PushStatus>& status) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  writeKey(w, "change_id");
  w.Uint64(commit.changeId);
  writeKey(w, "zone");
  writeString(w, commit.zoneUuid);
  writeKey(w, "domain");
  writeString(w, commit.domain);
  writeKey(w, "zone_serial");
  w.Uint(commit.zoneSerial);
  writeKey(w, "action");
  writeString(w, commit.zoneDeleted ? "zone_deleted" : "zone_changed");
  if (commit.time != 0) {
    writeKey(w, "time");
    w.Int64(commit.time);
  }
  writeKey(w, "status");
  writeString(w, status && served(commit, *status) ? "INSYNC" : "PENDING");
  writeKey(w, "nameservers");
  if (!status) {
    w.Null();
  } else {
    w.StartArray();
    for (const auto& ns : status->nameservers) {
      w.StartObject();
      writeKey(w, "name");
      writeString(w, ns.name);
      writeKey(w, "address");
      writeString(w, ns.address);
      writeKey(w, "serial");
      if (ns.answered) {
        w.Uint(ns.serial);
      } else {
        w.Null();
      }
      writeKey(w, "in_sync");
      w.Bool(commit.zoneDeleted ? !status->known : servesAtLeast(ns, commit.zoneSerial));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string changeUrl(uint64_t changeId) {
  return "/api/v1/changes/" + std::to_string(changeId) + "/";
}

}  // namespace zp::api
