// zonepipe: the admin CLI.
//   zonepipe user create NAME       password from the terminal (no echo) or stdin
//   zonepipe user list
//   zonepipe user disable NAME
//   zonepipe user passwd NAME
//   zonepipe token create --user NAME --permissions dns:list,...|dns:*[,tokens:manage]
//   zonepipe token list
//   zonepipe token revoke TOKEN_ID
//   zonepipe zone import DOMAIN FILE [--mode merge|replace] [--dry-run]
//                                   a BIND zone file into a zone (issue 10)
//   zonepipe log export FILE        the running store's log as a portable file
//   zonepipe log import FILE        a log file into this (empty) home's store
//   zonepipe replay --from FILE_OR_HOME --to NEW_HOME [--zones-dir DIR] [--deploy]
// Common options: --config FILE, --home DIR (else $ZONEPIPE_HOME), --timeout MS.
// Exit: 0 ok, 1 refused (bad input, unknown token, a log that does not
// replay), 100 usage/config, 111 store or named unreachable.
#include <kj/exception.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "common/auth/password.h"
#include "common/dns/zone_text.h"
#include "common/util/ids.h"
#include "pipelines/admin/admin.h"
#include "pipelines/admin/password_input.h"
#include "pipelines/push/rndc_protocol.h"
#include "pipelines/replay/log_file.h"
#include "pipelines/replay/replay.h"
#include "pipelines/replay/store_log_source.h"
#include "pipelines/wiring/one_machine.h"

namespace {

namespace fs = std::filesystem;

int usage() {
  std::fputs(
      "usage: zonepipe user create NAME        (password from the terminal or stdin, never argv)\n"
      "       zonepipe user list\n"
      "       zonepipe user disable NAME\n"
      "       zonepipe user passwd NAME\n"
      "       zonepipe token create --user NAME --permissions LIST [--name LABEL]\n"
      "       zonepipe token list\n"
      "       zonepipe token revoke TOKEN_ID\n"
      "       zonepipe zone import DOMAIN FILE [--mode merge|replace] [--dry-run]\n"
      "       zonepipe log export FILE\n"
      "       zonepipe log import FILE\n"
      "       zonepipe replay --from LOGFILE_OR_HOME --to NEW_HOME [--zones-dir DIR] [--deploy]\n"
      "LIST is comma-separated: dns:list,dns:read,dns:create,dns:update,dns:delete or dns:*,\n"
      "and tokens:manage (the token API; dns:* does not include it)\n"
      "options: --config FILE, --home DIR (default $ZONEPIPE_HOME or ./var), --timeout MS\n"
      "replay rebuilds a store in NEW_HOME from the log alone and renders every zone file\n"
      "into DIR (default NEW_HOME/zones); --deploy also pushes every zone to the named of\n"
      "the config (rndc), publishing into DIR (default the config's pusher zone directory)\n",
      stderr);
  return 100;
}

int fail(const zp::Error& e) {
  std::fprintf(stderr, "zonepipe: %s\n", e.detail.c_str());
  return e.kind == zp::ErrorKind::kUnavailable ? 111 : 1;
}

// A store directory that holds anything is not a place to import into.
bool emptyDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

zp::Error notEmpty(const std::string& dir) {
  return zp::Error{zp::ErrorKind::kValidation, "",
                   "the store directory " + dir +
                       " is not empty; import and replay only write into a new home (move the "
                       "old one away first)"};
}

// The config of another home: its zonepipe.conf when present, else the defaults.
zp::Result<zp::config::Config> configOfHome(const std::string& home) {
  const std::string abs = fs::absolute(home).lexically_normal().string();
  auto base = zp::wiring::defaults(abs);
  const std::string file = abs + "/zonepipe.conf";
  std::error_code ec;
  if (fs::exists(file, ec)) return zp::config::loadFile(file, base);
  return base;
}

// `zonepipe user ...`; words[0] == "user".
int userCommand(const zp::config::Config& cfg, std::chrono::milliseconds timeout,
                const std::vector<std::string>& words) {
  zp::admin::AdminClient client(cfg, timeout);
  if (words.size() == 2 && words[1] == "list") {
    auto users = client.listUsers();
    if (!users) return fail(users.error());
    std::printf("%-32s %-21s %s\n", "USER", "CREATED", "STATE");
    for (const auto& u : *users) {
      std::printf("%-32s %-21s %s\n", u.name.c_str(), zp::isoTime(u.createdAt).c_str(),
                  u.disabled ? "disabled" : "active");
    }
    return 0;
  }
  if (words.size() != 3) return usage();
  const std::string& name = words[2];
  if (words[1] == "disable") {
    if (auto error = client.disableUser(name)) return fail(*error);
    std::fprintf(stderr, "disabled user %s: its logins and tokens are refused from now on\n",
                 name.c_str());
    return 0;
  }
  if (words[1] != "create" && words[1] != "passwd") return usage();
  if (auto bad = zp::auth::checkUserName(name)) return fail(*bad);
  auto password = zp::admin::readPassword("password for " + name);
  if (!password) return fail(password.error());
  if (words[1] == "create") {
    if (auto error = client.createUser(name, *password)) return fail(*error);
    std::fprintf(stderr, "created user %s; it can log in at /account/login/\n", name.c_str());
  } else {
    if (auto error = client.setPassword(name, *password)) return fail(*error);
    std::fprintf(stderr, "changed the password of user %s\n", name.c_str());
  }
  return 0;
}

int exportLog(const zp::config::Config& cfg, std::chrono::milliseconds timeout,
              const std::string& file) {
  zp::admin::AdminClient client(cfg, timeout);
  zp::replay::StoreLogSource source(client);
  auto range = zp::replay::writeLogFile(source, file);
  if (!range) return fail(range.error());
  std::fprintf(stderr, "exported %llu event(s) (%llu..%llu) to %s\n",
               static_cast<unsigned long long>(range->count),
               static_cast<unsigned long long>(range->firstSeq),
               static_cast<unsigned long long>(range->lastSeq), file.c_str());
  return 0;
}

int importLog(const zp::config::Config& cfg, const std::string& file) {
  if (!emptyDir(cfg.storeDir)) return fail(notEmpty(cfg.storeDir));
  zp::replay::FileLogSource source(file);
  zp::store::Store store(zp::store::StoreOptions::fromConfig(cfg));
  auto rebuilt = zp::replay::rebuildStore(source, store);
  if (!rebuilt) return fail(rebuilt.error());
  std::fprintf(stderr,
               "imported %llu event(s) into %s: %zu zone(s); start zonepipe-store on this home "
               "(the renderer renders every zone from its empty cursor)\n",
               static_cast<unsigned long long>(rebuilt->range.count), cfg.storeDir.c_str(),
               rebuilt->domains.size());
  return 0;
}

int replayLog(const zp::config::Config& cfg, std::chrono::milliseconds timeout,
              const std::string& from, const std::string& to, std::string zonesDir, bool deploy) {
  const auto target = zp::wiring::defaults(fs::absolute(to).lexically_normal().string());
  if (!emptyDir(target.storeDir)) return fail(notEmpty(target.storeDir));

  zp::config::Config sourceConfig;
  std::unique_ptr<zp::admin::AdminClient> client;
  std::unique_ptr<zp::replay::LogSource> source;
  std::error_code ec;
  if (fs::is_regular_file(from, ec)) {
    source = std::make_unique<zp::replay::FileLogSource>(from);
  } else if (fs::is_directory(from, ec)) {
    auto home = configOfHome(from);
    if (!home) return fail(home.error());
    sourceConfig = *home;  // the client keeps a reference: it must outlive it
    client = std::make_unique<zp::admin::AdminClient>(sourceConfig, timeout);
    source = std::make_unique<zp::replay::StoreLogSource>(*client);
  } else {
    return fail(zp::Error{zp::ErrorKind::kValidation, "from",
                          from + " is neither a log file nor a zonepipe home"});
  }

  auto options = zp::store::StoreOptions::fromConfig(cfg);
  options.dir = target.storeDir;
  zp::store::Store store(options);
  auto rebuilt = zp::replay::rebuildStore(*source, store);
  if (!rebuilt) return fail(rebuilt.error());
  std::fprintf(stderr, "replayed %llu event(s) into %s: %zu zone(s)\n",
               static_cast<unsigned long long>(rebuilt->range.count), target.storeDir.c_str(),
               rebuilt->domains.size());

  const auto settings = zp::dns::settingsFrom(cfg);
  if (!deploy) {
    if (zonesDir.empty()) zonesDir = target.pushZoneDir;
    auto written = zp::replay::renderZones(store, rebuilt->domains, settings, zonesDir);
    if (!written) return fail(written.error());
    std::fprintf(stderr, "rendered %zu zone file(s) into %s\n", *written, zonesDir.c_str());
    return 0;
  }
  if (zonesDir.empty()) zonesDir = cfg.pushZoneDir;
  zp::push::RndcSession rndc(cfg.rndcConfig);
  zp::replay::DeployTarget where;
  where.zonesDir = zonesDir;
  where.rndc = &rndc;
  if (auto rndcTarget = zp::push::loadRndcConfig(cfg.rndcConfig)) {
    where.updateKey = rndcTarget.value().key.name;  // dynamic zones, as the pusher loads them
  }
  where.checkzone = cfg.checkzone;
  where.tempDir = fs::absolute(to).string() + "/checkzone";
  fs::create_directories(where.tempDir);
  auto deployed = zp::replay::deployZones(store, rebuilt->domains, settings, where);
  if (!deployed) return fail(deployed.error());
  std::fprintf(stderr, "deployed %zu zone(s) to named (rndc config %s), files in %s\n", *deployed,
               cfg.rndcConfig.c_str(), zonesDir.c_str());
  return 0;
}

// `zonepipe zone import DOMAIN FILE`: the answer of POST .../import as text.
int importZone(const zp::config::Config& cfg, std::chrono::milliseconds timeout,
               const std::string& domain, const std::string& path, const std::string& modeText,
               bool dryRun) {
  auto mode = zp::dns::parseImportMode(modeText.empty() ? std::nullopt
                                                        : std::optional<std::string>(modeText));
  if (!mode) return fail(mode.error());
  std::string text;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    std::fprintf(stderr, "zonepipe: cannot open the zone file %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  char buffer[65536];
  for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, file)) > 0;)
    text.append(buffer, got);
  const bool readError = std::ferror(file) != 0;
  std::fclose(file);
  if (readError) {
    std::fprintf(stderr, "zonepipe: cannot read the zone file %s\n", path.c_str());
    return 1;
  }
  zp::admin::AdminClient client(cfg, timeout);
  auto done = client.importZone(domain, text, *mode, dryRun);
  if (!done) return fail(done.error());
  const auto& p = done->plan;
  for (const auto& line : done->diff) std::printf("%s\n", line.c_str());
  for (const auto& s : done->skipped) {
    std::printf("skipped line %zu: %s (%s)\n", s.line, s.rr.c_str(), s.why.c_str());
  }
  const char* what = dryRun            ? "dry run, nothing committed"
                     : p.items.empty() ? "nothing to change"
                                       : "imported";
  std::printf(
      "zone %s: %s: %zu added, %zu changed, %zu removed, %zu unchanged, %zu skipped; "
      "serial %u, %u records\n",
      done->domain.c_str(), what, p.added, p.changed, p.removed, p.unchanged, done->skipped.size(),
      done->zoneSerial, done->recordCount);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  std::vector<std::string> words;
  std::string user, permissions, from, to, zonesDir, name, mode;
  bool deploy = false, dryRun = false;
  long timeoutMs = 5000;
  const auto& a = startup.args;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool hasValue = i + 1 < a.size();
    if (a[i] == "--user" && hasValue) {
      user = a[++i];
    } else if (a[i] == "--permissions" && hasValue) {
      permissions = a[++i];
    } else if (a[i] == "--name" && hasValue) {
      name = a[++i];
    } else if (a[i] == "--from" && hasValue) {
      from = a[++i];
    } else if (a[i] == "--to" && hasValue) {
      to = a[++i];
    } else if (a[i] == "--zones-dir" && hasValue) {
      zonesDir = a[++i];
    } else if (a[i] == "--deploy") {
      deploy = true;
    } else if (a[i] == "--mode" && hasValue) {
      mode = a[++i];
    } else if (a[i] == "--dry-run") {
      dryRun = true;
    } else if (a[i] == "--timeout" && hasValue) {
      timeoutMs = std::strtol(a[++i].c_str(), nullptr, 10);
      if (timeoutMs <= 0) return usage();
    } else if (a[i].rfind("--", 0) == 0) {
      return usage();
    } else {
      words.push_back(a[i]);
    }
  }
  const auto timeout = std::chrono::milliseconds(timeoutMs);
  try {
    if (words.size() == 1 && words[0] == "replay") {
      if (from.empty() || to.empty()) return usage();
      return replayLog(startup.config, timeout, from, to, zonesDir, deploy);
    }
    if (words.size() == 3 && words[0] == "log" && words[1] == "export") {
      return exportLog(startup.config, timeout, words[2]);
    }
    if (words.size() == 3 && words[0] == "log" && words[1] == "import") {
      return importLog(startup.config, words[2]);
    }
    if (words.size() == 4 && words[0] == "zone" && words[1] == "import") {
      return importZone(startup.config, timeout, words[2], words[3], mode, dryRun);
    }
    if (words.size() >= 2 && words[0] == "user") return userCommand(startup.config, timeout, words);
    if (words.size() < 2 || words[0] != "token") return usage();
    zp::admin::AdminClient client(startup.config, timeout);
    if (words[1] == "create" && words.size() == 2) {
      if (user.empty() || permissions.empty()) return usage();
      auto created = client.createToken(user, permissions, name);
      if (!created) return fail(created.error());
      std::printf("%s\n", created->secret.c_str());
      std::fprintf(stderr, "created token %s for user %s; the secret above is shown only once\n",
                   created->info.id.c_str(), created->info.userId.c_str());
      return 0;
    }
    if (words[1] == "list" && words.size() == 2) {
      auto tokens = client.listTokens();
      if (!tokens) return fail(tokens.error());
      std::printf("%-22s %-20s %-21s %-8s %s\n", "ID", "USER", "CREATED", "STATE", "PERMISSIONS");
      for (const auto& t : *tokens) {
        std::string perms;
        for (const auto& p : t.permissions) perms += (perms.empty() ? "" : ",") + p;
        std::printf("%-22s %-20s %-21s %-8s %s\n", t.id.c_str(), t.userId.c_str(),
                    zp::isoTime(t.createdAt).c_str(), t.revoked ? "revoked" : "active",
                    perms.c_str());
      }
      return 0;
    }
    if (words[1] == "revoke" && words.size() == 3) {
      if (auto error = client.revokeToken(words[2])) return fail(*error);
      std::fprintf(stderr, "revoked token %s\n", words[2].c_str());
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zonepipe: %s\n", e.what());
    return 111;
  } catch (const kj::Exception& e) {
    std::fprintf(stderr, "zonepipe: malformed data: %s\n", e.getDescription().cStr());
    return 1;
  }
  return usage();
}
