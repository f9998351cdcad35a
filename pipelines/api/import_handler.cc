#include "pipelines/api/import_handler.h"

namespace zp::api {

void writeImportSummary(JsonWriter& writer, const ImportPlan& plan,
                        const std::vector<SkippedRecord>& skipped) {
  writeKey(writer, "added");
  writer.Uint64(plan.added);
  writeKey(writer, "changed");
  writer.Uint64(plan.changed);
  writeKey(writer, "removed");
  writer.Uint64(plan.removed);
  writeKey(writer, "unchanged");
  writer.Uint64(plan.unchanged);
  writeKey(writer, "skipped");
  writer.StartArray();
  for (const auto& s : skipped) {
    writer.StartObject();
    writeKey(writer, "line");
    writer.Uint64(s.line);
    writeKey(writer, "record");
    writeString(writer, s.rr);
    writeKey(writer, "why");
    writeString(writer, s.why);
    writer.EndObject();
  }
  writer.EndArray();
}

}  // namespace zp::api
