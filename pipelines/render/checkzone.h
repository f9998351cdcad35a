#pragma once
// Checking a rendered zone file with named-checkzone before it is deployed:
// `rndc reload` accepts a broken file and named keeps serving the old data, so
// this is the last gate before the nameserver.

#include <atomic>
#include <chrono>
#include <string>

#include "pipelines/render/renderer.h"

namespace zp::render {

struct CheckResult {
  CheckVerdict verdict = CheckVerdict::kFailed;
  std::string message;  // named-checkzone's complaint, or why it could not run
};

// Runs `<program> -q -k ignore <domain> <file>` (no shell; -k ignore: named
// runs with check-names ignore, scripts/named-setup, so '_' in host names loads) on a temporary
// copy of the zone file written in `tempDir`; on refusal it runs it again without -q to capture the
// message (-q prints nothing). Thread-safe: each call uses its own temporary file, which is always
// removed. Never throws for a bad zone or a missing program; those are verdicts.
class ZoneChecker {
 public:
  ZoneChecker(std::string program, std::string tempDir,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));

  CheckResult check(const std::string& domain, const std::string& zoneFile) const;

 private:
  std::string program_;
  std::string tempDir_;
  std::chrono::milliseconds timeout_;
  mutable std::atomic<uint64_t> counter_{0};
};

}  // namespace zp::render
