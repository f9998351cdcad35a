#pragma once
// Bearer tokens and permissions. A token is `vps_` + 40 hex characters of
// randomness (160 bits); only its SHA-256 is stored.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace zp::auth {

enum class Permission : uint8_t { kList, kRead, kCreate, kUpdate, kDelete, kTokensManage };

// "dns:list" ... "dns:delete", "tokens:manage". The wildcard "dns:*" grants
// every dns: permission but NOT tokens:manage (issue 9: a leaked DNS token
// cannot mint more tokens); only an explicit "tokens:manage" grants that.
std::string_view toString(Permission p);

// Parses a comma-separated list such as "dns:list,dns:read" or "dns:*".
// Returns the canonical, de-duplicated list of permission strings.
Result<std::vector<std::string>> parsePermissions(std::string_view text);

// True when `granted` (canonical strings) includes `needed`.
bool allows(std::span<const std::string> granted, Permission needed);

// 2 * `bytes` lower-case hex characters from the OS's CSPRNG (throws
// std::runtime_error when it fails).
std::string randomHex(size_t bytes);
// `bytes` as lower-case hex.
std::string toHex(std::span<const uint8_t> bytes);

// A new bearer string "vps_<40 hex>" from the OS's CSPRNG.
std::string generateSecret();
// A new public token id "tok_<16 hex>".
std::string generateTokenId();
// SHA-256 of the whole bearer string (32 bytes).
std::array<uint8_t, 32> hashSecret(std::string_view bearer);

// Extracts the token from an `Authorization` header value. Errors are
// authentication errors saying what is wrong with the header.
Result<std::string> bearerFromHeader(std::string_view header);

// The same, also accepting HTTP Basic (RFC 7617): `Basic base64(user:password)`
// with the token (vps_...) as the password and any user name, which is what
// clients that only speak Basic send (lego's httpreq provider:
// HTTPREQ_USERNAME / HTTPREQ_PASSWORD). Errors: authentication errors saying
// what is wrong with the header.
Result<std::string> tokenFromBearerOrBasic(std::string_view header);

}  // namespace zp::auth
