#include "pipelines/push/pusher.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace zp::push {
namespace {

bool says(const ProcessResult& result, std::string_view text) {
  return result.errors.find(text) != std::string::npos ||
         result.output.find(text) != std::string::npos;
}

}  // namespace

Pusher::Pusher(Publisher& publisher, Rndc& rndc) : publisher_(publisher), rndc_(rndc) {
  for (const char c : publisher_.zoneDir()) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw std::invalid_argument("the zone directory " + publisher_.zoneDir() +
                                  " contains a quote, backslash or control character, which "
                                  "cannot go into named's zone configuration; choose another");
    }
  }
}

DeployResult Pusher::deploy(const DeployRequest& request) {
  if (!isSafeDomain(request.domain)) {
    spdlog::error(
        "refusing to deploy a zone named `{}`: only lower-case letters, digits, '-' "
        "and '.' are allowed (a bug upstream of the pusher)",
        request.domain);
    return {false, "the pusher refuses the zone name `" + request.domain + "`"};
  }
  const uint64_t deployed = publisher_.deployedSerial(request.domain);
  if (request.serial <= deployed) {
    spdlog::debug("{} serial {} is not newer than the deployed serial {}; nothing to do",
                  request.domain, request.serial, deployed);
    return {true, {}};
  }
  return request.zoneFile ? upsert(request) : remove(request);
}

DeployResult Pusher::upsert(const DeployRequest& request) {
  const std::string& domain = request.domain;
  publisher_.writeZone(domain, *request.zoneFile);
  const auto reload = [&] { return rndc_.run({"reload", domain}); };
  const auto addzone = [&] {
    return rndc_.run(
        {"addzone", domain, "{ type primary; file \"" + publisher_.zonePath(domain) + "\"; };"});
  };
  const bool known = publisher_.deployed(domain);
  std::string command = known ? "reload" : "addzone";
  ProcessResult result = known ? reload() : addzone();
  if (!result.ok() && result.started && !result.timedOut) {
    if (known && says(result, "not found")) {  // named lost it (e.g. its state was reset)
      command = "addzone";
      result = addzone();
    } else if (!known && says(result, "already exists")) {  // our serial file was lost
      command = "reload";
      result = reload();
    }
  }
  if (!result.ok()) return failure(command, domain, result);
  publisher_.writeSerial(domain, request.serial);
  spdlog::debug("named loads {} serial {} ({})", domain, request.serial, command);
  return {true, {}};
}

DeployResult Pusher::remove(const DeployRequest& request) {
  const std::string& domain = request.domain;
  const ProcessResult result = rndc_.run({"delzone", domain});
  if (!result.ok() && !(result.started && !result.timedOut && says(result, "not found"))) {
    return failure("delzone", domain, result);
  }
  publisher_.remove(domain);
  spdlog::debug("named no longer serves {} (removed at serial {})", domain, request.serial);
  return {true, {}};
}

DeployResult Pusher::failure(const std::string& command, const std::string& domain,
                             const ProcessResult& result) const {
  std::string detail = "rndc " + command + " " + domain + " failed: " + result.describe() +
                       "; is named running? check " + rndc_.configPath();
  spdlog::warn("{}", detail);
  return {false, std::move(detail)};
}

}  // namespace zp::push
