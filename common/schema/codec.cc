#include "common/schema/codec.h"

#include <stdexcept>

namespace zp::schema {
namespace {

std::optional<int64_t> fromOpt(OptInt::Reader r) {
  if (r.isValue()) return r.getValue();
  return std::nullopt;
}
void toOpt(const std::optional<int64_t>& v, OptInt::Builder b) {
  if (v) {
    b.setValue(*v);
  } else {
    b.setAbsent();
  }
}

}  // namespace

// The capnp enum and dns::RecordType list the same types in the same order:
// tests/dns/record_spec_test.cc compares the enumerants with the type table.
RecordType toSchema(dns::RecordType t) { return static_cast<RecordType>(t); }
dns::RecordType fromSchema(RecordType t) {
  const auto v = static_cast<uint16_t>(t);
  if (v >= dns::kRecordTypeCount) {
    throw std::runtime_error("unknown record type in message: schema mismatch between stages");
  }
  return static_cast<dns::RecordType>(v);
}

ErrorKind toSchema(zp::ErrorKind k) { return static_cast<ErrorKind>(k); }
zp::ErrorKind fromSchema(ErrorKind k) {
  const auto v = static_cast<uint16_t>(k);
  if (v > static_cast<uint16_t>(zp::ErrorKind::kIdempotencyKeyReused)) {
    return zp::ErrorKind::kInternal;
  }
  return static_cast<zp::ErrorKind>(v);
}

void toSchema(const zp::Error& e, Error::Builder out) {
  out.setKind(toSchema(e.kind));
  out.setField(e.field);
  out.setDetail(e.detail);
}
zp::Error fromSchema(Error::Reader in) {
  return {fromSchema(in.getKind()), in.getField(), in.getDetail()};
}

void toSchema(const dns::RecordData& d, ValidRecord::Builder out) {
  out.setType(toSchema(d.type));
  out.setName(d.name);
  out.setValue(d.value);
  out.setTtl(d.ttl);
  out.setHasPriority(d.priority.has_value());
  out.setPriority(d.priority.value_or(0));
}
dns::RecordData fromSchema(ValidRecord::Reader in) {
  dns::RecordData d;
  d.type = fromSchema(in.getType());
  d.name = in.getName();
  d.value = in.getValue();
  d.ttl = in.getTtl();
  if (in.getHasPriority()) d.priority = in.getPriority();
  return d;
}

void toSchema(const dns::Record& r, Record::Builder out) {
  out.setUuid(r.uuid);
  out.setZoneUuid(r.zoneUuid);
  out.setType(toSchema(r.data.type));
  out.setName(r.data.name);
  out.setValue(r.data.value);
  out.setTtl(r.data.ttl);
  out.setHasPriority(r.data.priority.has_value());
  out.setPriority(r.data.priority.value_or(0));
  out.setCreatedAt(r.createdAt);
  out.setUpdatedAt(r.updatedAt);
  out.setVersion(r.version);
}
dns::Record fromSchema(Record::Reader in) {
  dns::Record r;
  r.uuid = in.getUuid();
  r.zoneUuid = in.getZoneUuid();
  r.data.type = fromSchema(in.getType());
  r.data.name = in.getName();
  r.data.value = in.getValue();
  r.data.ttl = in.getTtl();
  if (in.getHasPriority()) r.data.priority = in.getPriority();
  r.createdAt = in.getCreatedAt();
  r.updatedAt = in.getUpdatedAt();
  r.version = in.getVersion();
  return r;
}

std::vector<dns::Record> fromSchema(capnp::List<Record>::Reader list) {
  std::vector<dns::Record> out;
  out.reserve(list.size());
  for (auto r : list) out.push_back(fromSchema(r));
  return out;
}

void toSchema(const dns::Zone& z, Zone::Builder out) {
  out.setUuid(z.uuid);
  out.setDomain(z.domain);
  out.setOwnerId(z.ownerId);
  out.setCreatedAt(z.createdAt);
  out.setRecordCount(z.recordCount);
  out.setSerial(z.serial);
  out.setSoaSerial(z.soaSerial);
}
dns::Zone fromSchema(Zone::Reader in) {
  return {in.getUuid(),        in.getDomain(), in.getOwnerId(),  in.getCreatedAt(),
          in.getRecordCount(), in.getSerial(), in.getSoaSerial()};
}

void toSchema(const dns::RecordInput& in, RecordInput::Builder out) {
  out.setType(in.type);
  out.setName(in.name);
  out.setValue(in.value);
  toOpt(in.ttl, out.initTtl());
  toOpt(in.priority, out.initPriority());
}
dns::RecordInput fromSchema(RecordInput::Reader in) {
  return {in.getType(), in.getName(), in.getValue(), fromOpt(in.getTtl()),
          fromOpt(in.getPriority())};
}

namespace {
template <typename List>
void setTexts(List list, const std::vector<std::string>& items) {
  for (unsigned i = 0; i < items.size(); ++i) list.set(i, items[i]);
}
std::vector<std::string> texts(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}
}  // namespace

void toSchema(const auth::Scope& s, TokenScope::Builder out) {
  if (!s.zones.empty()) setTexts(out.initZones(static_cast<unsigned>(s.zones.size())), s.zones);
  if (!s.recordTypes.empty()) {
    setTexts(out.initRecordTypes(static_cast<unsigned>(s.recordTypes.size())), s.recordTypes);
  }
  if (!s.names.empty()) setTexts(out.initNames(static_cast<unsigned>(s.names.size())), s.names);
  out.setExpiresAt(s.expiresAt);
  if (!s.allowedIps.empty()) {
    setTexts(out.initAllowedIps(static_cast<unsigned>(s.allowedIps.size())), s.allowedIps);
  }
}

auth::Scope fromSchema(TokenScope::Reader in) {
  auth::Scope s;
  s.zones = texts(in.getZones());
  s.recordTypes = texts(in.getRecordTypes());
  s.names = texts(in.getNames());
  s.expiresAt = in.getExpiresAt();
  s.allowedIps = texts(in.getAllowedIps());
  return s;
}

}  // namespace zp::schema
