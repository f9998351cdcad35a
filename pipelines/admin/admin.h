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
#include "common/dns/import_plan.h"
#include "common/dns/zone_import.h"
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

// What `zonepipe zone import` did (or, dry, would do): the same as the
// answer of POST /api/v1/dns-zones/{uuid}/import.
struct ZoneImport {
  std::string domain;
  bool dryRun = false;
  dns::ImportPlan plan;  // counts and the change set
  std::vector<dns::SkippedRecord> skipped;
  uint32_t zoneSerial = 0;   // after the import (dry: as it would be; nothing to do: now)
  uint32_t recordCount = 0;  // likewise
  // One line per change applied, in order: "-<record line>" / "+<record line>".
  std::vector<std::string> diff;
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
  // Imports a BIND zone file into the zone of `domain` (issue 10), all or
  // nothing, with the API's rules (dns::parseZoneFile, dns::planImport): as
  // ONE change set sent through the validator (validator.endpoints[0]) on
  // behalf of the zone's owner, so it is validated, logged and deployed like
  // the API's import. Errors: kValidation (a bad domain; "body": the file's
  // line and why), kNotFound (no such zone), what the pipeline refused
  // (record_conflict, quota), kUnavailable (the validator or store did not
  // answer within the deadline).
  Result<ZoneImport> importZone(const std::string& domain, std::string_view zoneFile,
                                dns::ImportMode mode, bool dryRun);
  // The store's log after `after`, at most `limit` events (the store caps it).
  Result<LogPage> logSince(uint64_t after, uint32_t limit);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace zp::admin
