#pragma once
// The admin CLI's operations, over the running store's sockets (the store is
// the only writer, so the CLI never opens LMDB itself). Each call waits for the
// store's reply with a deadline; errors say what to check.

#include <capnp/common.h>
#include <kj/array.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/util/result.h"

namespace zp::admin {

struct TokenInfo {
  std::string id;
  std::string userId;
  std::vector<std::string> permissions;
  int64_t createdAt = 0;
  bool revoked = false;
};

struct UserInfo {
  std::string name;
  bool disabled = false;
  int64_t createdAt = 0;
};

struct Created {
  TokenInfo info;
  std::string secret;  // the bearer string, shown once
};

// One page of the store's event log: flat-array schema::Event messages with
// seq > after, ascending, and the newest seq the store has committed.
struct LogPage {
  std::vector<kj::Array<capnp::word>> events;
  uint64_t lastSeq = 0;
};

// A connection to the store for admin commands. Borrows `cfg`, which must
// outlive it. Not thread-safe.
class AdminClient {
 public:
  AdminClient(const config::Config& cfg, std::chrono::milliseconds deadline);
  ~AdminClient();
  AdminClient(const AdminClient&) = delete;
  AdminClient& operator=(const AdminClient&) = delete;

  // Validates the inputs with the same rules as everywhere (auth::parsePermissions).
  // `name` labels the token in lists (may be empty).
  Result<Created> createToken(const std::string& user, const std::string& permissions,
                              const std::string& name = {});
  Result<std::vector<TokenInfo>> listTokens();
  Status revokeToken(const std::string& id);

  // Accounts (issue 9). The password is checked (auth::checkPassword) and
  // hashed here with Argon2id; only the hash goes to the store and its log.
  Status createUser(const std::string& name, const std::string& password);
  Result<std::vector<UserInfo>> listUsers();
  Status disableUser(const std::string& name);
  Status setPassword(const std::string& name, const std::string& password);
  // The store's log after `after`, at most `limit` events (the store caps it).
  Result<LogPage> logSince(uint64_t after, uint32_t limit);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace zp::admin
