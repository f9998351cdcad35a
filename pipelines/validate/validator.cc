#include "pipelines/validate/validator.h"

#include <set>
#include <string>

#include "common/auth/scope.h"
#include "common/auth/token.h"
#include "common/dns/change_set.h"
#include "common/dns/name.h"
#include "common/dns/reserved.h"
#include "common/dns/validate.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"

namespace zp::validate {

ValidatorOptions ValidatorOptions::fromConfig(const config::Config& cfg) {
  return {cfg.nameservers};
}

namespace {

// Command.changeSet -> changeSetValid: every item validated like a lone
// create or update; the first invalid item (by index) is the answer, its
// field prefixed with `changes[i].`. A record uuid may appear once per set.
Status translateChangeSet(schema::Command::Body::ChangeSet::Reader raw,
                          schema::Command::Body::Builder out) {
  auto items = raw.getItems();
  if (items.size() == 0) {
    return Error::validation("changes", "a change set needs at least one change");
  }
  if (items.size() > dns::kMaxChangeSetItems) {
    return Error::validation("changes", "a change set holds at most " +
                                            std::to_string(dns::kMaxChangeSetItems) +
                                            " changes; split it into several sets");
  }
  auto valid = out.initChangeSetValid();
  valid.setZoneUuid(raw.getZoneUuid());
  auto list = valid.initItems(items.size());
  std::set<std::string, std::less<>> uuids;
  auto once = [&](size_t i, capnp::Text::Reader uuid) -> Status {
    if (!uuids.emplace(uuid.cStr()).second) {
      return dns::itemError(
          i, Error::validation("uuid", "record " + std::string(uuid.cStr()) +
                                           " is changed twice in this set; give each "
                                           "record at most one update or delete"));
    }
    return std::nullopt;
  };
  for (unsigned i = 0; i < items.size(); ++i) {
    auto item = items[i];
    switch (item.which()) {
      case schema::ChangeInput::CREATE: {
        auto record = dns::validateRecord(schema::fromSchema(item.getCreate()));
        if (!record) return dns::itemError(i, record.error());
        schema::toSchema(record.value(), list[i].initCreate());
        break;
      }
      case schema::ChangeInput::UPDATE: {
        auto update = item.getUpdate();
        if (auto st = once(i, update.getRecordUuid())) return st;
        auto record = dns::validateRecord(schema::fromSchema(update.getInput()));
        if (!record) return dns::itemError(i, record.error());
        auto g = list[i].initUpdate();
        g.setRecordUuid(update.getRecordUuid());
        schema::toSchema(record.value(), g.initRecord());
        break;
      }
      case schema::ChangeInput::DELETE:
        if (auto st = once(i, item.getDelete())) return st;
        list[i].setDelete(item.getDelete());
        break;
    }
  }
  return std::nullopt;
}

}  // namespace

Status translate(schema::Command::Reader in, schema::Command::Builder out,
                 const ValidatorOptions& options) {
  out.setVersion(in.getVersion());
  out.setRequestId(in.getRequestId());
  out.setActor(in.getActor());
  if (in.hasScope()) out.setScope(in.getScope());
  if (in.hasPrecondition()) out.setPrecondition(in.getPrecondition());
  if (in.hasIdempotency()) out.setIdempotency(in.getIdempotency());
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
    case schema::Command::Body::CHANGE_SET:
      out.setDryRun(in.getDryRun());
      return translateChangeSet(body.getChangeSet(), out.getBody());
    default:
      return Error{ErrorKind::kInternal, "",
                   "the validator only accepts zone, record and own-token commands from the API"};
  }
}

}  // namespace zp::validate
