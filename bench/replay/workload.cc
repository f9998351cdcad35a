#include "bench/replay/workload.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "common/dns/validate.h"
#include "common/schema/codec.h"
#include "schema/pipeline.capnp.h"

namespace zp::bench {
namespace {

// A small deterministic generator (splitmix64): the same options give the
// same log, whatever the standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }

 private:
  uint64_t state_;
};

struct LiveRecord {
  std::string uuid;
  dns::RecordData data;
};

struct BenchZone {
  std::string uuid;
  std::string user;
  std::string tokenId;
  std::vector<LiveRecord> records;
};

// Pending per-command bookkeeping, applied once the batch's replies are back.
struct Pending {
  enum class Kind { kCreate, kUpdate, kDelete } kind = Kind::kCreate;
  size_t zone = 0;
  dns::RecordData data;  // kCreate: the record created
};

// The types the workload uses (NS below the apex is left out: it would
// delegate the name away).
constexpr dns::RecordType kTypes[] = {
    dns::RecordType::kA,     dns::RecordType::kAaaa, dns::RecordType::kMx, dns::RecordType::kTxt,
    dns::RecordType::kCname, dns::RecordType::kSrv,  dns::RecordType::kCaa};

// The `n`th value of type `type` at owner `name`, canonical (run through the
// same validation the validator applies).
dns::RecordData makeRecord(dns::RecordType type, const std::string& name, uint64_t n) {
  const auto b0 = static_cast<unsigned>((n >> 16) & 0xff),
             b1 = static_cast<unsigned>((n >> 8) & 0xff), b2 = static_cast<unsigned>(n & 0xff);
  const std::string num = std::to_string(n);
  dns::RecordInput in;
  in.name = name;
  in.ttl = 300 + static_cast<int64_t>(n % 7) * 60;
  switch (type) {
    case dns::RecordType::kA:
      in.type = "A";
      in.value = "10." + std::to_string(b0) + "." + std::to_string(b1) + "." + std::to_string(b2);
      break;
    case dns::RecordType::kAaaa: {
      in.type = "AAAA";
      std::array<char, 64> buf{};
      std::snprintf(buf.data(), buf.size(), "2001:DB8:0:0:0:0:%x:%x",
                    static_cast<unsigned>((n >> 16) & 0xffff), static_cast<unsigned>(n & 0xffff));
      in.value = buf.data();  // upper case and uncompressed: validation makes it canonical
      break;
    }
    case dns::RecordType::kMx:
      in.type = "MX";
      in.value = "Mail" + num + ".Example.NET.";
      in.priority = static_cast<int64_t>(n % 50);
      break;
    case dns::RecordType::kTxt:
      in.type = "TXT";
      in.value = "v=bench1 n=" + num + " \"quoted\" text";
      break;
    case dns::RecordType::kCname:
      in.type = "CNAME";
      in.value = "target" + num + ".example.net";
      break;
    case dns::RecordType::kSrv:
      in.type = "SRV";
      in.value = "5 " + std::to_string(5000 + n % 1000) + " sip" + num + ".example.net";
      in.priority = 10;
      break;
    case dns::RecordType::kCaa:
      in.type = "CAA";
      in.value = "0 issue \"ca" + num + ".example.net\"";
      break;
    default:
      throw std::logic_error("the bench workload makes no " + std::string(dns::toString(type)) +
                             " records");
  }
  auto valid = dns::validateRecord(in);
  if (!valid) {
    throw std::logic_error("bench workload made an invalid " + in.type + " record '" + in.value +
                           "': " + valid.error().detail);
  }
  return std::move(valid).value();
}

class CommandBatch {
 public:
  schema::Command::Builder add(const std::string& user, const std::string& tokenId,
                               uint64_t requestId) {
    messages_.push_back(std::make_unique<capnp::MallocMessageBuilder>(256));
    auto c = messages_.back()->initRoot<schema::Command>();
    c.setVersion(schema::PROTOCOL_VERSION);
    c.setRequestId(requestId);
    c.getActor().setUserId(user);
    c.getActor().setTokenId(tokenId);
    return c;
  }
  std::vector<schema::Command::Reader> readers() const {
    std::vector<schema::Command::Reader> out;
    out.reserve(messages_.size());
    for (const auto& m : messages_) out.push_back(m->getRoot<schema::Command>().asReader());
    return out;
  }
  size_t size() const { return messages_.size(); }

 private:
  std::vector<std::unique_ptr<capnp::MallocMessageBuilder>> messages_;
};

// Applies `batch`; returns the reply bodies' readers through `each` (index,
// body), or the first refusal as an error.
Status apply(store::Store& store, const CommandBatch& batch,
             const std::function<void(size_t, schema::Reply::Body::Reader)>& each) {
  auto readers = batch.readers();
  store::BatchResult result = store.applyBatch(readers);
  if (result.replies.size() != readers.size()) {
    throw std::logic_error("the store answered a batch with the wrong number of replies");
  }
  for (size_t i = 0; i < result.replies.size(); ++i) {
    capnp::FlatArrayMessageReader reader(result.replies[i].asPtr());
    auto body = reader.getRoot<schema::Reply>().getBody();
    if (body.isError()) {
      return Error{ErrorKind::kInternal, "",
                   "the store refused generated command " + std::to_string(i) +
                       " of a batch: " + std::string(body.getError().getDetail().cStr())};
    }
    each(i, body);
  }
  return std::nullopt;
}

}  // namespace

Result<WorkloadStats> generateWorkload(store::Store& store, const WorkloadOptions& options,
                                       const std::function<void(uint64_t)>& progress) {
  if (options.users == 0 || options.zones == 0 || options.batch == 0) {
    return Error::validation("", "users, zones and batch must be at least 1");
  }
  if (options.events < uint64_t{options.users} + options.zones) {
    return Error::validation("events", "the log must hold at least one event per user and zone (" +
                                           std::to_string(uint64_t{options.users} + options.zones) +
                                           ")");
  }
  if (store.lastSeq() != 0) {
    return Error::validation("", "the store in " + store.dir() + " is not empty");
  }
  WorkloadStats stats;
  uint64_t requestId = 0;
  auto done = [&] {
    ++stats.batches;
    if (progress) progress(store.lastSeq());
  };

  // Tokens first: every later command carries a real actor.
  std::vector<std::string> users, tokenIds;
  {
    CommandBatch batch;
    for (uint32_t u = 0; u < options.users; ++u) {
      users.push_back("bench-user-" + std::to_string(u));
      auto t = batch.add("admin-cli", "", ++requestId).getBody().initCreateToken();
      t.setUserId(users.back());
      auto perms = t.initPermissions(1);
      perms.set(0, "dns:*");
      std::array<uint8_t, 32> hash{};
      for (size_t i = 0; i < hash.size(); ++i) hash[i] = static_cast<uint8_t>(u * 31 + i * 7 + 1);
      t.setHash(kj::arrayPtr(hash.data(), hash.size()));
    }
    auto st = apply(store, batch, [&](size_t, schema::Reply::Body::Reader body) {
      tokenIds.push_back(body.getTokenCreated().getId());
    });
    if (st) return *st;
    stats.tokens = options.users;
    done();
  }

  std::vector<BenchZone> zones(options.zones);
  for (uint32_t first = 0; first < options.zones; first += options.batch) {
    const uint32_t end = std::min(options.zones, first + options.batch);
    CommandBatch batch;
    for (uint32_t z = first; z < end; ++z) {
      auto& zone = zones[z];
      zone.user = users[z % options.users];
      zone.tokenId = tokenIds[z % options.users];
      std::array<char, 32> domain{};
      std::snprintf(domain.data(), domain.size(), "z%05u.bench.test", z);
      batch.add(zone.user, zone.tokenId, ++requestId).getBody().setCreateZoneValid(domain.data());
    }
    auto st = apply(store, batch, [&](size_t i, schema::Reply::Body::Reader body) {
      zones[first + i].uuid = body.getZone().getZone().getUuid();
    });
    if (st) return *st;
    stats.zones += end - first;
    done();
  }

  // Record changes: rounds over the zones, one change per zone per batch at
  // most, so that an update or delete never meets a record created or removed
  // by the same batch.
  Rng rng(0x7a6f6e6570697065ULL);
  uint64_t valueCounter = 0, nameCounter = 0;
  size_t cursor = 0;
  const uint64_t perBatch = std::min<uint64_t>(options.batch, options.zones);
  while (store.lastSeq() < options.events) {
    const uint64_t n = std::min<uint64_t>(perBatch, options.events - store.lastSeq());
    CommandBatch batch;
    std::vector<Pending> pending;
    pending.reserve(n);
    for (uint64_t i = 0; i < n; ++i, cursor = (cursor + 1) % zones.size()) {
      auto& zone = zones[cursor];
      const uint32_t roll = rng.below(100);
      auto cmd = batch.add(zone.user, zone.tokenId, ++requestId);
      Pending p;
      p.zone = cursor;
      if (zone.records.size() < 5 || roll < 50) {
        p.kind = Pending::Kind::kCreate;
        const dns::RecordType type = kTypes[rng.below(static_cast<uint32_t>(std::size(kTypes)))];
        std::string owner = "h" + std::to_string(++nameCounter);
        if (type == dns::RecordType::kSrv) owner = "_sip._tcp." + owner;
        p.data = makeRecord(type, owner, ++valueCounter);
        auto g = cmd.getBody().initCreateRecordValid();
        g.setZoneUuid(zone.uuid);
        schema::toSchema(p.data, g.initRecord());
      } else if (roll < 80) {
        p.kind = Pending::Kind::kUpdate;
        auto& target = zone.records[rng.below(static_cast<uint32_t>(zone.records.size()))];
        // Same owner and type, a new value: what an operator's edit looks like.
        target.data = makeRecord(target.data.type, target.data.name, ++valueCounter);
        auto g = cmd.getBody().initUpdateRecordValid();
        g.setRecordUuid(target.uuid);
        schema::toSchema(target.data, g.initRecord());
      } else {
        p.kind = Pending::Kind::kDelete;
        const size_t victim = rng.below(static_cast<uint32_t>(zone.records.size()));
        cmd.getBody().setDeleteRecord(zone.records[victim].uuid);
        zone.records[victim] = std::move(zone.records.back());
        zone.records.pop_back();
      }
      pending.push_back(std::move(p));
    }
    auto st = apply(store, batch, [&](size_t i, schema::Reply::Body::Reader body) {
      auto& p = pending[i];
      switch (p.kind) {
        case Pending::Kind::kCreate:
          zones[p.zone].records.push_back({body.getRecord().getUuid(), std::move(p.data)});
          ++stats.recordsCreated;
          break;
        case Pending::Kind::kUpdate:
          ++stats.recordsUpdated;
          break;
        case Pending::Kind::kDelete:
          ++stats.recordsDeleted;
          break;
      }
    });
    if (st) return *st;
    done();
  }
  stats.events = store.lastSeq();
  for (const auto& z : zones) stats.liveRecords += z.records.size();
  return stats;
}

Result<replay::LogRange> InProcessLogSource::open() {
  range_ = replay::LogRange{store_.lastSeq(), store_.lastSeq() == 0 ? uint64_t{0} : uint64_t{1},
                            store_.lastSeq()};
  after_ = 0;
  return range_;
}

Result<std::vector<replay::EventWords>> InProcessLogSource::nextPage() {
  std::vector<replay::EventWords> events;
  if (after_ >= range_.lastSeq) return events;
  capnp::MallocMessageBuilder m;
  auto q = m.initRoot<schema::Query>();
  q.setVersion(schema::PROTOCOL_VERSION);
  q.setRequestId(after_ + 1);
  auto body = q.getBody().initLogSince();
  body.setAfter(after_);
  body.setLimit(pageSize_);
  auto words = store_.query(q.asReader());
  capnp::ReaderOptions limits;
  limits.traversalLimitInWords = uint64_t{1} << 30;
  capnp::FlatArrayMessageReader reader(words.asPtr(), limits);
  auto reply = reader.getRoot<schema::Reply>().getBody();
  if (reply.isError()) return schema::fromSchema(reply.getError());
  if (!reply.isEvents()) {
    return Error{ErrorKind::kInternal, "", "the store answered logSince with something else"};
  }
  // Each event as its own flat-array message, as AdminClient::logSince does.
  for (auto e : reply.getEvents().getItems()) {
    if (e.getSeq() > range_.lastSeq) break;
    capnp::MallocMessageBuilder copy;
    copy.setRoot(e);
    events.push_back(capnp::messageToFlatArray(copy));
    after_ = e.getSeq();
  }
  if (events.empty()) {
    return Error{ErrorKind::kInternal, "",
                 "the store's log ended at " + std::to_string(after_) + " before event " +
                     std::to_string(range_.lastSeq)};
  }
  return events;
}

}  // namespace zp::bench
