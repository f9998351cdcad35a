#include "pipelines/validate/validator.h"

#include "common/dns/name.h"
#include "common/dns/reserved.h"
#include "common/dns/validate.h"
#include "common/schema/codec.h"

namespace zp::validate {

ValidatorOptions ValidatorOptions::fromConfig(const config::Config& cfg) {
  return {cfg.nameservers};
}

Status translate(schema::Command::Reader in, schema::Command::Builder out,
                 const ValidatorOptions& options) {
  out.setVersion(in.getVersion());
  out.setRequestId(in.getRequestId());
  out.setActor(in.getActor());
  auto body = in.getBody();
  switch (body.which()) {
    case schema::Command::Body::CREATE_ZONE: {
      auto domain = dns::DnsName::parseZoneDomain(body.getCreateZone().cStr());
      if (!domain) return domain.error();
      if (auto reserved = dns::checkZoneNotReserved(*domain, options.nameservers)) return reserved;
      out.getBody().setCreateZoneValid(domain->text());
      return std::nullopt;
    }
    case schema::Command::Body::CREATE_RECORD: {
      auto raw = body.getCreateRecord();
      auto record = dns::validateRecord(schema::fromSchema(raw.getInput()));
      if (!record) return record.error();
      auto valid = out.getBody().initCreateRecordValid();
      valid.setZoneUuid(raw.getZoneUuid());
      schema::toSchema(record.value(), valid.initRecord());
      return std::nullopt;
    }
    case schema::Command::Body::UPDATE_RECORD: {
      auto raw = body.getUpdateRecord();
      auto record = dns::validateRecord(schema::fromSchema(raw.getInput()));
      if (!record) return record.error();
      auto valid = out.getBody().initUpdateRecordValid();
      valid.setRecordUuid(raw.getRecordUuid());
      schema::toSchema(record.value(), valid.initRecord());
      return std::nullopt;
    }
    case schema::Command::Body::DELETE_ZONE:
      out.getBody().setDeleteZone(body.getDeleteZone());
      return std::nullopt;
    case schema::Command::Body::DELETE_RECORD:
      out.getBody().setDeleteRecord(body.getDeleteRecord());
      return std::nullopt;
    default:
      return Error{ErrorKind::kInternal, "",
                   "the validator only accepts zone and record commands from the API"};
  }
}

}  // namespace zp::validate
