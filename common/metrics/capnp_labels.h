#pragma once
// Label values taken from the Cap'n Proto schema (common/schema/pipeline.capnp),
// so a new command, query or error kind gets its label without a second list:
// the name of the union member a message carries ("createRecordValid" ->
// "create_record_valid") and of an enumerant ("notFound" -> "not_found").
// Pure functions over schema reflection; thread-safe.

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <string>
#include <string_view>

namespace zp::metrics {

// "createRecordValid" -> "create_record_valid".
std::string snakeCase(std::string_view camel);

// The member of `group`'s union that is set (e.g. a Command's body), snake_case;
// "unknown" for a member this build does not know (a newer peer).
template <typename Reader>
std::string unionMember(Reader group) {
  auto dynamic = capnp::toDynamic(group);
  KJ_IF_MAYBE (field, dynamic.which()) {
    return snakeCase(field->getProto().getName().cStr());
  }
  return "unknown";
}

// The enumerant's name, snake_case; "unknown" past the schema's last one.
template <typename Enum>
std::string enumerant(Enum value) {
  const auto enumerants = capnp::Schema::from<Enum>().getEnumerants();
  const auto index = static_cast<unsigned>(value);
  if (index >= enumerants.size()) return "unknown";
  return snakeCase(enumerants[index].getProto().getName().cStr());
}

}  // namespace zp::metrics
