#include "pipelines/validate/validator_metrics.h"

#include "common/metrics/capnp_labels.h"
#include "common/schema/codec.h"

namespace zp::validate {
namespace {

// The field as a label: the names our code uses (`value`, `record_type`, ...),
// anything else (long, or with other characters) as "other", so a label's
// values stay few whatever a client sends.
std::string fieldLabel(const std::string& field) {
  if (field.size() > 32) return "other";
  for (const char c : field) {
    if (!((c >= 'a' && c <= 'z') || c == '_' || c == '.')) return "other";
  }
  return field;
}

}  // namespace

ValidatorMetrics::ValidatorMetrics(prometheus::Registry& r)
    : commands_(prometheus::BuildCounter()
                    .Name("zonepipe_validator_commands_total")
                    .Help("Commands checked, by command and result (forwarded or refused).")
                    .Register(r)),
      refusals_(prometheus::BuildCounter()
                    .Name("zonepipe_validator_refusals_total")
                    .Help("Commands refused by the validator, by command, reason (the error "
                          "kind) and the input field at fault.")
                    .Register(r)),
      malformed_(prometheus::BuildCounter()
                     .Name("zonepipe_validator_malformed_frames_total")
                     .Help("Frames from an API dropped because they were not a Command message "
                           "of this protocol version.")
                     .Register(r)
                     .Add({})) {}

void ValidatorMetrics::forwarded(schema::Command::Reader command) {
  commands_.Add({{"command", metrics::unionMember(command.getBody())}, {"result", "forwarded"}})
      .Increment();
}

void ValidatorMetrics::refused(schema::Command::Reader command, const Error& error) {
  const std::string name = metrics::unionMember(command.getBody());
  commands_.Add({{"command", name}, {"result", "refused"}}).Increment();
  refusals_
      .Add({{"command", name},
            {"reason", metrics::enumerant(schema::toSchema(error.kind))},
            {"field", fieldLabel(error.field)}})
      .Increment();
}

void ValidatorMetrics::malformed() { malformed_.Increment(); }

}  // namespace zp::validate
