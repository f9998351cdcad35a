#include "pipelines/admin/admin.h"

#include <capnp/serialize.h>
#include <zmq.hpp>

#include "common/auth/password.h"
#include "common/auth/token.h"
#include "common/bus/frame.h"
#include "common/bus/socket.h"
#include "common/dns/name.h"
#include "common/dns/zone_text.h"
#include "common/schema/change_set.h"
#include "common/schema/codec.h"
#include "common/util/ids.h"

namespace zp::admin {

struct AdminClient::Impl {
  zmq::context_t ctx;
  const config::Config& cfg;
  std::chrono::milliseconds deadline;
  uint64_t nextId = static_cast<uint64_t>(nowMillis());

  Impl(const config::Config& c, std::chrono::milliseconds d) : cfg(c), deadline(d) {}

  // Sends one frame to `endpoint` and waits for the reply with the same id.
  Result<std::unique_ptr<bus::Decoded>> call(const std::string& endpoint,
                                             capnp::MallocMessageBuilder& message, uint64_t id) {
    auto socket = bus::connectSocket(ctx, zmq::socket_type::dealer, endpoint);
    const auto until = std::chrono::steady_clock::now() + deadline;
    // The store may not be connected yet: the frame waits in the socket's queue.
    if (!bus::send(socket, {}, bus::toFrame(message), false)) {
      return Error{ErrorKind::kUnavailable, "", "could not send to the store at " + endpoint};
    }
    std::vector<zmq_pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
    bus::Multipart in;
    while (std::chrono::steady_clock::now() < until) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      zmq::poll(items, std::max(left, std::chrono::milliseconds(1)));
      while (bus::receive(socket, in)) {
        auto decoded = std::make_unique<bus::Decoded>(in.payload);
        if (decoded->root<schema::Reply>().getRequestId() == id) return decoded;
      }
    }
    return Error{ErrorKind::kUnavailable, "",
                 "the store at " + endpoint + " did not answer within " +
                     std::to_string(deadline.count()) +
                     " ms; is zonepipe-store running with this ZONEPIPE_HOME (" + cfg.home + ")?"};
  }

  // Sends one admin command (`fill` sets its body) and returns the reply, or
  // the error it carries.
  template <typename Fill>
  Result<std::unique_ptr<bus::Decoded>> command(Fill fill) {
    capnp::MallocMessageBuilder message;
    auto c = message.initRoot<schema::Command>();
    const uint64_t id = ++nextId;
    c.setVersion(schema::PROTOCOL_VERSION);
    c.setRequestId(id);
    c.initActor().setUserId("admin-cli");
    fill(c.getBody());
    return answer(cfg.storeCommands, message, id);
  }

  // Sends one query (`fill` sets its body) to the store's query socket.
  template <typename Fill>
  Result<std::unique_ptr<bus::Decoded>> query(Fill fill) {
    capnp::MallocMessageBuilder message;
    auto q = message.initRoot<schema::Query>();
    const uint64_t id = ++nextId;
    q.setVersion(schema::PROTOCOL_VERSION);
    q.setRequestId(id);
    fill(q.getBody());
    return answer(cfg.storeQuery, message, id);
  }

  // The reply to `message`, or the error it carries.
  Result<std::unique_ptr<bus::Decoded>> answer(const std::string& endpoint,
                                               capnp::MallocMessageBuilder& message, uint64_t id) {
    auto decoded = call(endpoint, message, id);
    if (!decoded) return decoded.error();
    auto body = decoded.value()->root<schema::Reply>().getBody();
    if (body.isError()) return schema::fromSchema(body.getError());
    return decoded;
  }
};

AdminClient::AdminClient(const config::Config& cfg, std::chrono::milliseconds deadline)
    : impl_(new Impl(cfg, deadline)) {}
AdminClient::~AdminClient() { delete impl_; }

namespace {

TokenInfo fromToken(schema::Token::Reader t) {
  TokenInfo info{t.getId(), t.getUserId(), {}, t.getCreatedAt(), t.getRevoked()};
  for (auto p : t.getPermissions()) info.permissions.emplace_back(p.cStr());
  return info;
}

Status replyError(schema::Reply::Reader reply) {
  if (reply.getBody().isError()) return schema::fromSchema(reply.getBody().getError());
  return std::nullopt;
}

bool validUser(const std::string& user) {
  if (user.empty() || user.size() > 64) return false;
  for (char c : user) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '@';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<Created> AdminClient::createToken(const std::string& user, const std::string& permissions,
                                         const std::string& name) {
  if (!validUser(user)) {
    return Error::validation("user",
                             "user must be 1-64 characters of letters, digits, '-', '_', '.', '@'");
  }
  auto perms = auth::parsePermissions(permissions);
  if (!perms) return perms.error();
  const std::string secret = auth::generateSecret();
  const auto hash = auth::hashSecret(secret);

  capnp::MallocMessageBuilder message;
  auto command = message.initRoot<schema::Command>();
  const uint64_t id = ++impl_->nextId;
  command.setVersion(schema::PROTOCOL_VERSION);
  command.setRequestId(id);
  command.initActor().setUserId("admin-cli");
  auto create = command.getBody().initCreateToken();
  create.setUserId(user);
  auto list = create.initPermissions(static_cast<unsigned>(perms->size()));
  for (unsigned i = 0; i < perms->size(); ++i) list.set(i, (*perms)[i]);
  create.setHash(kj::ArrayPtr<const kj::byte>(hash.data(), hash.size()));
  create.setPrefix(secret.substr(0, 8));
  if (!name.empty()) create.setName(name);

  auto decoded = impl_->call(impl_->cfg.storeCommands, message, id);
  if (!decoded) return decoded.error();
  auto reply = decoded.value()->root<schema::Reply>();
  if (auto error = replyError(reply)) return *error;
  if (!reply.getBody().isTokenCreated()) {
    return Error{ErrorKind::kInternal, "", "the store answered createToken with something else"};
  }
  return Created{fromToken(reply.getBody().getTokenCreated()), secret};
}

Result<std::vector<TokenInfo>> AdminClient::listTokens() {
  auto decoded = impl_->query([](schema::Query::Body::Builder body) { body.setListTokens(); });
  if (!decoded) return decoded.error();
  auto reply = decoded.value()->root<schema::Reply>();
  std::vector<TokenInfo> out;
  for (auto t : reply.getBody().getTokens()) out.push_back(fromToken(t));
  return out;
}

Status AdminClient::revokeToken(const std::string& tokenId) {
  auto reply =
      impl_->command([&](schema::Command::Body::Builder body) { body.setRevokeToken(tokenId); });
  return reply ? Status{} : Status{reply.error()};
}

Status AdminClient::createUser(const std::string& name, const std::string& password) {
  if (auto st = auth::checkUserName(name)) return st;
  if (auto st = auth::checkPassword(password)) return st;
  const std::string hash = auth::hashPassword(password);
  auto reply = impl_->command([&](schema::Command::Body::Builder body) {
    auto g = body.initCreateUser();
    g.setName(name);
    g.setPasswordHash(hash);
  });
  return reply ? Status{} : Status{reply.error()};
}

Result<std::vector<UserInfo>> AdminClient::listUsers() {
  auto decoded = impl_->query([](schema::Query::Body::Builder body) { body.setListUsers(); });
  if (!decoded) return decoded.error();
  auto reply = decoded.value()->root<schema::Reply>();
  if (!reply.getBody().isUsers()) {
    return Error{ErrorKind::kInternal, "", "the store answered listUsers with something else"};
  }
  std::vector<UserInfo> out;
  for (auto u : reply.getBody().getUsers()) {
    out.push_back({u.getName(), u.getDisabled(), u.getCreatedAt()});
  }
  return out;
}

Status AdminClient::disableUser(const std::string& name) {
  auto reply =
      impl_->command([&](schema::Command::Body::Builder body) { body.setDisableUser(name); });
  return reply ? Status{} : Status{reply.error()};
}

Status AdminClient::setPassword(const std::string& name, const std::string& password) {
  if (auto st = auth::checkPassword(password)) return st;
  const std::string hash = auth::hashPassword(password);
  auto reply = impl_->command([&](schema::Command::Body::Builder body) {
    auto g = body.initSetPassword();
    g.setName(name);
    g.setPasswordHash(hash);
  });
  return reply ? Status{} : Status{reply.error()};
}

Result<LogPage> AdminClient::logSince(uint64_t after, uint32_t limit) {
  capnp::MallocMessageBuilder message;
  auto query = message.initRoot<schema::Query>();
  const uint64_t id = ++impl_->nextId;
  query.setVersion(schema::PROTOCOL_VERSION);
  query.setRequestId(id);
  auto body = query.getBody().initLogSince();
  body.setAfter(after);
  body.setLimit(limit);
  auto decoded = impl_->call(impl_->cfg.storeQuery, message, id);
  if (!decoded) return decoded.error();
  auto reply = decoded.value()->root<schema::Reply>();
  if (auto error = replyError(reply)) return *error;
  if (!reply.getBody().isEvents()) {
    return Error{ErrorKind::kInternal, "", "the store answered logSince with something else"};
  }
  auto events = reply.getBody().getEvents();
  LogPage page;
  page.lastSeq = events.getLastSeq();
  page.events.reserve(events.getItems().size());
  for (auto e : events.getItems()) {
    capnp::MallocMessageBuilder copy;
    copy.setRoot(e);
    page.events.push_back(capnp::messageToFlatArray(copy));
  }
  return page;
}

Result<ZoneImport> AdminClient::importZone(const std::string& domain, std::string_view zoneFile,
                                           dns::ImportMode mode, bool dryRun) {
  auto name = dns::DnsName::parseZoneDomain(domain);
  if (!name) return Error::validation("domain", name.error().detail);
  // The zone and its records, whoever owns it (an internal query).
  auto snapshot =
      impl_->query([&](schema::Query::Body::Builder q) { q.setZoneSnapshot(name->text()); });
  if (!snapshot) return snapshot.error();
  auto now = snapshot.value()->root<schema::Reply>().getBody();
  if (!now.isZone()) {
    return Error{ErrorKind::kInternal, "", "the store answered zoneSnapshot with something else"};
  }
  const dns::Zone zone = schema::fromSchema(now.getZone().getZone());
  const auto current = schema::fromSchema(now.getZone().getRecords());
  auto file = dns::parseZoneFile(zoneFile, zone.domain);
  if (!file) return file.error();
  auto plan = dns::planImport(*file, current, *name, mode);
  if (!plan) return plan.error();
  ZoneImport out{zone.domain,
                 dryRun,
                 std::move(plan).value(),
                 std::move(file.value().skipped),
                 dns::soaSerialOf(zone),
                 zone.recordCount,
                 {}};
  if (out.plan.items.empty()) return out;
  if (impl_->cfg.validatorEndpoints.empty()) {
    return Error{ErrorKind::kUnavailable, "", "no validator.endpoints in the configuration"};
  }
  capnp::MallocMessageBuilder message;
  auto c = message.initRoot<schema::Command>();
  const uint64_t id = ++impl_->nextId;
  c.setVersion(schema::PROTOCOL_VERSION);
  c.setRequestId(id);
  auto actor = c.initActor();  // as the zone's owner, like the API would
  actor.setUserId(zone.ownerId);
  actor.setTokenId("admin-cli");
  schema::fillChangeSet(zone.uuid, out.plan.items, dryRun, c);
  auto decoded = impl_->answer(impl_->cfg.validatorEndpoints.front(), message, id);
  if (!decoded) return decoded.error();
  auto body = decoded.value()->root<schema::Reply>().getBody();
  if (!body.isChangeSet()) {
    return Error{ErrorKind::kInternal, "",
                 "the pipeline answered a change set with something else"};
  }
  auto set = body.getChangeSet();
  const dns::Zone after = schema::fromSchema(set.getZone());
  out.zoneSerial = dns::soaSerialOf(after);
  out.recordCount = after.recordCount;
  out.diff = schema::changedLines(set.getChanges(), after.domain);
  return out;
}

}  // namespace zp::admin
