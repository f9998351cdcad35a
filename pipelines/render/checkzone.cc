#include "pipelines/render/checkzone.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>

#include "common/util/subprocess.h"

namespace zp::render {

ZoneChecker::ZoneChecker(std::string program, std::string tempDir,
                         std::chrono::milliseconds timeout)
    : program_(std::move(program)), tempDir_(std::move(tempDir)), timeout_(timeout) {}

CheckResult ZoneChecker::check(const std::string& domain, const std::string& zoneFile) const {
  const std::string path = tempDir_ + "/check-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter_.fetch_add(1)) + ".zone";
  // Removes the temporary file however the check ends.
  struct Cleanup {
    const std::string& path;
    ~Cleanup() { std::remove(path.c_str()); }
  } cleanup{path};
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << zoneFile;
    out.close();
    if (!out) {
      return {CheckVerdict::kFailed, "cannot write the temporary file " + path};
    }
  }
  const ProcessResult quiet = runProcess({program_, "-q", "-k", "ignore", domain, path}, timeout_);
  if (quiet.ok()) return {CheckVerdict::kAccepted, {}};
  if (!quiet.started || quiet.timedOut || quiet.signal != 0 || quiet.exitCode != 1) {
    return {CheckVerdict::kFailed, program_ + " " + quiet.describe()};
  }
  // Exit 1: the zone is bad. Run again without -q for the reason.
  const ProcessResult verbose = runProcess({program_, "-k", "ignore", domain, path}, timeout_);
  std::string reason = verbose.describe();
  // named-checkzone names our temporary file; the domain and serial say more.
  for (size_t at = reason.find(path); at != std::string::npos; at = reason.find(path)) {
    reason.replace(at, path.size(), "<zone file>");
  }
  return {CheckVerdict::kRefused, reason};
}

}  // namespace zp::render
