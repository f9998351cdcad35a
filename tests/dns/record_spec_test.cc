// The record-type table is whole: every row has every part, its example
// validates to a fixed point, renders to a zone-file line that libzscanner
// (the UPDATE path, pipelines/push/rr_wire.h) parses to the row's wire type,
// and a deliberately incomplete row is caught.

#include "common/dns/record_spec.h"

#include <gtest/gtest.h>

#include <capnp/schema.h>

#include "common/dns/validate.h"
#include "common/dns/zone_text.h"
#include "common/schema/codec.h"
#include "pipelines/push/rr_wire.h"

namespace zp::dns {
namespace {

RecordInput exampleInput(const RecordSpec& spec) {
  RecordInput in;
  in.type = std::string(spec.name);
  in.name = spec.owner == OwnerRule::kServiceProto ? "_sip._tcp"
            : spec.owner == OwnerRule::kPortProto  ? "_443._tcp.www"
            : spec.atApex                          ? "@"
                                                   : "sub";
  in.value = std::string(spec.example);
  if (spec.examplePriority >= 0) in.priority = spec.examplePriority;
  return in;
}

TEST(RecordSpec, OneWholeRowPerTypeInEnumOrder) {
  ASSERT_EQ(recordSpecs().size(), kRecordTypeCount);
  for (size_t i = 0; i < recordSpecs().size(); ++i) {
    const RecordSpec& spec = recordSpecs()[i];
    SCOPED_TRACE(std::string(spec.name));
    EXPECT_EQ(static_cast<size_t>(spec.type), i);
    EXPECT_EQ(checkSpecRow(spec), std::nullopt);
    EXPECT_EQ(recordTypeFromString(spec.name), spec.type);
    EXPECT_EQ(toString(spec.type), spec.name);
    for (size_t j = 0; j < i; ++j) {
      EXPECT_NE(recordSpecs()[j].name, spec.name);
      EXPECT_NE(recordSpecs()[j].wireType, spec.wireType);
    }
  }
}

TEST(RecordSpec, TheCapnpEnumListsTheSameTypesInTheSameOrder) {
  // The messages between stages carry RecordType by ordinal
  // (common/schema/pipeline.capnp); a type added to one list and not the
  // other, or in another order, fails here.
  const auto enumerants = capnp::Schema::from<schema::RecordType>().getEnumerants();
  ASSERT_EQ(enumerants.size(), kRecordTypeCount);
  for (const RecordSpec& spec : recordSpecs()) {
    std::string lower(spec.name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto ordinal = static_cast<size_t>(spec.type);
    EXPECT_EQ(std::string(enumerants[static_cast<unsigned>(ordinal)].getProto().getName().cStr()),
              lower);
    EXPECT_EQ(schema::fromSchema(schema::toSchema(spec.type)), spec.type);
  }
  EXPECT_THROW(schema::fromSchema(static_cast<schema::RecordType>(kRecordTypeCount)),
               std::runtime_error);
}

TEST(RecordSpec, ExamplesValidateRenderAndParseAsTheirWireType) {
  for (const RecordSpec& spec : recordSpecs()) {
    SCOPED_TRACE(std::string(spec.name));
    auto valid = validateRecord(exampleInput(spec));
    ASSERT_TRUE(valid.ok()) << valid.error().detail;
    auto again = validateRecord(
        {std::string(spec.name), valid->name, valid->value, static_cast<int64_t>(valid->ttl),
         valid->priority ? std::optional<int64_t>(*valid->priority) : std::nullopt});
    ASSERT_TRUE(again.ok()) << again.error().detail;
    EXPECT_EQ(again.value(), valid.value()) << "the canonical value is not a fixed point";

    Record record;
    record.uuid = "u";
    record.data = valid.value();
    const std::string line = recordLine(record, "example.com");
    auto wire = push::parseRrLines({line});
    ASSERT_TRUE(wire.ok()) << line << ": " << wire.error().detail;
    ASSERT_EQ(wire->size(), 1u);
    EXPECT_EQ(wire->front().type, spec.wireType) << line;
  }
}

TEST(RecordSpec, AnIncompleteRowIsCaught) {
  const RecordSpec& whole = specFor(RecordType::kTlsa);
  struct Broken {
    std::string label;
    RecordSpec row;
  };
  std::vector<Broken> broken;
  auto add = [&](std::string label, auto change) {
    RecordSpec row = whole;
    change(row);
    broken.push_back({std::move(label), row});
  };
  add("no name", [](RecordSpec& r) { r.name = ""; });
  add("no wire type", [](RecordSpec& r) { r.wireType = 0; });
  add("no parser", [](RecordSpec& r) { r.parse = nullptr; });
  add("no writer", [](RecordSpec& r) { r.write = nullptr; });
  add("no format", [](RecordSpec& r) { r.format = ""; });
  add("no example", [](RecordSpec& r) { r.example = ""; });
  add("no rfc", [](RecordSpec& r) { r.rfc = ""; });
  add("priority without example priority",
      [](RecordSpec& r) { r.priority = PriorityRule::kRequired; });
  for (const Broken& b : broken) {
    EXPECT_NE(checkSpecRow(b.row), std::nullopt) << b.label;
  }
}

}  // namespace
}  // namespace zp::dns
