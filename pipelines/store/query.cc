// Store queries: read-only transactions answering schema::Query.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "common/auth/scope.h"
#include "common/dns/record_spec.h"
#include "common/dns/record_type.h"
#include "common/dns/serial.h"
#include "common/schema/codec.h"
#include "pipelines/store/record_filter.h"
#include "pipelines/store/store.h"
#include "pipelines/store/tables.h"

namespace zp::store {
namespace {

using schema::Query;

std::string_view sv(capnp::Text::Reader t) { return {t.begin(), t.size()}; }
std::string_view sv(capnp::Data::Reader d) {
  return {reinterpret_cast<const char*>(d.begin()), d.size()};
}

Error notFound(std::string detail) { return Error{ErrorKind::kNotFound, "", std::move(detail)}; }

uint32_t clampLimit(uint32_t limit, uint32_t fallback, uint32_t max) {
  if (limit == 0) return fallback;
  return limit > max ? max : limit;
}

}  // namespace

// Answers one query inside one read transaction. Lives for one query.
class Store::Reader {
 public:
  Reader(const Txn& txn, const Tables& t) : txn_(txn), t_(t) {}

  Status answer(Query::Reader q, schema::Reply::Body::Builder reply) {
    if (q.getVersion() != schema::PROTOCOL_VERSION) {
      return Error{ErrorKind::kInternal, "",
                   "query uses protocol version " + std::to_string(q.getVersion()) +
                       " but this store speaks version " +
                       std::to_string(schema::PROTOCOL_VERSION) +
                       "; run every stage from the same build"};
    }
    const std::string_view user = sv(q.getUserId());
    // The asking token's limits (issue 9): zones outside them are not found.
    if (q.hasScope()) scope_ = schema::fromSchema(q.getScope());
    auto body = q.getBody();
    switch (body.which()) {
      case Query::Body::AUTHENTICATE:
        return authenticate(body.getAuthenticate(), reply);
      case Query::Body::LIST_ZONES:
        return listZones(user, body.getListZones(), reply);
      case Query::Body::GET_ZONE:
        return getZone(user, sv(body.getGetZone()), reply);
      case Query::Body::LIST_RECORDS:
        return listRecords(user, body.getListRecords(), reply);
      case Query::Body::GET_RECORD:
        return getRecord(user, sv(body.getGetRecord()), reply);
      case Query::Body::LOG_SINCE:
        return logSince(body.getLogSince(), reply);
      case Query::Body::ZONE_SNAPSHOT:
        return zoneSnapshot(user, sv(body.getZoneSnapshot()), reply);
      case Query::Body::LIST_TOKENS:
        return listTokens(user, reply);
      case Query::Body::LIST_USERS:
        return listUsers(reply);
      case Query::Body::GET_USER:
        return getUser(sv(body.getGetUser()), reply);
      case Query::Body::ZONE_CHANGES:
        return zoneChanges(user, body.getZoneChanges(), reply);
      case Query::Body::ZONE_AT:
        return zoneAt(user, body.getZoneAt(), reply);
      case Query::Body::ALL_ZONES:
        return allZones(user, body.getAllZones(), reply);
      case Query::Body::ZONE_SNAPSHOT_PAGE:
        return zoneSnapshotPage(user, body.getZoneSnapshotPage(), reply);
      case Query::Body::GET_CHANGE:
        return getChange(user, body.getGetChange(), reply);
      case Query::Body::IDEMPOTENT_REPLY:
        break;  // answered by Store::query: it replaces the whole reply
    }
    return Error{ErrorKind::kInternal, "",
                 "unknown query (is a newer stage talking to an older store?)"};
  }

 private:
  using ReplyBody = schema::Reply::Body::Builder;

  Status authenticate(capnp::Data::Reader hash, ReplyBody reply) {
    const Error denied{ErrorKind::kAuthentication, "", "invalid API token: unknown or revoked"};
    if (hash.size() != 32) return denied;
    auto id = txn_.find(t_.tokenByHash, sv(hash));
    if (!id) return denied;
    auto bytes = txn_.find(t_.tokens, *id);
    if (!bytes) return denied;
    auto token = a_.decode<schema::Token>(*bytes);
    if (token.getRevoked()) return denied;
    if (auto user = txn_.find(t_.users, sv(token.getUserId()))) {
      if (b_.decode<schema::User>(*user).getDisabled()) {
        return Error{ErrorKind::kAuthentication, "",
                     "the account this API token belongs to is disabled"};
      }
    }
    auto p = reply.initPrincipal();
    p.setUserId(token.getUserId());
    p.setTokenId(token.getId());
    p.setPermissions(token.getPermissions());
    if (token.hasScope()) p.setScope(token.getScope());
    return std::nullopt;
  }

  Status listZones(std::string_view user, Query::Body::ListZones::Reader in, ReplyBody reply) {
    const uint32_t limit = clampLimit(in.getLimit(), kDefaultListLimit, kMaxListLimit);
    const uint32_t offset = in.getOffset();
    std::string domain(sv(in.getDomain()));
    for (char& c : domain) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!domain.empty() && domain.back() == '.') domain.pop_back();

    uids_.clear();
    uint32_t total = 0;
    if (scope_.limitsZones()) {
      // The token's own zones (a short list): owned ones, by domain.
      std::vector<std::pair<std::string, std::string_view>> inScope;  // domain, uuid
      for (const auto& uuid : scope_.zones) {
        auto bytes = txn_.find(t_.zones, uuid);
        if (!bytes) continue;
        auto zone = b_.decode<schema::Zone>(*bytes);
        if (sv(zone.getOwnerId()) != user) continue;
        if (!domain.empty() && sv(zone.getDomain()) != domain) continue;
        inScope.emplace_back(std::string(sv(zone.getDomain())), uuid);
      }
      std::sort(inScope.begin(), inScope.end());
      total = static_cast<uint32_t>(inScope.size());
      for (size_t i = offset; i < inScope.size() && uids_.size() < limit; ++i) {
        uids_.push_back(inScope[i].second);
      }
    } else if (!domain.empty()) {
      if (auto uuid = txn_.find(t_.zoneByOwner, joinKey({user, domain}))) {
        total = 1;
        if (offset == 0) uids_.push_back(*uuid);
      }
    } else {
      if (auto count = txn_.find(t_.owners, user)) total = static_cast<uint32_t>(decodeU64(*count));
      const std::string prefix = joinKey({user}, true);
      Cursor c(txn_, t_.zoneByOwner);
      uint32_t skipped = 0;
      for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix) && uids_.size() < limit;
           ok = c.next()) {
        if (skipped < offset) {
          ++skipped;
          continue;
        }
        uids_.push_back(c.value());
      }
    }
    auto zones = reply.initZones();
    zones.setTotal(total);
    auto items = zones.initItems(static_cast<unsigned>(uids_.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      items.setWithCaveats(i, a_.decode<schema::Zone>(mustFind(t_.zones, uids_[i])));
    }
    return std::nullopt;
  }

  // Every zone by domain (internal: the renderer's audits walk them).
  Status allZones(std::string_view user, Query::Body::AllZones::Reader in, ReplyBody reply) {
    if (!user.empty()) return notFound("allZones is an internal query");
    const uint32_t limit = clampLimit(in.getLimit(), kDefaultListLimit, kMaxListLimit);
    const std::string after(sv(in.getAfter()));
    uids_.clear();
    Cursor c(txn_, t_.zoneByDomain);
    for (bool ok = c.seek(after); ok && uids_.size() < limit; ok = c.next()) {
      if (!after.empty() && c.key() == after) continue;
      uids_.push_back(c.value());
    }
    auto zones = reply.initZones();
    zones.setTotal(0);
    auto items = zones.initItems(static_cast<unsigned>(uids_.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      items.setWithCaveats(i, a_.decode<schema::Zone>(mustFind(t_.zones, uids_[i])));
    }
    return std::nullopt;
  }

  Status getZone(std::string_view user, std::string_view uuid, ReplyBody reply) {
    auto bytes = txn_.find(t_.zones, uuid);
    if (!bytes) return notFound("zone not found");
    auto zone = a_.decode<schema::Zone>(*bytes);
    if (sv(zone.getOwnerId()) != user || !auth::zoneInScope(scope_, uuid)) {
      return notFound("zone not found");
    }
    zoneDetail(zone, reply);
    return std::nullopt;
  }

  Status zoneSnapshot(std::string_view user, std::string_view domain, ReplyBody reply) {
    auto uuid = txn_.find(t_.zoneByDomain, domain);
    if (!uuid) return notFound("zone " + std::string(domain) + " not found");
    auto zone = a_.decode<schema::Zone>(mustFind(t_.zones, *uuid));
    if (!user.empty() && sv(zone.getOwnerId()) != user) {
      return notFound("zone " + std::string(domain) + " not found");
    }
    zoneDetail(zone, reply);
    return std::nullopt;
  }

  // One page of a zone's records in zoneRecords key order (name, type, uuid),
  // starting after the key `after` (a page's `next`); a key that is not a key
  // of this zone (another zone's, or garbage) starts from the zone's first.
  Status zoneSnapshotPage(std::string_view user, Query::Body::ZoneSnapshotPage::Reader in,
                          ReplyBody reply) {
    constexpr uint32_t kDefaultPage = 5'000, kMaxPage = 20'000;
    const std::string_view domain = sv(in.getDomain());
    const std::string_view byUuid = sv(in.getZoneUuid());
    const std::string which = byUuid.empty() ? std::string(domain) : std::string(byUuid);
    auto uuid = byUuid.empty() ? txn_.find(t_.zoneByDomain, domain) : std::optional(byUuid);
    auto stored = uuid ? txn_.find(t_.zones, *uuid) : std::nullopt;
    if (!stored) return notFound("zone " + which + " not found");
    auto zone = a_.decode<schema::Zone>(*stored);
    if ((!user.empty() && sv(zone.getOwnerId()) != user) ||
        (!byUuid.empty() && !auth::zoneInScope(scope_, byUuid))) {
      return notFound("zone " + which + " not found");
    }
    const uint32_t limit = clampLimit(in.getLimit(), kDefaultPage, kMaxPage);
    const std::string prefix = joinKey({sv(zone.getUuid())}, true);
    const std::string_view after = sv(in.getAfter());
    const bool resume = hasPrefix(after, prefix) && after.size() > prefix.size();
    Cursor c(txn_, t_.zoneRecords);
    uids_.clear();
    std::string_view lastKey;
    bool more = false;
    for (bool ok = c.seek(resume ? after : std::string_view(prefix));
         ok && hasPrefix(c.key(), prefix); ok = c.next()) {
      if (resume && c.key() == after) continue;
      if (uids_.size() == limit) {
        more = true;
        break;
      }
      uids_.push_back(lastPart(c.key()));
      lastKey = c.key();
    }
    auto page = reply.initSnapshotPage();
    page.setZone(zone);
    fillRecords(page.initRecords(static_cast<unsigned>(uids_.size())));
    if (more) {
      page.setNext(
          capnp::Data::Reader(reinterpret_cast<const kj::byte*>(lastKey.data()), lastKey.size()));
    }
    return std::nullopt;
  }

  // Zone plus every record, ordered by name, type, uuid.
  void zoneDetail(schema::Zone::Reader zone, ReplyBody reply) {
    auto detail = reply.initZone();
    detail.setZone(zone);
    const std::string prefix = joinKey({sv(zone.getUuid())}, true);
    uids_.clear();
    collect(t_.zoneRecords, prefix, 0, std::numeric_limits<uint32_t>::max());
    fillRecords(detail.initRecords(static_cast<unsigned>(uids_.size())));
  }

  Status listRecords(std::string_view user, Query::Body::ListRecords::Reader in, ReplyBody reply) {
    const uint32_t limit = clampLimit(in.getLimit(), kDefaultListLimit, kMaxListLimit);
    uint32_t offset = in.getOffset();
    std::string type(sv(in.getRecordType()));
    for (char& c : type) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (!type.empty() && !dns::recordTypeFromString(type)) {
      return Error::validation("record_type", "unknown record type `" + type + "`; use one of " +
                                                  dns::recordTypeNames());
    }
    uids_.clear();
    uint64_t total = 0;
    const std::string_view zoneUuid = sv(in.getZoneUuid());
    const RecordFilter filter =
        in.hasFilter() ? RecordFilter::from(in.getFilter()) : RecordFilter{};
    if (!zoneUuid.empty()) {
      auto bytes = txn_.find(t_.zones, zoneUuid);
      if (!bytes) return notFound("zone not found");
      auto zone = a_.decode<schema::Zone>(*bytes);
      if (sv(zone.getOwnerId()) != user || !auth::zoneInScope(scope_, zoneUuid)) {
        return notFound("zone not found");
      }
      if (!filter.empty()) {
        zoneIds_.assign(1, zoneUuid);
        return listFiltered(filter, type, offset, limit, reply);
      }
      total = zoneCount(zone, type);
      collectZone(zoneUuid, type, offset, limit);
    } else {
      // Every zone of the user, by domain; whole zones before `offset` are
      // skipped by their counts without touching their records.
      zoneIds_.clear();
      const std::string prefix = joinKey({user}, true);
      {
        Cursor c(txn_, t_.zoneByOwner);
        for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
          if (auth::zoneInScope(scope_, c.value())) zoneIds_.push_back(c.value());
        }
      }
      if (!filter.empty()) return listFiltered(filter, type, offset, limit, reply);
      for (auto zid : zoneIds_) {
        const uint64_t count = zoneCount(a_.decode<schema::Zone>(mustFind(t_.zones, zid)), type);
        total += count;
        if (uids_.size() >= limit || count == 0) continue;
        if (offset >= count) {
          offset -= static_cast<uint32_t>(count);
          continue;
        }
        collectZone(zid, type, offset, limit);
        offset = 0;
      }
    }
    auto records = reply.initRecords();
    records.setTotal(static_cast<uint32_t>(std::min<uint64_t>(total, UINT32_MAX)));
    fillRecords(records.initItems(static_cast<unsigned>(uids_.size())));
    return std::nullopt;
  }

  Status getRecord(std::string_view user, std::string_view uuid, ReplyBody reply) {
    auto bytes = txn_.find(t_.records, uuid);
    if (!bytes) return notFound("record not found");
    auto record = a_.decode<schema::Record>(*bytes);
    auto zone = b_.decode<schema::Zone>(mustFind(t_.zones, sv(record.getZoneUuid())));
    if (sv(zone.getOwnerId()) != user || !auth::zoneInScope(scope_, sv(record.getZoneUuid()))) {
      return notFound("record not found");
    }
    reply.setRecord(record);
    return std::nullopt;
  }

  Status logSince(Query::Body::LogSince::Reader in, ReplyBody reply) {
    const uint32_t limit = clampLimit(in.getLimit(), kDefaultLogLimit, kMaxLogLimit);
    const uint64_t after = in.getAfter();
    uids_.clear();
    uint64_t lastSeq = 0;
    Cursor c(txn_, t_.log);
    if (after < std::numeric_limits<uint64_t>::max()) {
      for (bool ok = c.seek(encodeU64(after + 1)); ok && uids_.size() < limit; ok = c.next()) {
        uids_.push_back(c.value());
      }
    }
    if (c.last()) lastSeq = decodeU64(c.key());
    auto events = reply.initEvents();
    events.setLastSeq(lastSeq);
    auto items = events.initItems(static_cast<unsigned>(uids_.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      items.setWithCaveats(i, a_.decode<schema::Event>(uids_[i]));
    }
    return std::nullopt;
  }

  // Every token (internal, the CLI: `user` empty), or the live tokens of
  // `user` (the token API and dashboard), by id, with their last use.
  Status listTokens(std::string_view user, ReplyBody reply) {
    uids_.clear();
    {
      Cursor c(txn_, t_.tokens);
      for (bool ok = c.first(); ok; ok = c.next()) {
        if (!user.empty()) {
          auto token = a_.decode<schema::Token>(c.value());
          if (sv(token.getUserId()) != user || token.getRevoked()) continue;
        }
        uids_.push_back(c.value());
      }
    }
    auto items = reply.initTokens(static_cast<unsigned>(uids_.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      auto token = a_.decode<schema::Token>(uids_[i]);
      auto out = items[i];
      out.setId(token.getId());
      out.setUserId(token.getUserId());
      out.setPermissions(token.getPermissions());
      out.setCreatedAt(token.getCreatedAt());
      out.setRevoked(token.getRevoked());  // hash left empty: it never leaves the store
      if (token.hasName()) out.setName(token.getName());
      if (token.hasScope()) out.setScope(token.getScope());
      if (token.hasPrefix()) out.setPrefix(token.getPrefix());
      if (auto used = txn_.find(t_.tokenLastUsed, sv(token.getId()))) {
        out.setLastUsedAt(static_cast<int64_t>(decodeU64(*used)));
      }
    }
    return std::nullopt;
  }

  // Every account, by name, hashes blanked (internal: the CLI).
  Status listUsers(ReplyBody reply) {
    uids_.clear();
    {
      Cursor c(txn_, t_.users);
      for (bool ok = c.first(); ok; ok = c.next()) uids_.push_back(c.value());
    }
    auto items = reply.initUsers(static_cast<unsigned>(uids_.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      auto user = a_.decode<schema::User>(uids_[i]);
      items[i].setName(user.getName());
      items[i].setDisabled(user.getDisabled());
      items[i].setCreatedAt(user.getCreatedAt());
    }
    return std::nullopt;
  }

  // One account with its hash (internal: the API's login check).
  Status getUser(std::string_view name, ReplyBody reply) {
    auto bytes = txn_.find(t_.users, name);
    if (!bytes) return notFound("user not found");
    reply.setUser(a_.decode<schema::User>(*bytes));
    return std::nullopt;
  }

  // One zone event by seq: of a zone the user owns (within the token's
  // zones), or one the user made on a zone since deleted.
  Status getChange(std::string_view user, uint64_t seq, ReplyBody reply) {
    auto bytes = txn_.find(t_.log, encodeU64(seq));
    if (!bytes) return notFound("change not found");
    auto event = a_.decode<schema::Event>(*bytes);
    const std::string_view zoneUuid = sv(event.getZoneUuid());
    if (zoneUuid.empty()) return notFound("change not found");
    const bool mine = ownedZone(user, zoneUuid) ||
                      (sv(event.getActor().getUserId()) == user && !txn_.find(t_.zones, zoneUuid) &&
                       auth::zoneInScope(scope_, zoneUuid));
    if (!mine) return notFound("change not found");
    auto events = reply.initEvents();
    {
      Cursor c(txn_, t_.log);
      events.setLastSeq(c.last() ? decodeU64(c.key()) : 0);
    }
    events.initItems(1).setWithCaveats(0, event);
    return std::nullopt;
  }

  // A zone's events, newest first: every key of the zone in zone_events is
  // counted (total), those in [offset, offset+limit) are returned.
  Status zoneChanges(std::string_view user, Query::Body::ZoneChanges::Reader in, ReplyBody reply) {
    const std::string_view zoneUuid = sv(in.getZoneUuid());
    if (!ownedZone(user, zoneUuid)) return notFound("zone not found");
    const uint32_t limit = clampLimit(in.getLimit(), kDefaultChangesLimit, kMaxChangesLimit);
    const uint32_t offset = in.getOffset();
    const std::string prefix = joinKey({zoneUuid}, true);
    uids_.clear();
    uint32_t total = 0;
    {
      Cursor c(txn_, t_.zoneEvents);
      // Position on the zone's last key: the first key after the prefix, one back.
      bool ok = c.seek(prefix + std::string(8, '\xff') + '\xff') ? c.prev() : c.last();
      for (; ok && hasPrefix(c.key(), prefix); ok = c.prev()) {
        if (total >= offset && uids_.size() < limit) {
          uids_.push_back(mustFind(t_.log, c.key().substr(prefix.size())));
        }
        ++total;
      }
    }
    auto events = reply.initEvents();
    events.setTotal(total);
    {
      Cursor c(txn_, t_.log);
      events.setLastSeq(c.last() ? decodeU64(c.key()) : 0);
    }
    auto items = events.initItems(static_cast<unsigned>(uids_.size()));
    for (unsigned i = 0; i < items.size(); ++i) {
      items.setWithCaveats(i, a_.decode<schema::Event>(uids_[i]));
    }
    return std::nullopt;
  }

  // The zone as it was right after its event whose SOA serial is `serial`
  // (the serial users see in zone files and the changes list: the event's
  // soaSerial, or soaSerial(seq) for an event logged before serials were
  // stored), folded from its history in the log. Should a zone have had the
  // same serial twice (2^32 versions apart), the newest version is meant.
  Status zoneAt(std::string_view user, Query::Body::ZoneAt::Reader in, ReplyBody reply) {
    const std::string_view zoneUuid = sv(in.getZoneUuid());
    if (!ownedZone(user, zoneUuid)) return notFound("zone not found");
    const uint64_t serial = in.getSerial();
    const std::string prefix = joinKey({zoneUuid}, true);
    std::optional<uint64_t> at;  // the seq of that version
    uint32_t atSerial = 0;       // its stored SOA serial (0: none stored)
    {
      Cursor c(txn_, t_.zoneEvents);
      for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
        const std::string_view seqKey = c.key().substr(prefix.size());
        auto event = a_.decode<schema::Event>(mustFind(t_.log, seqKey));
        if (dns::storedOrDerivedSerial(event.getSoaSerial(), event.getSeq()) == serial) {
          at = event.getSeq();
          atSerial = event.getSoaSerial();
        }
      }
    }
    if (!at) return notFound("serial " + std::to_string(serial) + " is not a version of this zone");
    std::optional<dns::Zone> zone;
    std::map<std::string, dns::Record> records;  // by uuid
    Cursor c(txn_, t_.zoneEvents);
    for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
      const std::string_view seqKey = c.key().substr(prefix.size());
      if (decodeU64(seqKey) > *at) break;
      auto change = a_.decode<schema::Event>(mustFind(t_.log, seqKey)).getChange();
      switch (change.which()) {
        case schema::Event::Change::ZONE_CREATED:
          zone = schema::fromSchema(change.getZoneCreated());
          records.clear();
          break;
        case schema::Event::Change::RECORD_CREATED: {
          dns::Record r = schema::fromSchema(change.getRecordCreated());
          records[r.uuid] = std::move(r);
          break;
        }
        case schema::Event::Change::RECORD_UPDATED: {
          dns::Record r = schema::fromSchema(change.getRecordUpdated().getAfter());
          records[r.uuid] = std::move(r);
          break;
        }
        case schema::Event::Change::RECORD_DELETED:
          records.erase(std::string(sv(change.getRecordDeleted().getUuid())));
          break;
        case schema::Event::Change::ZONE_DELETED:
        case schema::Event::Change::TOKEN_CREATED:
        case schema::Event::Change::TOKEN_REVOKED:
        case schema::Event::Change::USER_CREATED:
        case schema::Event::Change::USER_DISABLED:
        case schema::Event::Change::USER_PASSWORD_CHANGED:
          throw LmdbError("corrupt store: zone_events of a live zone lists a " +
                              std::string(change.which() == schema::Event::Change::ZONE_DELETED
                                              ? "zone deletion"
                                              : "token or account event"),
                          MDB_CORRUPTED);
      }
    }
    if (!zone) {
      throw LmdbError("corrupt store: the history of zone " + std::string(zoneUuid) +
                          " does not start with its creation",
                      MDB_CORRUPTED);
    }
    zone->serial = *at;
    zone->soaSerial = atSerial;
    zone->recordCount = static_cast<uint32_t>(records.size());
    std::vector<const dns::Record*> ordered;
    ordered.reserve(records.size());
    for (const auto& [uuid, r] : records) ordered.push_back(&r);
    std::sort(ordered.begin(), ordered.end(), [](const dns::Record* x, const dns::Record* y) {
      const std::string_view tx = dns::toString(x->data.type), ty = dns::toString(y->data.type);
      return std::tie(x->data.name, tx, x->uuid) < std::tie(y->data.name, ty, y->uuid);
    });
    auto detail = reply.initZone();
    schema::toSchema(*zone, detail.initZone());
    auto items = detail.initRecords(static_cast<unsigned>(ordered.size()));
    for (unsigned i = 0; i < items.size(); ++i) schema::toSchema(*ordered[i], items[i]);
    return std::nullopt;
  }

  // ---- helpers ----

  // Owned by `user` and inside the asking token's zones.
  bool ownedZone(std::string_view user, std::string_view zoneUuid) {
    auto bytes = txn_.find(t_.zones, zoneUuid);
    return bytes && sv(b_.decode<schema::Zone>(*bytes).getOwnerId()) == user &&
           auth::zoneInScope(scope_, zoneUuid);
  }

  std::string_view mustFind(MDB_dbi dbi, std::string_view key) {
    auto v = txn_.find(dbi, key);
    if (!v) {
      throw LmdbError("corrupt store: key `" + std::string(key) + "` is indexed but missing",
                      MDB_CORRUPTED);
    }
    return *v;
  }

  uint64_t zoneCount(schema::Zone::Reader zone, const std::string& type) {
    if (type.empty()) return zone.getRecordCount();
    auto v = txn_.find(t_.typeCounts, joinKey({sv(zone.getUuid()), type}));
    return v ? decodeU64(*v) : 0;
  }

  // Appends to uids_ the record uuids of one zone (one type when `type` is
  // set), skipping `offset`, until uids_ holds `limit`.
  // The records of zoneIds_ (of `type` when set) that `filter` keeps: every
  // key is visited (the total counts matches), a record is decoded only when
  // the filter needs its value.
  Status listFiltered(const RecordFilter& filter, const std::string& type, uint32_t offset,
                      uint32_t limit, ReplyBody reply) {
    uint64_t total = 0;
    for (auto zid : zoneIds_) {
      const std::string domain(sv(b_.decode<schema::Zone>(mustFind(t_.zones, zid)).getDomain()));
      const bool byType = !type.empty();
      const std::string prefix = byType ? joinKey({zid, type}, true) : joinKey({zid}, true);
      Cursor c(txn_, byType ? t_.zoneTypeRecords : t_.zoneRecords);
      for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix); ok = c.next()) {
        // zone_records: name \0 type \0 uuid; zone_type_records: name \0 uuid
        const std::string_view rest = c.key().substr(prefix.size());
        const std::string_view name = rest.substr(0, rest.find('\0'));
        if (!filter.matchesName(name, domain)) continue;
        const std::string_view uuid = lastPart(c.key());
        if (filter.needsValue()) {
          auto record = b_.decode<schema::Record>(mustFind(t_.records, uuid));
          if (!filter.matchesValue(sv(record.getValue()))) continue;
        }
        if (total++ >= offset && uids_.size() < limit) uids_.push_back(uuid);
      }
    }
    auto records = reply.initRecords();
    records.setTotal(static_cast<uint32_t>(std::min<uint64_t>(total, UINT32_MAX)));
    fillRecords(records.initItems(static_cast<unsigned>(uids_.size())));
    return std::nullopt;
  }

  void collectZone(std::string_view zoneUuid, const std::string& type, uint32_t offset,
                   uint32_t limit) {
    if (type.empty()) {
      collect(t_.zoneRecords, joinKey({zoneUuid}, true), offset, limit);
    } else {
      collect(t_.zoneTypeRecords, joinKey({zoneUuid, type}, true), offset, limit);
    }
  }

  void collect(MDB_dbi dbi, const std::string& prefix, uint32_t offset, uint32_t limit) {
    Cursor c(txn_, dbi);
    uint32_t skipped = 0;
    for (bool ok = c.seek(prefix); ok && hasPrefix(c.key(), prefix) && uids_.size() < limit;
         ok = c.next()) {
      if (skipped < offset) {
        ++skipped;
        continue;
      }
      uids_.push_back(lastPart(c.key()));
    }
  }

  void fillRecords(capnp::List<schema::Record>::Builder items) {
    for (unsigned i = 0; i < items.size(); ++i) {
      items.setWithCaveats(i, a_.decode<schema::Record>(mustFind(t_.records, uids_[i])));
    }
  }

  const Txn& txn_;
  const Tables& t_;
  ValueDecoder a_, b_;
  std::vector<std::string_view> uids_;     // keys or values inside txn_, valid until it ends
  std::vector<std::string_view> zoneIds_;  // same
  auth::Scope scope_;                      // the asking token's limits (empty: none)
};

ReadSession::ReadSession(MDB_env* env) : txn_(std::make_unique<Txn>(env, nullptr, MDB_RDONLY)) {
  txn_->reset();
}
ReadSession::ReadSession(ReadSession&&) noexcept = default;
ReadSession& ReadSession::operator=(ReadSession&&) noexcept = default;
ReadSession::~ReadSession() = default;

ReadSession Store::newReadSession() const { return ReadSession(env_); }

void Store::query(ReadSession& session, schema::Query::Reader query,
                  capnp::MessageBuilder& message) const {
  auto reply = message.initRoot<schema::Reply>();
  reply.setVersion(schema::PROTOCOL_VERSION);
  const uint64_t requestId = query.getRequestId();
  reply.setRequestId(requestId);
  Status failure;
  Txn& txn = *session.txn_;
  std::shared_lock mapLock(mapLock_);  // the map does not move under this query
  try {
    txn.renew();
    struct Park {
      Txn& t;
      ~Park() { t.reset(); }
    } park{txn};
    if (query.getBody().isIdempotentReply()) {
      // Issue 11 item 6: the stored reply of the user's key, as the command
      // with that key would answer it again.
      auto seen = lookupKey(txn, tables_->idempotency, sv(query.getUserId()),
                            query.getBody().getIdempotentReply(), options_.clock());
      if (auto* stored = std::get_if<StoredReply>(&seen)) {
        replayReply(stored->reply, requestId, message);
        return;
      }
      if (std::holds_alternative<KeyReused>(seen)) {
        failure = keyReusedError();
      } else {
        reply.getBody().setOk();
      }
    } else {
      Reader reader(txn, *tables_);
      failure = reader.answer(query, reply.getBody());
    }
  } catch (const LmdbError& e) {
    spdlog::error("query {}: storage failure: {}", requestId, e.what());
    failure =
        Error{ErrorKind::kInternal, "", "storage failure; the operator must check the store's log"};
  } catch (const std::logic_error& e) {
    spdlog::error("query {}: the store hit a bug: {}", requestId, e.what());
    failure = Error{ErrorKind::kInternal, "", "internal error in the store; see its log"};
  } catch (const std::exception& e) {
    spdlog::warn("query {}: malformed query: {}", requestId, e.what());
    failure = Error{ErrorKind::kInternal, "", "malformed query"};
  }
  if (failure) {
    reply = message.initRoot<schema::Reply>();  // drop any half-built answer
    reply.setVersion(schema::PROTOCOL_VERSION);
    reply.setRequestId(requestId);
    schema::toSchema(*failure, reply.getBody().initError());
  }
}

kj::Array<capnp::word> Store::query(schema::Query::Reader query) const {
  ReadSession session = newReadSession();
  capnp::MallocMessageBuilder message;
  this->query(session, query, message);
  return capnp::messageToFlatArray(message);
}

}  // namespace zp::store
