#include "pipelines/store/store.h"

#include <kj/exception.h>
#include <spdlog/spdlog.h>

#include <sys/statvfs.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "common/auth/password.h"
#include "common/auth/scope.h"
#include "common/auth/token.h"
#include "common/dns/change_set.h"
#include "common/dns/name.h"
#include "common/dns/reserved.h"
#include "common/dns/serial.h"
#include "common/dns/validate.h"
#include "common/log/context.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"
#include "pipelines/store/tables.h"

namespace zp::store {
namespace {

using schema::Command;

std::string_view sv(capnp::Text::Reader t) { return {t.begin(), t.size()}; }

Error notFound(std::string detail) { return Error{ErrorKind::kNotFound, "", std::move(detail)}; }
Error internal(std::string detail) { return Error{ErrorKind::kInternal, "", std::move(detail)}; }

// True when the file system holding `dir` has less than 4 MiB left for
// unprivileged writers.
bool diskNearlyFull(const std::string& dir) {
  struct statvfs s {};
  if (::statvfs(dir.c_str(), &s) != 0) return false;
  return static_cast<uint64_t>(s.f_bavail) * s.f_frsize < (uint64_t{4} << 20);
}

// No room to write: the map is at its size (MDB_MAP_FULL), or the disk (or
// quota) is full. LMDB reports a short write as EIO (mdb_page_flush), which
// is how a full disk shows at commit, so EIO counts when the disk is nearly
// full. Raised through the batch so it can grow the map and retry, or refuse
// every command of it with kInsufficientStorage.
bool outOfSpace(const LmdbError& e, const std::string& dir) {
  if (e.code() == MDB_MAP_FULL || e.code() == ENOSPC || e.code() == EDQUOT) return true;
  return e.code() == EIO && diskNearlyFull(dir);
}

// A user id may appear in keys: 1..128 printable octets, no '\0'.
bool validUserId(std::string_view id) {
  if (id.empty() || id.size() > kMaxUserIdOctets) return false;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

template <typename T, typename D>
kj::Array<capnp::word> encode(const D& value) {
  capnp::MallocMessageBuilder m;
  schema::toSchema(value, m.initRoot<T>());
  return capnp::messageToFlatArray(m);
}

// Reply.change of a command that logged `event` about a zone (issue 11: the
// API answers it as change_id and zone_serial). Token and user events: none.
void describeCommit(const kj::Array<capnp::word>& event, schema::Reply::Builder reply) {
  capnp::FlatArrayMessageReader reader(event);
  auto e = reader.getRoot<schema::Event>();
  if (e.getZoneUuid().size() == 0) return;
  auto info = reply.initChange();
  info.setSeq(e.getSeq());
  info.setSoaSerial(dns::storedOrDerivedSerial(e.getSoaSerial(), e.getSeq()));
  info.setZoneUuid(e.getZoneUuid());
  info.setDomain(e.getDomain());
  info.setZoneDeleted(e.getChange().isZoneDeleted());
}

kj::Array<capnp::word> errorReply(uint64_t requestId, const Error& e) {
  capnp::MallocMessageBuilder m;
  auto reply = m.initRoot<schema::Reply>();
  reply.setVersion(schema::PROTOCOL_VERSION);
  reply.setRequestId(requestId);
  schema::toSchema(e, reply.getBody().initError());
  return capnp::messageToFlatArray(m);
}

}  // namespace

StoreOptions StoreOptions::fromConfig(const config::Config& cfg) {
  StoreOptions o;
  o.dir = cfg.storeDir;
  o.mapSize = cfg.storeMapSize;
  o.mapSizeMax = std::max(cfg.storeMapSizeMax, cfg.storeMapSize);
  o.zonesPerUser = static_cast<uint32_t>(std::max(cfg.zonesPerUser, 0));
  o.recordsPerZone = static_cast<uint32_t>(std::max(cfg.recordsPerZone, 0));
  o.nameservers = cfg.nameservers;
  o.firstSeq = cfg.storeFirstSeq;
  return o;
}

// Applies one command inside its child transaction. Checks come first; the
// reply and event are built only once every check passed. Lives for one
// command; holds no state between commands except through LMDB.
class Store::Writer {
 public:
  Writer(Txn& txn, const Tables& t, const StoreOptions& o, uint64_t seq, int64_t now)
      : txn_(txn), t_(t), o_(o), seq_(seq), now_(now) {}

  // Replay mode: the next created zone, record or token gets `id` instead of
  // a fresh one, and quotas are not checked. `serialsStored` is false for an
  // event logged before SOA serials were stored (a zone event without one):
  // it is reproduced without one, and the zone keeps none either, exactly as
  // the store that logged it held it (soaSerialOf() then derives it).
  void replayWithId(std::string id, bool serialsStored) {
    replay_ = true;
    forcedId_ = std::move(id);
    serialsStored_ = serialsStored;
  }

  // Replay of an event of a change set: `remaining` events of the set follow
  // it, and `continuation` says an earlier one of the set came before it (the
  // zone then keeps the set's SOA serial). Lone events: (0, false).
  void replayInSet(uint32_t remaining, bool continuation) {
    setRemaining_ = remaining;
    setContinuation_ = continuation;
  }

  // On success the reply body is set and `event` holds the logged event when
  // the command changed something.
  // A change set logs several events: they go to `events` (and `event`
  // stays empty).
  Status apply(Command::Reader c, schema::Reply::Builder reply,
               std::optional<kj::Array<capnp::word>>& event,
               std::vector<kj::Array<capnp::word>>& events) {
    if (c.getVersion() != schema::PROTOCOL_VERSION) {
      return internal("command uses protocol version " + std::to_string(c.getVersion()) +
                      " but this store speaks version " + std::to_string(schema::PROTOCOL_VERSION) +
                      "; run every stage from the same build");
    }
    auto body = c.getBody();
    auto actor = c.getActor();
    auto r = reply.getBody();
    // The acting token's limits (issue 9): absent for the CLI and in replay.
    scope_ = c.hasScope() ? schema::fromSchema(c.getScope()) : auth::Scope{};
    precondition_ = c.hasPrecondition() ? std::optional(c.getPrecondition()) : std::nullopt;
    switch (body.which()) {
      case Command::Body::CREATE_ZONE_VALID:
        return createZone(actor, body.getCreateZoneValid(), r, event);
      case Command::Body::CREATE_RECORD_VALID: {
        auto g = body.getCreateRecordValid();
        return createRecord(actor, sv(g.getZoneUuid()), g.getRecord(), r, event);
      }
      case Command::Body::DELETE_ZONE:
        return deleteZone(actor, body.getDeleteZone(), r, event);
      case Command::Body::DELETE_RECORD:
        return deleteRecord(actor, sv(body.getDeleteRecord()), r, event);
      case Command::Body::CREATE_TOKEN:
        return createToken(actor, body.getCreateToken(), r, event);
      case Command::Body::REVOKE_TOKEN:
        return revokeToken(actor, body.getRevokeToken(), r, event);
      case Command::Body::UPDATE_RECORD_VALID: {
        auto g = body.getUpdateRecordValid();
        return updateRecord(actor, sv(g.getRecordUuid()), g.getRecord(), r, event);
      }
      case Command::Body::CHANGE_SET_VALID:
        return changeSet(actor, body.getChangeSetValid(), r, events);
      case Command::Body::REVOKE_OWN_TOKEN:
        return revokeToken(actor, body.getRevokeOwnToken(), r, event, true);
      case Command::Body::TOKENS_USED:
        return tokensUsed(body.getTokensUsed(), r);
      case Command::Body::CREATE_USER: {
        auto g = body.getCreateUser();
        return createUser(actor, g.getName().cStr(), g.getPasswordHash().cStr(), r, event);
      }
      case Command::Body::DISABLE_USER:
        return disableUser(actor, body.getDisableUser().cStr(), r, event);
      case Command::Body::SET_PASSWORD: {
        auto g = body.getSetPassword();
        return setPassword(actor, g.getName().cStr(), g.getPasswordHash().cStr(), r, event);
      }
      case Command::Body::CREATE_ZONE:
      case Command::Body::CREATE_RECORD:
      case Command::Body::UPDATE_RECORD:
      case Command::Body::CHANGE_SET:
        return internal("command was not validated; send it through the validator");
    }
    return internal("unknown command (is a newer stage talking to an older store?)");
  }

 private:
  using ReplyBody = schema::Reply::Body::Builder;
  using Event = std::optional<kj::Array<capnp::word>>;

  // ---- commands ----

  Status createZone(schema::Actor::Reader actor, capnp::Text::Reader domainText, ReplyBody reply,
                    Event& event) {
    if (auto st = checkActor(actor)) return st;
    if (auto st = auth::zoneWritesInScope(scope_)) return st;
    auto name = dns::DnsName::parseZoneDomain(sv(domainText));
    if (!name) return name.error();
    // Re-check of the validator's rule: a zone named could never serve is not
    // logged. A replayed log is the truth and may predate the rule (or come
    // from a service with other nameservers), so replay does not re-check.
    if (!replay_) {
      if (auto reserved = dns::checkZoneNotReserved(*name, o_.nameservers)) return reserved;
    }
    const std::string& domain = name->text();
    const std::string owner(sv(actor.getUserId()));
    const uint64_t owned = counter(t_.owners, owner);
    if (!replay_ && owned >= o_.zonesPerUser) {
      return Error::validation(
          "domain", "zone quota of " + std::to_string(o_.zonesPerUser) + " zones reached");
    }
    if (txn_.find(t_.zoneByDomain, domain)) {
      return Error{ErrorKind::kZoneExists, "domain", "zone " + domain + " already exists"};
    }
    dns::Zone zone{takeId(newUuid), domain, owner, now_, 0, seq_, nextSerial(std::nullopt)};
    if (replay_ && txn_.find(t_.zones, zone.uuid)) {
      return Error{ErrorKind::kZoneExists, "uuid", "zone uuid " + zone.uuid + " is taken"};
    }
    putZone(zone);
    txn_.put(t_.zoneByDomain, domain, zone.uuid, MDB_NOOVERWRITE);
    txn_.put(t_.zoneByOwner, joinKey({owner, domain}), zone.uuid, MDB_NOOVERWRITE);
    setCounter(t_.owners, owner, owned + 1);
    event = logEvent(
        actor, zone.uuid, zone.domain, zone.soaSerial,
        [&](schema::Event::Change::Builder ch) { schema::toSchema(zone, ch.initZoneCreated()); });
    auto detail = reply.initZone();
    schema::toSchema(zone, detail.initZone());
    detail.initRecords(0);
    return std::nullopt;
  }

  Status createRecord(schema::Actor::Reader actor, std::string_view zoneUuid,
                      schema::ValidRecord::Reader in, ReplyBody reply, Event& event) {
    if (auto st = checkActor(actor)) return st;
    auto zone = loadZone(zoneUuid);
    if (!ownedInScope(zone, actor)) return notFound("zone not found");
    dns::RecordData data = schema::fromSchema(in);
    const dns::DnsName zoneName = storedZoneName(*zone);
    auto relative = dns::relativizeOwner(data.name, zoneName);
    if (!relative) return relative.error();
    data.name = std::move(relative).value();
    if (auto st = auth::recordInScope(scope_, dns::toString(data.type), data.name)) return st;
    if (auto st = checkIfMatch(zone->serial, "zone")) return st;
    if (auto st = checkIfNoneMatch(zone->uuid, data)) return st;
    if (auto st = checkZoneRules(zone->uuid, zoneName, data, {})) return st;
    if (!replay_ && zone->recordCount >= o_.recordsPerZone) {
      return Error::validation(
          "", "record quota of " + std::to_string(o_.recordsPerZone) + " records per zone reached");
    }
    dns::Record record{takeId(newUuid), zone->uuid, std::move(data), now_, now_, seq_};
    const std::string_view type = dns::toString(record.data.type);
    txn_.put(t_.records, record.uuid, asBytes(encode<schema::Record>(record)), MDB_NOOVERWRITE);
    txn_.put(t_.zoneRecords, joinKey({zone->uuid, record.data.name, type, record.uuid}), "");
    txn_.put(t_.zoneTypeRecords, joinKey({zone->uuid, type, record.data.name, record.uuid}), "");
    addToCounter(t_.typeCounts, joinKey({zone->uuid, type}), +1);
    zone->recordCount++;
    newVersion(*zone);
    putZone(*zone);
    event = logEvent(actor, zone->uuid, zone->domain, zone->soaSerial,
                     [&](schema::Event::Change::Builder ch) {
                       schema::toSchema(unversioned(record), ch.initRecordCreated());
                     });
    schema::toSchema(record, reply.initRecord());
    return std::nullopt;
  }

  // `inZone`: a change set's zone; a record of another zone is not found.
  Status updateRecord(schema::Actor::Reader actor, std::string_view recordUuid,
                      schema::ValidRecord::Reader in, ReplyBody reply, Event& event,
                      std::string_view inZone = {}) {
    if (auto st = checkActor(actor)) return st;
    auto bytes = txn_.find(t_.records, recordUuid);
    if (!bytes) return notFound("record not found");
    const dns::Record before = schema::fromSchema(decoder_.decode<schema::Record>(*bytes));
    if (!inZone.empty() && before.zoneUuid != inZone) return notFound("record not found");
    auto zone = loadZone(before.zoneUuid);
    if (!ownedInScope(zone, actor)) return notFound("record not found");
    if (auto st = auth::recordInScope(scope_, dns::toString(before.data.type), before.data.name)) {
      return st;
    }
    if (auto st = checkIfMatch(before.version, "record")) return st;
    dns::RecordData data = schema::fromSchema(in);
    const dns::DnsName zoneName = storedZoneName(*zone);
    auto relative = dns::relativizeOwner(data.name, zoneName);
    if (!relative) return relative.error();
    data.name = std::move(relative).value();
    if (auto st = auth::recordInScope(scope_, dns::toString(data.type), data.name)) return st;
    if (auto st = checkZoneRules(zone->uuid, zoneName, data, before.uuid)) return st;
    if (before.data.name != data.name || before.data.type != data.type) {
      if (auto st = dns::checkRecordRemoval(recordsAtName(zone->uuid, before.data.name), before)) {
        return st;
      }
    }

    dns::Record after{before.uuid, before.zoneUuid, std::move(data), before.createdAt, now_, seq_};
    const std::string_view oldType = dns::toString(before.data.type);
    const std::string_view newType = dns::toString(after.data.type);
    eraseRecordKeys(zone->uuid, before.data.name, oldType, before.uuid);
    addToCounter(t_.typeCounts, joinKey({zone->uuid, oldType}), -1);
    txn_.put(t_.records, after.uuid, asBytes(encode<schema::Record>(after)));
    txn_.put(t_.zoneRecords, joinKey({zone->uuid, after.data.name, newType, after.uuid}), "");
    txn_.put(t_.zoneTypeRecords, joinKey({zone->uuid, newType, after.data.name, after.uuid}), "");
    addToCounter(t_.typeCounts, joinKey({zone->uuid, newType}), +1);
    newVersion(*zone);
    putZone(*zone);
    event = logEvent(actor, zone->uuid, zone->domain, zone->soaSerial,
                     [&](schema::Event::Change::Builder ch) {
                       auto g = ch.initRecordUpdated();
                       schema::toSchema(unversioned(before), g.initBefore());
                       schema::toSchema(unversioned(after), g.initAfter());
                     });
    schema::toSchema(after, reply.initRecord());
    return std::nullopt;
  }

  Status deleteRecord(schema::Actor::Reader actor, std::string_view uuid, ReplyBody reply,
                      Event& event, std::string_view inZone = {}) {
    if (auto st = checkActor(actor)) return st;
    auto bytes = txn_.find(t_.records, uuid);
    if (!bytes) return notFound("record not found");
    const dns::Record record = schema::fromSchema(decoder_.decode<schema::Record>(*bytes));
    if (!inZone.empty() && record.zoneUuid != inZone) return notFound("record not found");
    auto zone = loadZone(record.zoneUuid);
    if (!ownedInScope(zone, actor)) return notFound("record not found");
    if (auto st = auth::recordInScope(scope_, dns::toString(record.data.type), record.data.name)) {
      return st;
    }
    if (auto st = checkIfMatch(record.version, "record")) return st;
    if (!replay_) {
      if (auto st = dns::checkRecordRemoval(recordsAtName(zone->uuid, record.data.name), record)) {
        return st;
      }
    }
    eraseRecordKeys(record.zoneUuid, record.data.name, dns::toString(record.data.type),
                    record.uuid);
    addToCounter(t_.typeCounts, joinKey({zone->uuid, dns::toString(record.data.type)}), -1);
    if (zone->recordCount == 0) throw std::logic_error("zone record count underflow");
    zone->recordCount--;
    newVersion(*zone);
    putZone(*zone);
    event = logEvent(actor, zone->uuid, zone->domain, zone->soaSerial,
                     [&](schema::Event::Change::Builder ch) {
                       schema::toSchema(unversioned(record), ch.initRecordDeleted());
                     });
    reply.setOk();
    return std::nullopt;
  }

  // Command.changeSetValid: deletes, then updates, then creates (so a set may
  // replace a CNAME by an A, or move a record, whatever order the client
  // listed them in), each through the same code as a lone command, with
  // consecutive seqs and one SOA serial for the set. The first item that
  // fails is the answer (its index and field, dns::itemError) and the caller
  // rolls the whole set back (applyCommands runs a set in its own child
  // transaction).
  Status changeSet(schema::Actor::Reader actor, Command::Body::ChangeSetValid::Reader in,
                   ReplyBody reply, std::vector<kj::Array<capnp::word>>& events) {
    if (auto st = checkActor(actor)) return st;
    const std::string zoneUuid(sv(in.getZoneUuid()));
    auto zone = loadZone(zoneUuid);
    if (!ownedInScope(zone, actor)) return notFound("zone not found");
    // The set's If-Match is about the zone as a whole; its items are unconditional.
    if (auto st = checkIfMatch(zone->serial, "zone")) return st;
    precondition_.reset();
    auto items = in.getItems();
    if (items.size() == 0) return Error::validation("changes", "a change set needs a change");
    if (items.size() > dns::kMaxChangeSetItems) {
      return Error::validation("changes", "a change set holds at most " +
                                              std::to_string(dns::kMaxChangeSetItems) +
                                              " changes; split it");
    }
    std::vector<unsigned> order;
    order.reserve(items.size());
    for (auto kind :
         {schema::ValidChange::DELETE, schema::ValidChange::UPDATE, schema::ValidChange::CREATE}) {
      for (unsigned i = 0; i < items.size(); ++i) {
        if (items[i].which() == kind) order.push_back(i);
      }
    }
    const uint64_t first = seq_;
    for (size_t k = 0; k < order.size(); ++k) {
      const unsigned i = order[k];
      auto item = items[i];
      seq_ = first + k;
      setRemaining_ = static_cast<uint32_t>(order.size() - 1 - k);
      setContinuation_ = k > 0;
      capnp::MallocMessageBuilder scratch;
      auto itemReply = scratch.initRoot<schema::Reply>().getBody();
      Event event;
      Status st;
      switch (item.which()) {
        case schema::ValidChange::CREATE:
          st = createRecord(actor, zoneUuid, item.getCreate(), itemReply, event);
          break;
        case schema::ValidChange::UPDATE:
          st = updateRecord(actor, sv(item.getUpdate().getRecordUuid()),
                            item.getUpdate().getRecord(), itemReply, event, zoneUuid);
          break;
        case schema::ValidChange::DELETE:
          st = deleteRecord(actor, sv(item.getDelete()), itemReply, event, zoneUuid);
          break;
      }
      if (st) return dns::itemError(i, *st);
      if (!event) throw std::logic_error("a change of a set logged no event");
      events.push_back(std::move(*event));
    }
    auto out = reply.initChangeSet();
    schema::toSchema(*loadZone(zoneUuid), out.initZone());
    auto list = out.initChanges(static_cast<unsigned>(events.size()));
    for (unsigned k = 0; k < list.size(); ++k) {
      capnp::FlatArrayMessageReader reader(events[k]);
      list.setWithCaveats(k, reader.getRoot<schema::Event>());
    }
    return std::nullopt;
  }

  Status deleteZone(schema::Actor::Reader actor, capnp::Text::Reader uuid, ReplyBody reply,
                    Event& event) {
    if (auto st = checkActor(actor)) return st;
    auto zone = loadZone(sv(uuid));
    if (!ownedInScope(zone, actor)) return notFound("zone not found");
    if (auto st = auth::zoneWritesInScope(scope_)) return st;
    if (auto st = checkIfMatch(zone->serial, "zone")) return st;
    // Collect first: keys point into pages that the deletes below rewrite.
    struct Key {
      std::string name, type, uuid;
    };
    std::vector<Key> keys;
    keys.reserve(zone->recordCount);
    const std::string prefix = joinKey({zone->uuid}, true);
    {
      Cursor c(txn_, t_.zoneRecords);
      for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
        const std::string_view rest = c.key().substr(prefix.size());
        const size_t a = rest.find('\0');
        const size_t b = rest.find('\0', a + 1);
        if (a == std::string_view::npos || b == std::string_view::npos) {
          throw LmdbError("corrupt store: bad zone_records key", MDB_CORRUPTED);
        }
        keys.push_back({std::string(rest.substr(0, a)), std::string(rest.substr(a + 1, b - a - 1)),
                        std::string(rest.substr(b + 1))});
      }
    }
    for (const auto& k : keys) eraseRecordKeys(zone->uuid, k.name, k.type, k.uuid);
    for (auto type : dns::kAllRecordTypes) {
      txn_.erase(t_.typeCounts, joinKey({zone->uuid, dns::toString(type)}));
    }
    txn_.erase(t_.zoneByDomain, zone->domain);
    txn_.erase(t_.zoneByOwner, joinKey({zone->ownerId, zone->domain}));
    addToCounter(t_.owners, zone->ownerId, -1);
    txn_.erase(t_.zones, zone->uuid);
    newVersion(*zone);
    event = logEvent(
        actor, zone->uuid, zone->domain, zone->soaSerial,
        [&](schema::Event::Change::Builder ch) { schema::toSchema(*zone, ch.initZoneDeleted()); });
    // History is kept for live zones only: the index entries go with the zone
    // (the events themselves stay in the log).
    std::vector<std::string> indexKeys;
    {
      Cursor c(txn_, t_.zoneEvents);
      for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
        indexKeys.emplace_back(c.key());
      }
    }
    for (const auto& k : indexKeys) txn_.erase(t_.zoneEvents, k);
    reply.setOk();
    return std::nullopt;
  }

  Status createToken(schema::Actor::Reader actor, Command::Body::CreateToken::Reader in,
                     ReplyBody reply, Event& event) {
    const std::string userId(sv(in.getUserId()));
    if (!validUserId(userId)) {
      return Error::validation("user", "user id must be 1 to " + std::to_string(kMaxUserIdOctets) +
                                           " printable characters");
    }
    std::string joined;
    for (auto p : in.getPermissions()) {
      if (!joined.empty()) joined.push_back(',');
      joined.append(sv(p));
    }
    auto permissions = auth::parsePermissions(joined);
    if (!permissions) return permissions.error();
    auto hash = in.getHash();
    const std::string_view hashKey(reinterpret_cast<const char*>(hash.begin()), hash.size());
    if (hash.size() != 32) {
      return Error::validation("hash",
                               "token hash must be 32 bytes (SHA-256 of the bearer string)");
    }
    if (txn_.find(t_.tokenByHash, hashKey)) {
      return Error::validation("hash", "a token with this hash already exists");
    }
    std::optional<auth::Scope> scope;
    if (in.hasScope()) {
      auto valid = auth::validateScope(schema::fromSchema(in.getScope()), now_);
      if (!valid) return valid.error();
      if (!valid->unlimited()) scope = std::move(valid).value();
    }
    const std::string name(sv(in.getName()));
    if (name.size() > kMaxTokenNameOctets) {
      return Error::validation(
          "name", "a token name may be at most " + std::to_string(kMaxTokenNameOctets) + " bytes");
    }
    const std::string prefix(sv(in.getPrefix()));
    if (prefix.size() > 8) return Error::validation("prefix", "a token prefix is 8 characters");
    std::string id = takeId(auth::generateTokenId);
    while (txn_.find(t_.tokens, id)) {
      if (replay_) return Error::validation("id", "token " + id + " already exists");
      id = auth::generateTokenId();
    }

    // Optional fields stay absent when empty, so tokens created before they
    // existed replay to the same bytes.
    auto fill = [&](schema::Token::Builder tok, bool withHash) {
      tok.setId(id);
      tok.setUserId(userId);
      if (withHash) tok.setHash(hash);
      auto list = tok.initPermissions(static_cast<unsigned>(permissions->size()));
      for (unsigned i = 0; i < list.size(); ++i) list.set(i, (*permissions)[i]);
      tok.setCreatedAt(now_);
      tok.setRevoked(false);
      if (!name.empty()) tok.setName(name);
      if (scope) schema::toSchema(*scope, tok.initScope());
      if (!prefix.empty()) tok.setPrefix(prefix);
    };
    capnp::MallocMessageBuilder stored;
    fill(stored.initRoot<schema::Token>(), true);
    txn_.put(t_.tokens, id, asBytes(capnp::messageToFlatArray(stored)), MDB_NOOVERWRITE);
    txn_.put(t_.tokenByHash, hashKey, id, MDB_NOOVERWRITE);
    event = logEvent(actor, "", "", 0,
                     [&](schema::Event::Change::Builder ch) { fill(ch.initTokenCreated(), true); });
    fill(reply.initTokenCreated(), false);
    return std::nullopt;
  }

  // `own`: the API's revokeOwnToken: another user's token is not found.
  Status revokeToken(schema::Actor::Reader actor, capnp::Text::Reader idText, ReplyBody reply,
                     Event& event, bool own = false) {
    const std::string id(sv(idText));
    auto bytes = txn_.find(t_.tokens, id);
    if (!bytes) return notFound("token " + id + " not found");
    auto token = decoder_.decode<schema::Token>(*bytes);
    if (own && sv(token.getUserId()) != sv(actor.getUserId())) {
      return notFound("token " + id + " not found");
    }
    if (!token.getRevoked()) {
      capnp::MallocMessageBuilder m;
      m.setRoot(token);
      auto updated = m.getRoot<schema::Token>();
      updated.setRevoked(true);
      auto hash = updated.asReader().getHash();
      txn_.erase(t_.tokenByHash,
                 std::string_view(reinterpret_cast<const char*>(hash.begin()), hash.size()));
      txn_.put(t_.tokens, id, asBytes(capnp::messageToFlatArray(m)));
      event = logEvent(actor, "", "", 0,
                       [&](schema::Event::Change::Builder ch) { ch.setTokenRevoked(id); });
    }
    reply.setOk();  // revoking a revoked token changes nothing and logs nothing
    return std::nullopt;
  }

  // Last uses reported by an API (telemetry: a table outside the log, never
  // an event; a replayed store starts without them). Unknown ids are skipped.
  Status tokensUsed(capnp::List<schema::TokenUse>::Reader uses, ReplyBody reply) {
    for (auto use : uses) {
      const std::string_view id = sv(use.getId());
      if (id.empty() || !txn_.find(t_.tokens, id)) continue;
      const int64_t time = use.getTime();
      auto old = txn_.find(t_.tokenLastUsed, id);
      if (old && static_cast<int64_t>(decodeU64(*old)) >= time) continue;
      txn_.put(t_.tokenLastUsed, id, encodeU64(static_cast<uint64_t>(time)));
    }
    reply.setOk();
    return std::nullopt;
  }

  // ---- accounts (issue 9): the log holds only password hashes ----

  Status createUser(schema::Actor::Reader actor, const std::string& name, const std::string& hash,
                    ReplyBody reply, Event& event) {
    if (auto st = auth::checkUserName(name)) return st;
    if (!auth::looksLikePasswordHash(hash)) {
      return Error::validation("password", "the password hash must be an Argon2id string");
    }
    if (txn_.find(t_.users, name)) {
      return Error::validation("user", "user " + name + " already exists");
    }
    auto fill = [&](schema::User::Builder u, bool withHash) {
      u.setName(name);
      if (withHash) u.setPasswordHash(hash);
      u.setDisabled(false);
      u.setCreatedAt(now_);
    };
    capnp::MallocMessageBuilder stored;
    fill(stored.initRoot<schema::User>(), true);
    txn_.put(t_.users, name, asBytes(capnp::messageToFlatArray(stored)), MDB_NOOVERWRITE);
    event = logEvent(actor, "", "", 0,
                     [&](schema::Event::Change::Builder ch) { fill(ch.initUserCreated(), true); });
    auto list = reply.initUsers(1);
    fill(list[0], false);
    return std::nullopt;
  }

  Status disableUser(schema::Actor::Reader actor, const std::string& name, ReplyBody reply,
                     Event& event) {
    auto bytes = txn_.find(t_.users, name);
    if (!bytes) return notFound("user " + std::string(name) + " not found");
    auto user = decoder_.decode<schema::User>(*bytes);
    if (!user.getDisabled()) {
      capnp::MallocMessageBuilder m;
      m.setRoot(user);
      m.getRoot<schema::User>().setDisabled(true);
      txn_.put(t_.users, name, asBytes(capnp::messageToFlatArray(m)));
      event = logEvent(actor, "", "", 0,
                       [&](schema::Event::Change::Builder ch) { ch.setUserDisabled(name); });
    }
    reply.setOk();  // disabling a disabled user changes nothing and logs nothing
    return std::nullopt;
  }

  Status setPassword(schema::Actor::Reader actor, const std::string& name, const std::string& hash,
                     ReplyBody reply, Event& event) {
    if (!auth::looksLikePasswordHash(hash)) {
      return Error::validation("password", "the password hash must be an Argon2id string");
    }
    auto bytes = txn_.find(t_.users, name);
    if (!bytes) return notFound("user " + std::string(name) + " not found");
    capnp::MallocMessageBuilder m;
    m.setRoot(decoder_.decode<schema::User>(*bytes));
    m.getRoot<schema::User>().setPasswordHash(hash);
    txn_.put(t_.users, name, asBytes(capnp::messageToFlatArray(m)));
    event = logEvent(actor, "", "", 0, [&](schema::Event::Change::Builder ch) {
      auto g = ch.initUserPasswordChanged();
      g.setName(name);
      g.setPasswordHash(hash);
    });
    reply.setOk();
    return std::nullopt;
  }

  // ---- helpers ----

  template <typename Generate>
  std::string takeId(Generate generate) {
    if (!replay_) return generate();
    if (forcedId_.empty()) throw std::logic_error("replay without a recorded id");
    return std::exchange(forcedId_, std::string());
  }

  // A record as events carry it: without its version (Record.version), so
  // logs written before versions replay to the same bytes.
  static dns::Record unversioned(dns::Record record) {
    record.version = 0;
    return record;
  }

  // The command's If-Match (issue 11 item 5) against the target's current
  // `version` (a record's Record.version, a zone's serial), checked in the
  // write's own transaction: of two writes carrying the same tag, the second
  // sees the first one's version and fails.
  Status checkIfMatch(uint64_t version, std::string_view what) const {
    if (!precondition_ || !precondition_->getIfMatch()) return std::nullopt;
    for (const uint64_t v : precondition_->getVersions()) {
      if (v == version) return std::nullopt;
    }
    return Error{ErrorKind::kPreconditionFailed, "If-Match",
                 "the " + std::string(what) + " changed since you read it: its ETag is now \"" +
                     std::to_string(version) +
                     "\", which If-Match does not name; read it again, redo your change and "
                     "retry"};
  }

  // If-None-Match: * on a record create: the same (name, type, value) must
  // not exist yet (else the 400 record_conflict would answer it).
  Status checkIfNoneMatch(const std::string& zoneUuid, const dns::RecordData& data) {
    if (!precondition_ || !precondition_->getIfNoneMatch()) return std::nullopt;
    for (const auto& r : recordsAtName(zoneUuid, data.name)) {
      if (r.data.type == data.type && r.data.value == data.value) {
        return Error{ErrorKind::kPreconditionFailed, "If-None-Match",
                     "a " + std::string(dns::toString(data.type)) + " record " + data.name +
                         " with this value already exists (record " + r.uuid +
                         "); If-None-Match: * asked to create it only if it did not"};
      }
    }
    return std::nullopt;
  }

  static Status checkActor(schema::Actor::Reader actor) {
    if (!validUserId(sv(actor.getUserId()))) {
      return internal("command carries no valid actor user id; the API must set it");
    }
    return std::nullopt;
  }

  // The zone exists, belongs to the actor and lies inside the token's zones.
  bool ownedInScope(const std::optional<dns::Zone>& zone, schema::Actor::Reader actor) const {
    return zone && zone->ownerId == sv(actor.getUserId()) && auth::zoneInScope(scope_, zone->uuid);
  }

  std::optional<dns::Zone> loadZone(std::string_view uuid) {
    auto bytes = txn_.find(t_.zones, uuid);
    if (!bytes) return std::nullopt;
    return schema::fromSchema(decoder_.decode<schema::Zone>(*bytes));
  }

  // The SOA serial of the version this command makes of a zone whose current
  // serial is `previous` (nullopt: a new zone). Deterministic from the state,
  // so a replay computes what the logging store computed.
  uint32_t nextSerial(std::optional<uint32_t> previous) const {
    return serialsStored_ ? dns::nextSoaSerial(previous, seq_) : 0;
  }

  // `zone` becomes the version made by this command: seq_ and its SOA serial.
  void newVersion(dns::Zone& zone) const {
    if (!serialsStored_ && zone.soaSerial != 0) {
      throw std::logic_error("it has no SOA serial, but an earlier event of zone " + zone.domain +
                             " has one (the log was edited)");
    }
    // The first change of a set takes the serial of the set's last seq; a
    // later change of a set keeps it. Computed before zone.serial moves:
    // soaSerialOf derives a legacy zone's serial from it.
    if (!setContinuation_) {
      zone.soaSerial =
          serialsStored_ ? dns::nextSoaSerial(dns::soaSerialOf(zone), seq_ + setRemaining_) : 0;
    }
    zone.serial = seq_;
  }

  void putZone(const dns::Zone& zone) {
    txn_.put(t_.zones, zone.uuid, asBytes(encode<schema::Zone>(zone)));
  }

  static dns::DnsName storedZoneName(const dns::Zone& zone) {
    auto name = dns::DnsName::parseZoneDomain(zone.domain);
    if (!name) {
      throw std::logic_error("stored zone domain `" + zone.domain +
                             "` does not parse: " + name.error().detail);
    }
    return std::move(name).value();
  }

  // The zone rules of dns::checkRecordInZone for `data` (name relative), with
  // the records at its name, above it and (for NS and DNAME) below it. A
  // replayed log was checked when it was written (under the rules of its
  // time), so replay takes it as it is.
  Status checkZoneRules(const std::string& zoneUuid, const dns::DnsName& zoneName,
                        const dns::RecordData& data, std::string_view ignoreUuid) {
    if (replay_) return std::nullopt;
    const std::vector<dns::Record> sameName = recordsAtName(zoneUuid, data.name);
    std::vector<dns::Record> ancestors;
    for (const std::string& name : dns::ancestorNames(data.name)) {
      auto at = recordsAtName(zoneUuid, name);
      ancestors.insert(ancestors.end(), at.begin(), at.end());
    }
    std::vector<dns::Record> descendants;
    if (dns::needsDescendants(data.type)) {
      descendants = recordsBelow(zoneUuid, data.name, data.type, ignoreUuid);
    }
    return dns::checkRecordInZone(
        zoneName, dns::ZoneNeighbourhood{sameName, ancestors, descendants}, data, ignoreUuid);
  }

  // The records of the zone below `name` ("@": every name but the apex) up to
  // the first one an `upper` record there would hide (dns::hiddenBelow), which
  // is all checkRecordInZone needs. A scan of the zone's index: only NS and
  // DNAME writes need it.
  std::vector<dns::Record> recordsBelow(const std::string& zoneUuid, const std::string& name,
                                        dns::RecordType upper, std::string_view ignoreUuid) {
    std::vector<std::string> names;
    const std::string prefix = joinKey({zoneUuid}, true);
    const std::string suffix = "." + name;
    {
      Cursor c(txn_, t_.zoneRecords);
      for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
        const std::string_view rest = c.key().substr(prefix.size());
        const std::string_view n = rest.substr(0, rest.find('\0'));
        const bool below = name == "@" ? n != "@" : n.ends_with(suffix);
        if (below && (names.empty() || names.back() != n)) names.emplace_back(n);
      }
    }
    std::vector<dns::Record> out;
    for (const auto& n : names) {
      for (auto& r : recordsAtName(zoneUuid, n)) {
        const bool hidden = r.uuid != ignoreUuid && dns::hiddenBelow(upper, r.data);
        out.push_back(std::move(r));
        if (hidden) return out;
      }
    }
    return out;
  }

  std::vector<dns::Record> recordsAtName(const std::string& zoneUuid, const std::string& name) {
    std::vector<std::string> uuids;
    const std::string prefix = joinKey({zoneUuid, name}, true);
    {
      Cursor c(txn_, t_.zoneRecords);
      for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
        uuids.emplace_back(lastPart(c.key()));
      }
    }
    std::vector<dns::Record> out;
    out.reserve(uuids.size());
    for (const auto& u : uuids) {
      auto bytes = txn_.find(t_.records, u);
      if (!bytes)
        throw LmdbError("corrupt store: record " + u + " is indexed but missing", MDB_CORRUPTED);
      out.push_back(schema::fromSchema(decoder_.decode<schema::Record>(*bytes)));
    }
    return out;
  }

  void eraseRecordKeys(std::string_view zoneUuid, std::string_view name, std::string_view type,
                       std::string_view uuid) {
    txn_.erase(t_.records, uuid);
    txn_.erase(t_.zoneRecords, joinKey({zoneUuid, name, type, uuid}));
    txn_.erase(t_.zoneTypeRecords, joinKey({zoneUuid, type, name, uuid}));
  }

  uint64_t counter(MDB_dbi dbi, std::string_view key) {
    auto v = txn_.find(dbi, key);
    return v ? decodeU64(*v) : 0;
  }
  void setCounter(MDB_dbi dbi, std::string_view key, uint64_t value) {
    if (value == 0) {
      txn_.erase(dbi, key);
    } else {
      txn_.put(dbi, key, encodeU64(value));
    }
  }
  void addToCounter(MDB_dbi dbi, std::string_view key, int delta) {
    const uint64_t v = counter(dbi, key);
    if (delta < 0 && v == 0) throw std::logic_error("store counter underflow");
    setCounter(dbi, key, delta < 0 ? v - 1 : v + 1);
  }

  // Builds the event with seq_, appends it to the log, returns its bytes.
  // `soaSerial`: the zone's SOA serial after the event (0 for token events).
  template <typename Fill>
  kj::Array<capnp::word> logEvent(schema::Actor::Reader actor, const std::string& zoneUuid,
                                  const std::string& domain, uint32_t soaSerial, Fill fill) {
    capnp::MallocMessageBuilder m;
    auto e = m.initRoot<schema::Event>();
    e.setSeq(seq_);
    e.setSoaSerial(soaSerial);
    if (setRemaining_ != 0) e.setSetRemaining(setRemaining_);
    e.setTime(now_);
    e.setActor(actor);
    e.setZoneUuid(zoneUuid);
    e.setDomain(domain);
    fill(e.getChange());
    auto bytes = capnp::messageToFlatArray(m);
    txn_.put(t_.log, encodeU64(seq_), asBytes(bytes), MDB_APPEND);
    if (!zoneUuid.empty()) {
      txn_.put(t_.zoneEvents, zoneEventKey(zoneUuid, seq_), "", MDB_NOOVERWRITE);
    }
    return bytes;
  }

  Txn& txn_;
  const Tables& t_;
  const StoreOptions& o_;
  uint64_t seq_;  // the seq this command gets if it changes something
  int64_t now_;
  bool replay_ = false;
  bool serialsStored_ = true;
  uint32_t setRemaining_ = 0;     // events of this change set after this one
  bool setContinuation_ = false;  // not the first event of its change set
  std::string forcedId_;
  auth::Scope scope_;  // the acting token's limits (empty: none)
  // The command's conditional headers (issue 11 item 5); a reader into the
  // command, which outlives this Writer's apply().
  std::optional<schema::Precondition::Reader> precondition_;
  ValueDecoder decoder_;
};

Store::Store(StoreOptions options) : options_(std::move(options)), tables_(new Tables) {
  if (!options_.clock) options_.clock = nowSeconds;
  if (options_.firstSeq == 0 || options_.firstSeq > kMaxFirstSeq) {
    throw std::invalid_argument("store first seq " + std::to_string(options_.firstSeq) +
                                " is out of range: it must be 1 to 2^63");
  }
  const std::string& dir = options_.dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw LmdbError("cannot create the store directory " + dir + ": " + ec.message(), ec.value());
  }
  auto fail = [&](int rc, std::string_view what) {
    if (env_ != nullptr) mdb_env_close(env_);
    env_ = nullptr;
    throw LmdbError("cannot open the LMDB store in " + dir + ": " + std::string(what) + ": " +
                        mdb_strerror(rc) + " (check the directory's permissions and free space)",
                    rc);
  };
  int rc = mdb_env_create(&env_);
  if (rc != MDB_SUCCESS) fail(rc, "mdb_env_create");
  if ((rc = mdb_env_set_mapsize(env_, options_.mapSize)) != MDB_SUCCESS) fail(rc, "set map size");
  if ((rc = mdb_env_set_maxdbs(env_, 24)) != MDB_SUCCESS) fail(rc, "set max dbs");
  if ((rc = mdb_env_open(env_, dir.c_str(), MDB_NOTLS, 0600)) != MDB_SUCCESS) fail(rc, "open");
  int dead = 0;
  if ((rc = mdb_reader_check(env_, &dead)) != MDB_SUCCESS) fail(rc, "reader check");
  if (dead > 0)
    spdlog::info("cleared {} stale LMDB reader slot(s) left by a crashed process", dead);

  try {
    Txn txn(env_, nullptr, 0);
    auto open = [&](const char* name) {
      MDB_dbi dbi = 0;
      check(mdb_dbi_open(txn.get(), name, MDB_CREATE, &dbi),
            std::string("cannot open LMDB database ") + name);
      return dbi;
    };
    Tables& t = *tables_;
    t.zones = open("zones");
    t.zoneByDomain = open("zone_by_domain");
    t.zoneByOwner = open("zone_by_owner");
    t.owners = open("owners");
    t.records = open("records");
    t.zoneRecords = open("zone_records");
    t.zoneTypeRecords = open("zone_type_records");
    t.typeCounts = open("type_counts");
    t.tokens = open("tokens");
    t.tokenByHash = open("token_by_hash");
    t.log = open("log");
    t.zoneEvents = open("zone_events");
    t.users = open("users");
    t.tokenLastUsed = open("token_last_used");
    t.idempotency.byKey = open("idempotency");
    t.idempotency.byTime = open("idempotency_by_time");
    {
      Cursor c(txn, t.log);
      lastSeq_ = c.last() ? decodeU64(c.key()) : 0;
    }
    if (lastSeq_ != 0 && options_.firstSeq != 1) {
      spdlog::info("store.first_seq = {} is ignored: the log already ends at event {}",
                   options_.firstSeq, lastSeq_);
    }
    rebuildZoneEvents(txn, t);
    txn.commit();
  } catch (const LmdbError& e) {
    mdb_env_close(env_);
    env_ = nullptr;
    throw LmdbError("cannot open the LMDB store in " + dir + ": " + e.what(), e.code());
  }
}

// A store written before the zone_events index existed has a log but no
// index: build it once from the log (entries of live zones only).
void Store::rebuildZoneEvents(Txn& txn, const Tables& t) {
  if (lastSeq_ == 0) return;
  {
    Cursor c(txn, t.zoneEvents);
    if (c.first()) return;
  }
  std::vector<std::string> keys;
  {
    ValueDecoder decoder;
    Cursor c(txn, t.log);
    for (bool ok = c.first(); ok; ok = c.next()) {
      auto event = decoder.decode<schema::Event>(c.value());
      const std::string_view zone = sv(event.getZoneUuid());
      if (!zone.empty() && txn.find(t.zones, zone)) {
        keys.push_back(zoneEventKey(zone, event.getSeq()));
      }
    }
  }
  for (const auto& k : keys) txn.put(t.zoneEvents, k, "");
  spdlog::info("indexed the history of live zones: {} event(s) from a log of {}", keys.size(),
               lastSeq_);
}

Store::~Store() {
  if (env_ != nullptr) mdb_env_close(env_);
}

// Applies `commands` in order into `parent`, appending replies and events to
// `out` and advancing `seq`. With `isolate`, each command runs in its own
// child transaction, so a command that fails part-way (a storage error or a
// malformed field met after its first write) is rolled back alone. Without
// it, commands write straight into `parent` (a child transaction costs a
// dirty-list merge per command, about a quarter of the CPU of a 1,000-command
// batch); a command that fails before its first write leaves no trace either
// way, and the first one that fails after writing makes this return false:
// `parent` then holds a partial command and must be aborted.
bool Store::applyCommands(Txn& parent, std::span<const schema::Command::Reader> commands,
                          int64_t now, bool isolate, BatchResult& out, uint64_t& seq) {
  for (auto c : commands) {
    const uint64_t requestId = c.getRequestId();
    const log::LogContext context{{"request", std::to_string(requestId)}};
    std::optional<Error> failure;
    std::optional<Txn> child;
    const uint64_t writesBefore = parent.writes();
    // A change set fails part-way as a matter of course (a bad item after
    // good ones): it always runs in its own child transaction, and a dry run
    // is rolled back even when it succeeds.
    const bool changeSet = c.getBody().isChangeSetValid();
    const bool dryRun = changeSet && c.getDryRun();
    const bool ownTxn = isolate || changeSet;
    auto wrotePartially = [&] { return !ownTxn && parent.writes() != writesBefore; };
    try {
      capnp::MallocMessageBuilder m;
      auto reply = m.initRoot<schema::Reply>();
      reply.setVersion(schema::PROTOCOL_VERSION);
      reply.setRequestId(requestId);
      std::optional<kj::Array<capnp::word>> event;
      std::vector<kj::Array<capnp::word>> events;
      if (ownTxn) child.emplace(env_, parent.get(), 0);
      Txn& txn = ownTxn ? *child : parent;
      // Issue 11 item 6: a key seen before answers its first reply again, or 422.
      const bool keyed = c.hasIdempotency() && !dryRun;
      if (keyed && !validIdempotencyKey(sv(c.getIdempotency().getKey()))) {
        if (child) child->abort();
        out.replies.push_back(
            errorReply(requestId, Error::validation("Idempotency-Key",
                                                    "an Idempotency-Key is 1 to 255 "
                                                    "visible ASCII characters")));
        continue;
      }
      if (keyed) {
        auto seen = lookupKey(txn, tables_->idempotency, sv(c.getActor().getUserId()),
                              c.getIdempotency(), now);
        if (auto* stored = std::get_if<StoredReply>(&seen)) {
          if (child) child->abort();
          capnp::MallocMessageBuilder again;
          replayReply(stored->reply, requestId, again);
          out.replies.push_back(capnp::messageToFlatArray(again));
          continue;
        }
        if (std::holds_alternative<KeyReused>(seen)) {
          if (child) child->abort();
          out.replies.push_back(errorReply(requestId, keyReusedError()));
          continue;
        }
      }
      Writer writer(txn, *tables_, options_, seq + 1, now);
      failure = writer.apply(c, reply, event, events);
      if (failure && wrotePartially()) {
        throw std::logic_error("a command failed after writing: " + failure->detail);
      }
      if (!failure) {
        if (dryRun) {
          child->abort();
        } else {
          if (event) events.push_back(std::move(*event));
          // The last event of a change set stands for the set (its seq, its serial).
          if (!events.empty()) describeCommit(events.back(), reply);
          if (keyed) {  // in the command's own transaction: never one without the other
            rememberKey(txn, tables_->idempotency, sv(c.getActor().getUserId()), c.getIdempotency(),
                        capnp::messageToFlatArray(m), now);
          }
          if (child) child->commit();
          for (auto& e : events) {
            ++seq;
            out.events.push_back(std::move(e));
          }
        }
        out.replies.push_back(capnp::messageToFlatArray(m));
      }
    } catch (const LmdbError& e) {
      if (outOfSpace(e, options_.dir)) throw;  // the whole batch is retried or refused
      if (wrotePartially()) return false;
      spdlog::error("request {}: storage failure, the command was not applied: {}", requestId,
                    e.what());
      failure = internal("storage failure; the operator must check the store's log");
    } catch (const std::logic_error& e) {
      if (wrotePartially()) return false;
      spdlog::error("request {}: the store hit a bug and did not apply the command: {}", requestId,
                    e.what());
      failure = internal("internal error in the store; see its log");
    } catch (const std::exception& e) {
      if (wrotePartially()) return false;
      spdlog::warn("request {}: malformed command dropped: {}", requestId, e.what());
      failure = internal("malformed command");
    }
    if (failure) out.replies.push_back(errorReply(requestId, *failure));
  }
  return true;
}

size_t Store::mapSize() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

size_t Store::mapUsed() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  MDB_stat stat{};
  mdb_env_stat(env_, &stat);
  return (info.me_last_pgno + 1) * size_t{stat.ms_psize};
}

bool Store::growMap() {
  const size_t current = mapSize();
  if (current >= options_.mapSizeMax) return false;
  const size_t next = current > options_.mapSizeMax / 2 ? options_.mapSizeMax : current * 2;
  std::unique_lock lock(mapLock_);
  if (const int rc = mdb_env_set_mapsize(env_, next); rc != MDB_SUCCESS) {
    spdlog::error("the store's LMDB map in {} is full at {} MiB and could not grow to {} MiB: {}",
                  options_.dir, current >> 20, next >> 20, mdb_strerror(rc));
    return false;
  }
  spdlog::warn(
      "the store's LMDB map in {} was full at {} MiB; it grew to {} MiB (the ceiling, "
      "store.map_size_max, is {} MiB)",
      options_.dir, current >> 20, next >> 20, options_.mapSizeMax >> 20);
  return true;
}

BatchResult Store::applyBatch(std::span<const schema::Command::Reader> commands) {
  while (true) {
    try {
      BatchResult out = applyBatchOnce(commands);
      if (full_) {
        full_ = false;
        spdlog::warn("the store in {} can write again ({} MiB map); writes are accepted",
                     options_.dir, mapSize() >> 20);
      }
      return out;
    } catch (const LmdbError& e) {
      if (e.code() == MDB_MAP_FULL && growMap()) continue;  // nothing was written: again
      const bool ceiling = e.code() == MDB_MAP_FULL;
      const std::string why = ceiling
                                  ? "the store is full: its LMDB map reached store.map_size_max (" +
                                        std::to_string(options_.mapSizeMax >> 20) + " MiB)"
                                  : "the store's disk is full (" + std::string(e.what()) + ")";
      if (!full_) {
        full_ = true;
        spdlog::error(
            "{}: every write is refused with 507 insufficient_storage until there is room; "
            "reads keep working and nothing acknowledged is lost. {}",
            why,
            ceiling ? "Raise store.map_size_max and restart the store (the disk must hold it)"
                    : "Free space on the store's file system; writes resume by themselves");
      }
      BatchResult out;
      for (auto c : commands) {
        out.replies.push_back(errorReply(
            c.getRequestId(),
            Error{ErrorKind::kInsufficientStorage, "",
                  "the change was not saved: " + why + "; the operator must make room"}));
      }
      return out;
    }
  }
}

BatchResult Store::applyBatchOnce(std::span<const schema::Command::Reader> commands) {
  BatchResult out;
  out.replies.reserve(commands.size());
  if (commands.empty()) return out;
  const int64_t now = options_.clock();
  std::vector<uint64_t> requestIds;
  requestIds.reserve(commands.size());
  for (auto c : commands) requestIds.push_back(c.getRequestId());

  auto failAll = [&](const std::string& why) {
    out.replies.clear();
    out.events.clear();
    for (uint64_t id : requestIds) {
      out.replies.push_back(
          errorReply(id, internal("the change was not saved: the store cannot write (" + why +
                                  "); the operator must check the store's disk and log")));
    }
  };

  std::unique_ptr<Txn> parent;
  uint64_t seq = seqBefore();
  try {
    parent = std::make_unique<Txn>(env_, nullptr, 0);
    if (!applyCommands(*parent, commands, now, false, out, seq)) {
      // Rare: a command failed part-way. Start over with every command
      // isolated, so that only the failing one is rolled back.
      spdlog::warn(
          "a command failed part-way through a batch of {}; re-applying the batch with each "
          "command in its own transaction",
          commands.size());
      parent->abort();
      out.replies.clear();
      out.events.clear();
      seq = seqBefore();
      parent = std::make_unique<Txn>(env_, nullptr, 0);
      applyCommands(*parent, commands, now, true, out, seq);
    }
    // Issue 11 item 6: expired Idempotency-Keys go, a bounded number per commit.
    purgeExpiredKeys(*parent, tables_->idempotency, now);
  } catch (const LmdbError& e) {
    if (outOfSpace(e, options_.dir)) throw;
    spdlog::error("cannot start a write transaction in {}: {}", options_.dir, e.what());
    failAll(e.what());
    return out;
  }

  try {
    parent->commit();
    if (!out.events.empty()) lastSeq_ = seq;
  } catch (const LmdbError& e) {
    if (outOfSpace(e, options_.dir)) throw;
    spdlog::error(
        "cannot commit {} command(s) to {}: {}; every one of them was answered with an "
        "error",
        commands.size(), options_.dir, e.what());
    failAll(e.what());
  }
  return out;
}

}  // namespace zp::store

namespace zp::store {
namespace {

// The command that produced a recorded event, and the id it created (empty
// when it created nothing). Returns an error for an event no command makes.
Result<std::string> commandFor(schema::Event::Reader e, schema::Command::Builder c) {
  c.setVersion(schema::PROTOCOL_VERSION);
  c.setRequestId(e.getSeq());
  c.setActor(e.getActor());
  auto body = c.getBody();
  auto change = e.getChange();
  auto validRecord = [&](schema::Record::Reader r, schema::ValidRecord::Builder out) -> Status {
    auto zoneName = dns::DnsName::parseZoneDomain(sv(e.getDomain()));
    if (!zoneName) return zoneName.error();
    // A log may come from a file: re-validate like the validator does, and
    // insist on the canonical form the store only ever holds.
    dns::RecordInput input;
    input.type = dns::toString(schema::fromSchema(r.getType()));
    input.name = dns::absoluteOwner(sv(r.getName()), *zoneName);
    input.value = sv(r.getValue());
    input.ttl = r.getTtl();
    if (r.getHasPriority()) input.priority = r.getPriority();
    auto valid = dns::validateRecord(input);
    if (!valid) return valid.error();
    if (valid->value != sv(r.getValue())) {
      return Error::validation("value", "record " + std::string(sv(r.getUuid())) +
                                            " holds a value not in canonical form");
    }
    schema::toSchema(*valid, out);
    return std::nullopt;
  };
  switch (change.which()) {
    case schema::Event::Change::ZONE_CREATED: {
      auto z = change.getZoneCreated();
      body.setCreateZoneValid(z.getDomain());
      if (z.getUuid().size() == 0) return internal("the created zone has no uuid");
      return std::string(sv(z.getUuid()));
    }
    case schema::Event::Change::ZONE_DELETED:
      body.setDeleteZone(change.getZoneDeleted().getUuid());
      return std::string();
    case schema::Event::Change::RECORD_CREATED: {
      auto r = change.getRecordCreated();
      auto g = body.initCreateRecordValid();
      g.setZoneUuid(r.getZoneUuid());
      if (auto st = validRecord(r, g.initRecord())) return *st;
      if (r.getUuid().size() == 0) return internal("the created record has no uuid");
      return std::string(sv(r.getUuid()));
    }
    case schema::Event::Change::RECORD_DELETED:
      body.setDeleteRecord(change.getRecordDeleted().getUuid());
      return std::string();
    case schema::Event::Change::RECORD_UPDATED: {
      auto after = change.getRecordUpdated().getAfter();
      auto g = body.initUpdateRecordValid();
      g.setRecordUuid(after.getUuid());
      if (auto st = validRecord(after, g.initRecord())) return *st;
      return std::string();
    }
    case schema::Event::Change::TOKEN_CREATED: {
      auto t = change.getTokenCreated();
      auto g = body.initCreateToken();
      g.setUserId(t.getUserId());
      g.setPermissions(t.getPermissions());
      g.setHash(t.getHash());
      if (t.hasName()) g.setName(t.getName());
      if (t.hasScope()) g.setScope(t.getScope());
      if (t.hasPrefix()) g.setPrefix(t.getPrefix());
      if (t.getId().size() == 0) return internal("the created token has no id");
      return std::string(sv(t.getId()));
    }
    case schema::Event::Change::TOKEN_REVOKED:
      body.setRevokeToken(change.getTokenRevoked());
      return std::string();
    case schema::Event::Change::USER_CREATED: {
      auto u = change.getUserCreated();
      auto g = body.initCreateUser();
      g.setName(u.getName());
      g.setPasswordHash(u.getPasswordHash());
      return std::string();
    }
    case schema::Event::Change::USER_DISABLED:
      body.setDisableUser(change.getUserDisabled());
      return std::string();
    case schema::Event::Change::USER_PASSWORD_CHANGED: {
      auto in = change.getUserPasswordChanged();
      auto g = body.initSetPassword();
      g.setName(in.getName());
      g.setPasswordHash(in.getPasswordHash());
      return std::string();
    }
  }
  return internal("event of an unknown kind (written by a newer zonepipe?)");
}

}  // namespace

Status Store::replay(std::span<const schema::Event::Reader> events) {
  if (events.empty()) return std::nullopt;
  Txn parent(env_, nullptr, 0);
  uint64_t seq = seqBefore();
  // The set the previous event opened (its setRemaining), if any: the next
  // event must continue it (a page of a log may end inside a set).
  uint32_t setOpen = replaySetOpen_;
  for (auto recorded : events) {
    const uint64_t expected = seq + 1;
    auto refuse = [&](const std::string& why) -> Status {
      return Error{ErrorKind::kValidation, "seq",
                   "event " + std::to_string(recorded.getSeq()) + " cannot be replayed: " + why};
    };
    if (recorded.getSeq() != expected) {
      return refuse("expected event " + std::to_string(expected) +
                    " next (the log must be complete and in order" +
                    (lastSeq_ == 0 ? std::string("; to import a log that starts later, set "
                                                 "store.first_seq to its first seq")
                                   : std::string()) +
                    ")");
    }
    capnp::MallocMessageBuilder commandMessage;
    auto command = commandMessage.initRoot<schema::Command>();
    auto id = commandFor(recorded, command);
    if (!id) return refuse(id.error().detail);
    if (setOpen != 0 && recorded.getSetRemaining() != setOpen - 1) {
      return refuse("the change set of the events before it is incomplete");
    }

    capnp::MallocMessageBuilder replyMessage;
    auto reply = replyMessage.initRoot<schema::Reply>();
    std::optional<kj::Array<capnp::word>> produced;
    // No child transaction: a refused event aborts the whole call (the
    // parent is aborted when this returns), so nothing needs rolling back
    // alone, and a child per event costs a dirty-list merge each.
    Writer writer(parent, *tables_, options_, expected, recorded.getTime());
    const std::string createdId = std::move(id).value();
    Status failure;
    try {
      // A zone event without a serial was logged before serials were stored.
      writer.replayWithId(createdId,
                          recorded.getZoneUuid().size() == 0 || recorded.getSoaSerial() != 0);
      writer.replayInSet(recorded.getSetRemaining(), setOpen != 0);
      std::vector<kj::Array<capnp::word>> unused;
      failure = writer.apply(command.asReader(), reply, produced, unused);
    } catch (const LmdbError& e) {
      if (e.code() != MDB_KEYEXIST) throw;
      failure = internal("it creates " + createdId + ", which already exists");
    } catch (const std::logic_error& e) {
      failure = internal(e.what());
    } catch (const kj::Exception& e) {
      failure = internal(std::string("malformed event: ") + e.getDescription().cStr());
    }
    if (failure) return refuse(failure->detail);
    if (!produced) return refuse("it changes nothing in the state rebuilt so far");
    capnp::FlatArrayMessageReader producedReader(*produced);
    const auto a = capnp::canonicalize(producedReader.getRoot<schema::Event>());
    const auto b = capnp::canonicalize(recorded);
    if (a.asBytes() != b.asBytes()) {
      return refuse(
          "applying it gives a different change (the log was edited, or written by "
          "a zonepipe with other rules)");
    }
    seq = expected;
    setOpen = recorded.getSetRemaining();
  }
  parent.commit();
  replaySetOpen_ = setOpen;
  lastSeq_ = seq;
  return std::nullopt;
}

}  // namespace zp::store
