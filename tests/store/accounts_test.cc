// Issue 9 in the store: accounts as events, tokens with names and scopes, the
// scope enforced on commands and queries, last uses kept outside the log.

#include <gtest/gtest.h>

#include "common/auth/password.h"
#include "common/schema/codec.h"
#include "tests/store/store_fixture.h"

namespace zp::store::testing {
namespace {

using schema::ErrorKind;
using schema::RecordType;

// A real Argon2id string (the store only checks its shape; hashing is slow).
const std::string kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo";

BodyFill createUser(std::string name, std::string hash = kHash) {
  return [=](schema::Command::Body::Builder b) {
    auto g = b.initCreateUser();
    g.setName(name);
    g.setPasswordHash(hash);
  };
}
BodyFill setPassword(std::string name, std::string hash) {
  return [=](schema::Command::Body::Builder b) {
    auto g = b.initSetPassword();
    g.setName(name);
    g.setPasswordHash(hash);
  };
}
BodyFill disableUser(std::string name) {
  return [=](schema::Command::Body::Builder b) { b.setDisableUser(name); };
}

class AccountsTest : public StoreTest {
 protected:
  // Applies one command acting under `scope` (as the API sends it).
  Msg applyScoped(const std::string& user, const auth::Scope& scope, BodyFill fill) {
    capnp::MallocMessageBuilder m;
    auto c = m.initRoot<schema::Command>();
    c.setVersion(schema::PROTOCOL_VERSION);
    c.setRequestId(11);
    c.getActor().setUserId(user);
    c.getActor().setTokenId("tok_scoped");
    if (!scope.unlimited()) schema::toSchema(scope, c.initScope());
    fill(c.getBody());
    schema::Command::Reader readers[] = {c.asReader()};
    BatchResult r = store().applyBatch(readers);
    for (auto& w : r.events) events_.emplace_back(w.asPtr());
    return Msg(r.replies.front().asPtr());
  }
  Msg queryScoped(const std::string& user, const auth::Scope& scope, QueryFill fill) {
    return query(user, [&](schema::Query::Builder q) {
      if (!scope.unlimited()) schema::toSchema(scope, q.initScope());
      fill(q);
    });
  }
  Msg authenticate(const std::array<uint8_t, 32>& hash) {
    return query("", [&](schema::Query::Builder q) {
      q.getBody().setAuthenticate(kj::arrayPtr(hash.data(), hash.size()));
    });
  }
  // Replays every event so far into a fresh store; it must accept them all.
  void expectReplays() {
    const Status st = replayAll();
    EXPECT_FALSE(st.has_value()) << st->detail;
    EXPECT_EQ(rebuilt().lastSeq(), store().lastSeq());
  }
};

TEST_F(AccountsTest, UsersAreEventsWithHashesOnly) {
  struct Case {
    const char* what;
    BodyFill body;
    std::optional<ErrorKind> want;
  };
  const std::vector<Case> cases = {
      {"create", createUser(kAlice), std::nullopt},
      {"again", createUser(kAlice), ErrorKind::VALIDATION_ERROR},
      {"bad name", createUser("al ice"), ErrorKind::VALIDATION_ERROR},
      {"empty name", createUser(""), ErrorKind::VALIDATION_ERROR},
      {"plain password", createUser(kBob, "hunter2hunter2"), ErrorKind::VALIDATION_ERROR},
      {"passwd", setPassword(kAlice, kHash + "x"), std::nullopt},
      {"passwd unknown", setPassword(kBob, kHash), ErrorKind::NOT_FOUND},
      {"passwd plain", setPassword(kAlice, "secret"), ErrorKind::VALIDATION_ERROR},
      {"disable unknown", disableUser(kBob), ErrorKind::NOT_FOUND},
      {"disable", disableUser(kAlice), std::nullopt},
      {"disable again", disableUser(kAlice), std::nullopt},  // changes nothing, logs nothing
  };
  for (const auto& c : cases) EXPECT_EQ(errorOf(apply("admin-cli", c.body)), c.want) << c.what;
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(std::string(events_[0].event().getChange().getUserCreated().getPasswordHash()), kHash);
  EXPECT_EQ(std::string(events_[1].event().getChange().getUserPasswordChanged().getPasswordHash()),
            kHash + "x");
  EXPECT_EQ(std::string(events_[2].event().getChange().getUserDisabled()), kAlice);

  Msg list = query("", [](schema::Query::Builder q) { q.getBody().setListUsers(); });
  ASSERT_EQ(list.reply().getBody().getUsers().size(), 1u);
  auto u = list.reply().getBody().getUsers()[0];
  EXPECT_EQ(std::string(u.getName()), kAlice);
  EXPECT_TRUE(u.getDisabled());
  EXPECT_EQ(u.getPasswordHash().size(), 0u);  // never listed
  Msg one = query("", [](schema::Query::Builder q) { q.getBody().setGetUser("alice"); });
  EXPECT_EQ(std::string(one.reply().getBody().getUser().getPasswordHash()), kHash + "x");
  expectReplays();
}

TEST_F(AccountsTest, DisabledUsersTokensFailAuthenticationLegacyTokensKeepWorking) {
  apply("admin-cli", createToken(kAlice, {"dns:*"}, bytes(hashOf(1))));
  apply("admin-cli", createToken("legacy", {"dns:*"}, bytes(hashOf(2))));  // no account
  apply("admin-cli", createUser(kAlice));
  EXPECT_TRUE(authenticate(hashOf(1)).reply().getBody().isPrincipal());
  apply("admin-cli", disableUser(kAlice));
  Msg denied = authenticate(hashOf(1));
  ASSERT_EQ(errorOf(denied), ErrorKind::AUTHENTICATION_FAILED);
  EXPECT_NE(std::string(denied.reply().getBody().getError().getDetail()).find("disabled"),
            std::string::npos);
  EXPECT_TRUE(authenticate(hashOf(2)).reply().getBody().isPrincipal());
}

TEST_F(AccountsTest, ScopedTokensAreStoredCanonicalAndReplay) {
  const std::string z = zone(kAlice, "example.com");
  auth::Scope scope;
  scope.zones = {z};
  scope.recordTypes = {"TXT"};
  scope.names = {"_acme-challenge", "_acme-challenge.*"};
  scope.expiresAt = kNow + 3600;
  scope.allowedIps = {"192.0.2.0/24", "2001:db8::/32"};
  auto fill = [&](schema::Command::Body::Builder b) {
    createToken(kAlice, {"dns:create", "dns:read"}, bytes(hashOf(5)))(b);
    auto g = b.getCreateToken();
    g.setName("acme on web1");
    g.setPrefix("vps_1a2b");
    schema::toSchema(scope, g.initScope());
  };
  Msg created = apply("admin-cli", fill);
  ASSERT_TRUE(created.reply().getBody().isTokenCreated()) << errorOf(created).has_value();
  auto tok = created.reply().getBody().getTokenCreated();
  EXPECT_EQ(std::string(tok.getName()), "acme on web1");
  EXPECT_EQ(std::string(tok.getPrefix()), "vps_1a2b");
  EXPECT_EQ(schema::fromSchema(tok.getScope()), scope);

  Msg p = authenticate(hashOf(5));
  ASSERT_TRUE(p.reply().getBody().isPrincipal());
  EXPECT_EQ(schema::fromSchema(p.reply().getBody().getPrincipal().getScope()), scope);

  auth::Scope expired = scope;
  expired.expiresAt = kNow - 1;
  auto bad = [&](schema::Command::Body::Builder b) {
    createToken(kAlice, {"dns:read"}, bytes(hashOf(6)))(b);
    schema::toSchema(expired, b.getCreateToken().initScope());
  };
  EXPECT_EQ(errorOf(apply("admin-cli", bad)), ErrorKind::VALIDATION_ERROR);
  expectReplays();
}

TEST_F(AccountsTest, ScopeIsEnforcedOnCommands) {
  const std::string inZone = zone(kAlice, "example.com");
  const std::string outZone = zone(kAlice, "example.net");
  const std::string a = record(kAlice, inZone, RecordType::A, "www", "192.0.2.1");
  const std::string acme = record(kAlice, inZone, RecordType::TXT, "_acme-challenge", "x");
  const std::string other = record(kAlice, outZone, RecordType::TXT, "_acme-challenge", "y");
  auth::Scope scope;
  scope.zones = {inZone};
  scope.recordTypes = {"TXT"};
  scope.names = {"_acme-challenge", "_acme-challenge.*"};

  struct Case {
    const char* what;
    BodyFill body;
    std::optional<ErrorKind> want;
  };
  const std::vector<Case> cases = {
      {"txt at _acme-challenge",
       createRecord(inZone, RecordType::TXT, "_acme-challenge.example.com", "t1"), std::nullopt},
      {"txt below it",
       createRecord(inZone, RecordType::TXT, "_acme-challenge.www.example.com", "t2"),
       std::nullopt},
      {"A record", createRecord(inZone, RecordType::A, "_acme-challenge.example.com", "192.0.2.9"),
       ErrorKind::PERMISSION_DENIED},
      {"other name", createRecord(inZone, RecordType::TXT, "www.example.com", "t"),
       ErrorKind::PERMISSION_DENIED},
      {"other zone", createRecord(outZone, RecordType::TXT, "_acme-challenge.example.net", "t"),
       ErrorKind::NOT_FOUND},
      {"update out of scope record",
       updateRecord(a, RecordType::TXT, "_acme-challenge.example.com", "t3"),
       ErrorKind::PERMISSION_DENIED},
      {"update into other type",
       updateRecord(acme, RecordType::A, "_acme-challenge.example.com", "192.0.2.2"),
       ErrorKind::PERMISSION_DENIED},
      // to a name of its own: updateRecord's TTL (600) differs from the TXT RRset at
      // _acme-challenge (3600), which the RRset rule refuses (issue 10)
      {"update in scope",
       updateRecord(acme, RecordType::TXT, "_acme-challenge.sub.example.com", "t4"), std::nullopt},
      {"delete out of scope record", deleteRecord(a), ErrorKind::PERMISSION_DENIED},
      {"delete other zone's record", deleteRecord(other), ErrorKind::NOT_FOUND},
      {"create zone", createZone("example.org"), ErrorKind::PERMISSION_DENIED},
      {"delete zone", deleteZone(inZone), ErrorKind::PERMISSION_DENIED},
      {"delete other zone", deleteZone(outZone), ErrorKind::NOT_FOUND},
      {"delete in scope", deleteRecord(acme), std::nullopt},
  };
  for (const auto& c : cases) {
    Msg r = applyScoped(kAlice, scope, c.body);
    EXPECT_EQ(errorOf(r), c.want) << c.what;
    if (c.want == ErrorKind::PERMISSION_DENIED) {
      const std::string detail = r.reply().getBody().getError().getDetail();
      EXPECT_NE(detail.find("this token"), std::string::npos) << c.what << ": " << detail;
    }
  }
  // The same commands without a scope are the user's to make.
  EXPECT_EQ(errorOf(apply(kAlice, deleteRecord(a))), std::nullopt);
}

TEST_F(AccountsTest, ScopeFiltersQueries) {
  const std::string inZone = zone(kAlice, "b-example.com");
  const std::string outZone = zone(kAlice, "a-example.com");
  const std::string inRec = record(kAlice, inZone, RecordType::A, "www", "192.0.2.1");
  const std::string outRec = record(kAlice, outZone, RecordType::A, "www", "192.0.2.1");
  auth::Scope scope;
  scope.zones = {inZone, "00000000-0000-4000-8000-000000000000"};  // a gone zone is skipped

  Msg zones =
      queryScoped(kAlice, scope, [](schema::Query::Builder q) { q.getBody().initListZones(); });
  ASSERT_EQ(zones.reply().getBody().getZones().getItems().size(), 1u);
  EXPECT_EQ(zones.reply().getBody().getZones().getTotal(), 1u);
  EXPECT_EQ(std::string(zones.reply().getBody().getZones().getItems()[0].getUuid()), inZone);
  Msg byDomain = queryScoped(kAlice, scope, [](schema::Query::Builder q) {
    q.getBody().initListZones().setDomain("a-example.com");
  });
  EXPECT_EQ(byDomain.reply().getBody().getZones().getTotal(), 0u);

  auto getZone = [&](const std::string& uuid) {
    return queryScoped(kAlice, scope,
                       [&](schema::Query::Builder q) { q.getBody().setGetZone(uuid); });
  };
  EXPECT_TRUE(getZone(inZone).reply().getBody().isZone());
  EXPECT_EQ(errorOf(getZone(outZone)), ErrorKind::NOT_FOUND);
  auto getRecord = [&](const std::string& uuid) {
    return queryScoped(kAlice, scope,
                       [&](schema::Query::Builder q) { q.getBody().setGetRecord(uuid); });
  };
  EXPECT_TRUE(getRecord(inRec).reply().getBody().isRecord());
  EXPECT_EQ(errorOf(getRecord(outRec)), ErrorKind::NOT_FOUND);
  Msg all =
      queryScoped(kAlice, scope, [](schema::Query::Builder q) { q.getBody().initListRecords(); });
  ASSERT_EQ(all.reply().getBody().getRecords().getItems().size(), 1u);
  EXPECT_EQ(all.reply().getBody().getRecords().getTotal(), 1u);
  Msg changes = queryScoped(kAlice, scope, [&](schema::Query::Builder q) {
    q.getBody().initZoneChanges().setZoneUuid(outZone);
  });
  EXPECT_EQ(errorOf(changes), ErrorKind::NOT_FOUND);
}

TEST_F(AccountsTest, LastUsesAreKeptOutsideTheLogAndOwnTokensOnly) {
  Msg a = apply("admin-cli", createToken(kAlice, {"dns:*"}, bytes(hashOf(1))));
  Msg b = apply("admin-cli", createToken(kBob, {"dns:*"}, bytes(hashOf(2))));
  const std::string aliceTok = a.reply().getBody().getTokenCreated().getId();
  const std::string bobTok = b.reply().getBody().getTokenCreated().getId();
  const uint64_t seq = store().lastSeq();
  auto used = [&](std::vector<std::pair<std::string, int64_t>> uses) {
    return [uses](schema::Command::Body::Builder body) {
      auto list = body.initTokensUsed(static_cast<unsigned>(uses.size()));
      for (unsigned i = 0; i < uses.size(); ++i) {
        list[i].setId(uses[i].first);
        list[i].setTime(uses[i].second);
      }
    };
  };
  EXPECT_EQ(errorOf(apply(kAlice, used({{aliceTok, kNow + 5}, {"tok_gone", kNow}}))), std::nullopt);
  EXPECT_EQ(errorOf(apply(kAlice, used({{aliceTok, kNow + 1}}))), std::nullopt);  // older: kept
  EXPECT_EQ(store().lastSeq(), seq);                                              // not logged

  Msg mine = query(kAlice, [](schema::Query::Builder q) { q.getBody().setListTokens(); });
  ASSERT_EQ(mine.reply().getBody().getTokens().size(), 1u);
  EXPECT_EQ(std::string(mine.reply().getBody().getTokens()[0].getId()), aliceTok);
  EXPECT_EQ(mine.reply().getBody().getTokens()[0].getLastUsedAt(), kNow + 5);

  auto revokeOwn = [](std::string id) {
    return [id](schema::Command::Body::Builder body) { body.setRevokeOwnToken(id); };
  };
  EXPECT_EQ(errorOf(apply(kAlice, revokeOwn(bobTok))), ErrorKind::NOT_FOUND);
  EXPECT_EQ(errorOf(apply(kAlice, revokeOwn(aliceTok))), std::nullopt);
  EXPECT_EQ(query(kAlice, [](schema::Query::Builder q) { q.getBody().setListTokens(); })
                .reply()
                .getBody()
                .getTokens()
                .size(),
            0u);  // revoked tokens leave the user's list
  expectReplays();
}

}  // namespace
}  // namespace zp::store::testing
