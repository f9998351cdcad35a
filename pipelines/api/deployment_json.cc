#include "pipelines/api/deployment_json.h"

#include <stdexcept>

#include "common/dns/serial.h"
#include "pipelines/api/resource_json.h"

namespace zp::api {

uint32_t servedSerial(uint64_t serial) {
  const uint32_t soa = dns::soaSerial(serial);
  return soa == 0 ? 1 : soa;
}

void writeDeployment(JsonWriter& writer, uint32_t zoneSoaSerial,
                     const std::optional<deploy::PushStatus>& status) {
  writeKey(writer, "nameservers");
  if (!status) {
    writer.Null();
  } else {
    const uint32_t wanted = zoneSoaSerial;
    writer.StartArray();
    for (const auto& ns : status->nameservers) {
      writer.StartObject();
      writeKey(writer, "name");
      writeString(writer, ns.name);
      writeKey(writer, "address");
      writeString(writer, ns.address);
      writeKey(writer, "serial");
      if (ns.answered) {
        writer.Uint(ns.serial);
      } else {
        writer.Null();
      }
      const bool inSync = status->known && ns.answered && ns.inSync && ns.serial == wanted;
      writeKey(writer, "in_sync");
      writer.Bool(inSync);
      std::string detail = ns.detail;
      if (!inSync && detail.empty()) {
        detail = !status->known ? "the zone is not deployed yet"
                                : "the newest version is not deployed yet";
      }
      writeKey(writer, "detail");
      writeString(writer, inSync ? std::string() : detail);
      writer.EndObject();
    }
    writer.EndArray();
  }
  writeKey(writer, "deployed_serial");
  if (status && status->known) {
    writer.Uint(servedSerial(status->deployedSerial));
  } else {
    writer.Null();
  }
  writeKey(writer, "last_error");
  if (status && !status->lastError.empty()) {
    writeString(writer, status->lastError);
  } else {
    writer.Null();
  }
}

std::string withDeployment(std::string_view zoneJson, uint32_t zoneSoaSerial,
                           const std::optional<deploy::PushStatus>& status) {
  if (zoneJson.size() < 2 || zoneJson.front() != '{' || zoneJson.back() != '}') {
    throw std::logic_error("withDeployment: the zone JSON is not an object");
  }
  // Render the members inside a throwaway object, then splice them in.
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writeDeployment(writer, zoneSoaSerial, status);
  writer.EndObject();
  const std::string_view members(buffer.GetString() + 1, buffer.GetSize() - 2);
  std::string out;
  out.reserve(zoneJson.size() + members.size() + 1);
  out.append(zoneJson.substr(0, zoneJson.size() - 1));
  if (zoneJson.size() > 2) out += ',';
  out.append(members);
  out += '}';
  return out;
}

}  // namespace zp::api
