#pragma once
// The validator's Prometheus metrics (common/metrics/metrics.h):
//   zonepipe_validator_commands_total{command, result}  commands checked;
//       result "forwarded" (valid, sent to the store) or "refused"
//   zonepipe_validator_refusals_total{command, reason, field}  commands
//       answered with an error here: reason is the error kind (snake_case of
//       pipeline.capnp's ErrorKind: validation_error, unavailable, ...), field
//       the input field at fault ("" for none)
//   zonepipe_validator_malformed_frames_total  frames that were not a Command
// Thread: the worker loop's (one per process).

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "common/util/result.h"
#include "schema/pipeline.capnp.h"

namespace zp::validate {

class ValidatorMetrics {
 public:
  explicit ValidatorMetrics(prometheus::Registry& registry);

  void forwarded(schema::Command::Reader command);
  void refused(schema::Command::Reader command, const Error& error);
  void malformed();

 private:
  prometheus::Family<prometheus::Counter>& commands_;
  prometheus::Family<prometheus::Counter>& refusals_;
  prometheus::Counter& malformed_;
};

}  // namespace zp::validate
