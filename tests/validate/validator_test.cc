#include "pipelines/validate/validator.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

namespace zp::validate {
namespace {

// The service's default nameservers (config dns.nameservers).
const ValidatorOptions kOptions{{"ns1.zonepipe.test", "ns2.zonepipe.test"}};

struct Built {
  capnp::MallocMessageBuilder in;
  capnp::MallocMessageBuilder out;
};

schema::Command::Builder command(capnp::MallocMessageBuilder& m) {
  auto c = m.initRoot<schema::Command>();
  c.setVersion(schema::PROTOCOL_VERSION);
  c.setRequestId(42);
  c.initActor().setUserId("alice");
  return c;
}

TEST(ValidatorTest, CreateZoneIsNormalised) {
  Built b;
  command(b.in).getBody().setCreateZone("Example.COM.");
  auto out = b.out.initRoot<schema::Command>();
  EXPECT_FALSE(translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions).has_value());
  ASSERT_TRUE(out.getBody().isCreateZoneValid());
  EXPECT_EQ(std::string(out.getBody().getCreateZoneValid().cStr()), "example.com");
  EXPECT_EQ(out.getRequestId(), 42u);
  EXPECT_EQ(std::string(out.getActor().getUserId().cStr()), "alice");
}

TEST(ValidatorTest, BadZoneDomainIsAValidationError) {
  Built b;
  command(b.in).getBody().setCreateZone("not a domain");
  auto out = b.out.initRoot<schema::Command>();
  auto error = translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ErrorKind::kValidation);
  EXPECT_EQ(error->field, "domain");
}

// Issue 8, item 7: zones named can never serve are refused here, before the
// store, with the same rule the store re-checks (common/dns/reserved.h).
TEST(ValidatorTest, Issue8Item7ReservedZoneDomainsAreValidationErrors) {
  for (const auto& [domain, reserved] : std::vector<std::pair<const char*, bool>>{
           {"catalog.zonepipe.invalid", true},
           {"Version.Bind.", true},
           {"id.server", true},
           {"zonepipe.test", true},
           {"ns1.zonepipe.test", true},
           {"notzonepipe.test", false},
           {"bindery.test", false},
           {"myserver.test", false},
       }) {
    Built b;
    command(b.in).getBody().setCreateZone(domain);
    auto out = b.out.initRoot<schema::Command>();
    auto error = translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions);
    if (!reserved) {
      EXPECT_FALSE(error.has_value()) << domain << ": " << error->detail;
      EXPECT_TRUE(out.getBody().isCreateZoneValid()) << domain;
      continue;
    }
    ASSERT_TRUE(error.has_value()) << domain << " passed the validator";
    EXPECT_EQ(error->kind, ErrorKind::kValidation) << domain;
    EXPECT_EQ(error->field, "domain") << domain;
    EXPECT_NE(error->detail.find("reserved"), std::string::npos) << error->detail;
  }
  // The nameserver rule follows the configured names.
  Built b;
  command(b.in).getBody().setCreateZone("zonepipe.test");
  auto out = b.out.initRoot<schema::Command>();
  EXPECT_FALSE(translate(b.in.getRoot<schema::Command>().asReader(), out,
                         ValidatorOptions{{"ns1.example.net"}})
                   .has_value());
}

struct RecordCase {
  const char* type;
  const char* name;
  const char* value;
  std::optional<int64_t> priority;
  const char* errorField;  // nullptr: valid
  const char* canonical;   // expected canonical value when valid
};

class ValidatorRecordTest : public ::testing::TestWithParam<RecordCase> {};

TEST_P(ValidatorRecordTest, TranslatesOrRejects) {
  const RecordCase& c = GetParam();
  Built b;
  auto raw = command(b.in).getBody().initCreateRecord();
  raw.setZoneUuid("zone-1");
  auto input = raw.initInput();
  input.setType(c.type);
  input.setName(c.name);
  input.setValue(c.value);
  input.initTtl().setAbsent();
  if (c.priority) {
    input.initPriority().setValue(*c.priority);
  } else {
    input.initPriority().setAbsent();
  }
  auto out = b.out.initRoot<schema::Command>();
  auto error = translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions);
  if (c.errorField) {
    ASSERT_TRUE(error.has_value()) << c.type << " " << c.value;
    EXPECT_EQ(error->field, c.errorField);
    return;
  }
  ASSERT_FALSE(error.has_value()) << error->detail;
  ASSERT_TRUE(out.getBody().isCreateRecordValid());
  auto valid = out.getBody().getCreateRecordValid();
  EXPECT_EQ(std::string(valid.getZoneUuid().cStr()), "zone-1");
  EXPECT_EQ(std::string(valid.getRecord().getValue().cStr()), c.canonical);
  EXPECT_EQ(valid.getRecord().getTtl(), 3600u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidatorRecordTest,
    ::testing::Values(RecordCase{"A", "www", "192.0.2.1", {}, nullptr, "192.0.2.1"},
                      RecordCase{"A", "www", "999.1.1.1", {}, "value", nullptr},
                      RecordCase{"AAAA", "@", "2001:0db8::1", {}, nullptr, "2001:db8::1"},
                      RecordCase{"MX", "@", "mail.example.com.", 10, nullptr, "mail.example.com"},
                      RecordCase{"MX", "@", "mail.example.com", {}, "priority", nullptr},
                      RecordCase{"TXT", "@", "v=spf1 -all", {}, nullptr, "v=spf1 -all"},
                      RecordCase{"TXT", "@", "line\nbreak", {}, "value", nullptr},
                      RecordCase{"BOGUS", "@", "x", {}, "record_type", nullptr}));

TEST(ValidatorTest, DeletesPassThrough) {
  Built b;
  command(b.in).getBody().setDeleteZone("zone-1");
  auto out = b.out.initRoot<schema::Command>();
  EXPECT_FALSE(translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions).has_value());
  EXPECT_EQ(std::string(out.getBody().getDeleteZone().cStr()), "zone-1");
}

TEST(ValidatorTest, TokenCommandsFromTheApiAreRefused) {
  Built b;
  command(b.in).getBody().setRevokeToken("tok_1");
  auto out = b.out.initRoot<schema::Command>();
  auto error = translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ErrorKind::kInternal);
}

}  // namespace
}  // namespace zp::validate

namespace zp::validate {
namespace {

TEST(ValidatorTest, UpdateRecordIsValidatedAsAWholeRecord) {
  for (const auto& [value, ok] :
       std::vector<std::pair<const char*, bool>>{{"192.0.2.7", true}, {"192.0.2.256", false}}) {
    capnp::MallocMessageBuilder in, outMessage;
    auto c = in.initRoot<schema::Command>();
    c.setVersion(schema::PROTOCOL_VERSION);
    auto update = c.getBody().initUpdateRecord();
    update.setRecordUuid("rec-1");
    auto input = update.initInput();
    input.setType("A");
    input.setName("www");
    input.setValue(value);
    input.initTtl().setValue(1800);
    input.initPriority().setNull();
    auto out = outMessage.initRoot<schema::Command>();
    auto error = translate(in.getRoot<schema::Command>().asReader(), out, kOptions);
    EXPECT_EQ(!error.has_value(), ok) << value;
    if (ok) {
      ASSERT_TRUE(out.getBody().isUpdateRecordValid());
      EXPECT_EQ(std::string(out.getBody().getUpdateRecordValid().getRecordUuid().cStr()), "rec-1");
      EXPECT_EQ(out.getBody().getUpdateRecordValid().getRecord().getTtl(), 1800u);
    } else {
      EXPECT_EQ(error->field, "value");
    }
  }
}

// Issue 9: the token API's commands pass through the validator, which makes
// every token the acting user's, checks permissions and scope, and keeps the
// acting token's scope on the command for the store.
TEST(ValidatorTest, TokenCommandsAreForTheActorAndChecked) {
  struct Case {
    const char* what;
    std::vector<std::string> permissions;
    std::vector<std::string> types;
    const char* badField;  // nullptr: accepted
  };
  const Case cases[] = {
      {"plain", {"dns:read"}, {}, nullptr},
      {"scoped", {"dns:create"}, {"txt"}, nullptr},
      {"unknown permission", {"dns:fly"}, {}, "permissions"},
      {"unknown type", {"dns:read"}, {"BOGUS"}, "record_types"},
  };
  for (const auto& c : cases) {
    Built b;
    auto in = command(b.in);
    in.initScope().initZones(1).set(0, "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    auto g = in.getBody().initCreateToken();
    g.setUserId("mallory");  // ignored: always the actor's
    auto perms = g.initPermissions(static_cast<unsigned>(c.permissions.size()));
    for (unsigned i = 0; i < perms.size(); ++i) perms.set(i, c.permissions[i]);
    if (!c.types.empty()) {
      auto types = g.initScope().initRecordTypes(static_cast<unsigned>(c.types.size()));
      for (unsigned i = 0; i < types.size(); ++i) types.set(i, c.types[i]);
    }
    auto out = b.out.initRoot<schema::Command>();
    auto error = translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions);
    if (c.badField != nullptr) {
      ASSERT_TRUE(error.has_value()) << c.what;
      EXPECT_EQ(error->field, c.badField) << c.what;
      continue;
    }
    ASSERT_FALSE(error.has_value()) << c.what << ": " << error->detail;
    ASSERT_TRUE(out.getBody().isCreateToken()) << c.what;
    EXPECT_EQ(std::string(out.getBody().getCreateToken().getUserId().cStr()), "alice") << c.what;
    EXPECT_EQ(out.getScope().getZones().size(), 1u) << c.what;  // the acting token's limits
    if (!c.types.empty()) {
      EXPECT_EQ(std::string(out.getBody().getCreateToken().getScope().getRecordTypes()[0].cStr()),
                "TXT");
    }
  }
  Built b;
  command(b.in).getBody().setRevokeToken("tok_0123456789abcdef");  // the CLI's, not the API's
  auto out = b.out.initRoot<schema::Command>();
  EXPECT_TRUE(translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions).has_value());
}

}  // namespace
}  // namespace zp::validate

namespace zp::validate {
namespace {

// Issue 11 item 4: a change set is validated item by item; the first bad
// item is the answer, its field prefixed with `changes[i].`.
struct SetItem {
  char op;  // 'c'reate, 'u'pdate, 'd'elete
  std::string uuid;
  std::string type, name, value;
};

std::optional<Error> translateSet(const std::vector<SetItem>& items, Built& b,
                                  bool dryRun = false) {
  auto c = command(b.in);
  c.setDryRun(dryRun);
  auto g = c.getBody().initChangeSet();
  g.setZoneUuid("zone-uuid");
  auto list = g.initItems(static_cast<unsigned>(items.size()));
  for (unsigned i = 0; i < list.size(); ++i) {
    const SetItem& it = items[i];
    auto fill = [&](schema::RecordInput::Builder r) {
      r.setType(it.type);
      r.setName(it.name);
      r.setValue(it.value);
      r.initTtl().setAbsent();
      r.initPriority().setAbsent();
    };
    if (it.op == 'c') fill(list[i].initCreate());
    if (it.op == 'u') {
      auto u = list[i].initUpdate();
      u.setRecordUuid(it.uuid);
      fill(u.initInput());
    }
    if (it.op == 'd') list[i].setDelete(it.uuid);
  }
  auto out = b.out.initRoot<schema::Command>();
  return translate(b.in.getRoot<schema::Command>().asReader(), out, kOptions);
}

TEST(ValidatorTest, ChangeSetItemsGoodAndBad) {
  struct Case {
    const char* what;
    std::vector<SetItem> items;
    std::optional<std::string> field;  // nullopt: valid
  };
  const std::vector<Case> cases = {
      {"one of each",
       {{'c', "", "A", "www.example.com", "192.0.2.1"},
        {'u', "u1", "MX", "@", "mail.example.com"},
        {'d', "u2", "", "", ""}},
       "changes[1].priority"},
      {"valid create, update and delete",
       {{'c', "", "A", "www", "192.0.2.1"},
        {'u', "u1", "TXT", "t", "hello"},
        {'d', "u2", "", "", ""}},
       std::nullopt},
      {"bad value in the third",
       {{'c', "", "A", "a", "192.0.2.1"},
        {'c', "", "A", "b", "192.0.2.2"},
        {'c', "", "A", "c", "999.0.2.3"}},
       "changes[2].value"},
      {"unknown type", {{'c', "", "XYZ", "a", "1"}}, "changes[0].record_type"},
      {"same uuid twice",
       {{'u', "u1", "A", "a", "192.0.2.1"}, {'d', "u1", "", "", ""}},
       "changes[1].uuid"},
      {"empty set", {}, "changes"},
  };
  for (const auto& c : cases) {
    Built b;
    auto error = translateSet(c.items, b);
    if (!c.field) {
      EXPECT_FALSE(error.has_value()) << c.what << ": " << (error ? error->detail : "");
      continue;
    }
    ASSERT_TRUE(error.has_value()) << c.what;
    EXPECT_EQ(error->field, *c.field) << c.what << ": " << error->detail;
  }
}

TEST(ValidatorTest, ChangeSetBecomesValidAndKeepsDryRun) {
  Built b;
  ASSERT_FALSE(
      translateSet({{'c', "", "AAAA", "v6", "2001:DB8::0001"}, {'d', "u9", "", "", ""}}, b, true)
          .has_value());
  auto out = b.out.getRoot<schema::Command>().asReader();
  EXPECT_TRUE(out.getDryRun());
  ASSERT_TRUE(out.getBody().isChangeSetValid());
  auto items = out.getBody().getChangeSetValid().getItems();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(std::string(items[0].getCreate().getValue().cStr()), "2001:db8::1");
  EXPECT_EQ(std::string(items[1].getDelete().cStr()), "u9");
}

}  // namespace
}  // namespace zp::validate
