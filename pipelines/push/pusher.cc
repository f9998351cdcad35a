#include "pipelines/push/pusher.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "pipelines/push/catalog.h"

namespace zp::push {
namespace {

bool says(const ProcessResult& result, std::string_view text) {
  return result.errors.find(text) != std::string::npos ||
         result.output.find(text) != std::string::npos;
}

int64_t monoMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Pusher::Pusher(Publisher& publisher, Rndc& rndc, PusherOptions options)
    : publisher_(publisher), rndc_(rndc), options_(options) {
  for (const char c : publisher_.zoneDir()) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw std::invalid_argument("the zone directory " + publisher_.zoneDir() +
                                  " contains a quote, backslash or control character, which "
                                  "cannot go into named's zone configuration; choose another");
    }
  }
  if (!options_.catalog) return;
  // The members are the zones deployed before (their serial files), so a
  // restarted pusher rebuilds the same catalog.
  for (const auto& entry : std::filesystem::directory_iterator(publisher_.zoneDir())) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".serial";
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string domain = name.substr(0, name.size() - suffix.size());
    if (domain != kCatalogZone && isSafeDomain(domain)) members_.insert(domain);
  }
  catalogDirty_ = true;  // load (or reload) it once at start
}

DeployResult Pusher::deploy(const DeployRequest& request) {
  if (options_.status) options_.status->wanted(request.domain, request.serial);
  DeployResult result = deployChecked(request);
  if (options_.status && !result.ok) options_.status->failed(request.domain, result.detail);
  return result;
}

void Pusher::refused(const std::string& domain, uint64_t serial, const std::string& why) {
  spdlog::warn(
      "{} serial {} was refused by named-checkzone and not deployed; the previous version "
      "keeps serving (see the renderer's log)",
      domain, serial);
  if (!options_.status || !isSafeDomain(domain)) return;
  options_.status->wanted(domain, serial);
  options_.status->failed(domain, "serial " + std::to_string(serial) +
                                      " was not deployed: named-checkzone refused it: " + why);
}

DeployResult Pusher::deployChecked(const DeployRequest& request) {
  if (!isSafeDomain(request.domain) || request.domain == kCatalogZone) {
    spdlog::error(
        "refusing to deploy a zone named `{}`: only lower-case letters, digits, '-' "
        "and '.' are allowed, and {} is the pusher's own catalog (a bug upstream of the pusher)",
        request.domain, kCatalogZone);
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

DeployResult Pusher::load(const std::string& domain, const std::string& zoneFile, uint64_t serial) {
  publisher_.writeZone(domain, zoneFile);
  const auto reload = [&] { return rndc_.run({"reload", domain}); };
  const auto addzone = [&] {
    return rndc_.run(
        {"addzone", domain, "{ type primary; file \"" + publisher_.zonePath(domain) + "\"; };"});
  };
  const bool known = publisher_.deployed(domain);
  std::string command = known ? "reload" : "addzone";
  ProcessResult result = known ? reload() : addzone();
  if (options_.status) options_.status->reloaded(domain);
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
  if (options_.check) {
    if (auto notServed = options_.check->confirm(domain, soaSerialOf(serial))) {
      std::string detail =
          "named accepted `rndc " + command + " " + domain + "` but does not serve serial " +
          std::to_string(soaSerialOf(serial)) + ": " + notServed->detail +
          "; named's log says why (a zone file it cannot load?), or dns.primary_address/dns.port "
          "do not point at the primary named";
      spdlog::warn("{}", detail);
      return {false, std::move(detail)};
    }
  }
  publisher_.writeSerial(domain, serial);
  spdlog::debug("named loads {} serial {} ({})", domain, serial, command);
  return {true, {}};
}

DeployResult Pusher::upsert(const DeployRequest& request) {
  const std::string& domain = request.domain;
  DeployResult loaded = load(domain, *request.zoneFile, request.serial);
  if (!loaded.ok) return loaded;
  if (options_.status) {
    options_.status->deployed(domain, request.serial, request.committedAt, monoMs());
  }
  if (options_.catalog && members_.insert(domain).second) catalogDirty_ = true;
  if (catalogDirty_) {
    DeployResult catalog = syncCatalog(request.serial);
    // The zone itself is deployed; the next deploy or maintain() retries the catalog.
    if (!catalog.ok && options_.status) options_.status->failed(domain, catalog.detail);
  }
  return {true, {}};
}

DeployResult Pusher::remove(const DeployRequest& request) {
  const std::string& domain = request.domain;
  const ProcessResult result = rndc_.run({"delzone", domain});
  if (!result.ok() && !(result.started && !result.timedOut && says(result, "not found"))) {
    return failure("delzone", domain, result);
  }
  if (options_.catalog && members_.erase(domain) != 0) catalogDirty_ = true;
  if (catalogDirty_) {
    // Until the catalog drops the zone, the secondaries keep serving it: fail
    // so that the renderer retries the removal.
    DeployResult catalog = syncCatalog(request.serial);
    if (!catalog.ok) return catalog;
  }
  publisher_.remove(domain);
  if (options_.status) options_.status->removed(domain);
  spdlog::debug("named no longer serves {} (removed at serial {})", domain, request.serial);
  return {true, {}};
}

DeployResult Pusher::maintain() {
  if (!options_.catalog || !catalogDirty_) return {true, {}};
  return syncCatalog(0);
}

DeployResult Pusher::syncCatalog(uint64_t serialHint) {
  const uint64_t serial =
      std::max(publisher_.deployedSerial(kCatalogZone) + 1, serialHint & 0xffffffffu);
  DeployResult result = load(kCatalogZone, renderCatalog(members_, soaSerialOf(serial)), serial);
  if (result.ok) {
    catalogDirty_ = false;
    spdlog::info("catalog {} serial {} lists {} zone(s) for the secondaries", kCatalogZone,
                 soaSerialOf(serial), members_.size());
  }
  return result;
}

DeployResult Pusher::failure(const std::string& command, const std::string& domain,
                             const ProcessResult& result) const {
  std::string detail = "rndc " + command + " " + domain + " failed: " + result.describe() +
                       "; is named running? check " + rndc_.configPath();
  spdlog::warn("{}", detail);
  return {false, std::move(detail)};
}

}  // namespace zp::push
