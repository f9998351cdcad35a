#include "pipelines/validate/validator.h"

#include "common/auth/scope.h"
#include "common/auth/token.h"
#include "common/dns/name.h"
#include "common/dns/reserved.h"
#include "common/dns/validate.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"

namespace zp::validate {

ValidatorOptions ValidatorOptions::fromConfig(const config::Config& cfg) {
  return {cfg.nameservers};
}

Status translate(schema::Command::Reader in, schema::Command::Builder out,
                 const ValidatorOptions& options) {
  out.setVersion(in.getVersion());
  out.setRequestId(in.getRequestId());
  out.setActor(in.getActor());
  if (in.hasScope()) out.setScope(in.getScope());
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
    case schema::Command::Body::CREATE_TOKEN: {
      // The token API (issue 9): always for the acting user, whatever the
      // command says; permissions and scope checked here, again in the store.
      auto raw = body.getCreateToken();
      std::string joined;
      for (auto p : raw.getPermissions()) joined += (joined.empty() ? "" : ",") + std::string(p);
      auto permissions = auth::parsePermissions(joined);
      if (!permissions) return permissions.error();
      auto g = out.getBody().initCreateToken();
      g.setUserId(in.getActor().getUserId());
      g.setPermissions(raw.getPermissions());
      g.setHash(raw.getHash());
      if (raw.hasName()) g.setName(raw.getName());
      if (raw.hasPrefix()) g.setPrefix(raw.getPrefix());
      if (raw.hasScope()) {
        auto scope = auth::validateScope(schema::fromSchema(raw.getScope()), nowSeconds());
        if (!scope) return scope.error();
        if (!scope->unlimited()) schema::toSchema(*scope, g.initScope());
      }
      return std::nullopt;
    }
    case schema::Command::Body::REVOKE_OWN_TOKEN:
      out.getBody().setRevokeOwnToken(body.getRevokeOwnToken());
      return std::nullopt;
    case schema::Command::Body::TOKENS_USED:
      out.getBody().setTokensUsed(body.getTokensUsed());
      return std::nullopt;
    default:
      return Error{ErrorKind::kInternal, "",
                   "the validator only accepts zone, record and own-token commands from the API"};
  }
}

}  // namespace zp::validate
