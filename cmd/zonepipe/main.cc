// zonepipe: the admin CLI.
//   zonepipe token create --user NAME --permissions dns:list,dns:read,...|dns:*
//   zonepipe token list
//   zonepipe token revoke TOKEN_ID
// Common options: --config FILE, --home DIR (else $ZONEPIPE_HOME), --timeout MS.
// Exit: 0 ok, 1 refused (bad input, unknown token), 100 usage/config, 111 store unreachable.
#include <cstdio>
#include <string>

#include "common/util/ids.h"
#include "pipelines/admin/admin.h"
#include "pipelines/wiring/one_machine.h"

namespace {

int usage() {
  std::fputs(
      "usage: zonepipe token create --user NAME --permissions LIST\n"
      "       zonepipe token list\n"
      "       zonepipe token revoke TOKEN_ID\n"
      "LIST is comma-separated: dns:list,dns:read,dns:create,dns:update,dns:delete or dns:*\n"
      "options: --config FILE, --home DIR (default $ZONEPIPE_HOME or ./var), --timeout MS\n",
      stderr);
  return 100;
}

int fail(const zp::Error& e) {
  std::fprintf(stderr, "zonepipe: %s\n", e.detail.c_str());
  return e.kind == zp::ErrorKind::kUnavailable ? 111 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto startup = zp::wiring::loadOrExit(argc, argv);
  std::vector<std::string> words;
  std::string user, permissions;
  long timeoutMs = 5000;
  const auto& a = startup.args;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool hasValue = i + 1 < a.size();
    if (a[i] == "--user" && hasValue) {
      user = a[++i];
    } else if (a[i] == "--permissions" && hasValue) {
      permissions = a[++i];
    } else if (a[i] == "--timeout" && hasValue) {
      timeoutMs = std::strtol(a[++i].c_str(), nullptr, 10);
      if (timeoutMs <= 0) return usage();
    } else if (a[i].rfind("--", 0) == 0) {
      return usage();
    } else {
      words.push_back(a[i]);
    }
  }
  if (words.size() < 2 || words[0] != "token") return usage();
  try {
    zp::admin::AdminClient client(startup.config, std::chrono::milliseconds(timeoutMs));
    if (words[1] == "create" && words.size() == 2) {
      if (user.empty() || permissions.empty()) return usage();
      auto created = client.createToken(user, permissions);
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
  }
  return usage();
}
