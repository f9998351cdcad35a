#include "common/auth/password.h"

#include <sodium.h>

#include <stdexcept>

namespace zp::auth {
namespace {

void initSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise (sodium_init)");
}

}  // namespace

Status checkPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return Error::validation("password", "a password must be " +
                                             std::to_string(kMinPasswordLength) + " to " +
                                             std::to_string(kMaxPasswordLength) + " characters");
  }
  for (char c : password) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Error::validation("password", "a password may not hold control characters");
    }
  }
  return std::nullopt;
}

std::string hashPassword(std::string_view password) {
  initSodium();
  char out[crypto_pwhash_STRBYTES] = {};
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error(
        "cannot hash a password: libsodium ran out of memory (it needs 64 MiB)");
  }
  return out;
}

bool verifyPassword(std::string_view hash, std::string_view password) {
  initSodium();
  if (!looksLikePasswordHash(hash)) return false;
  const std::string h(hash);  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

void verifyDummy(std::string_view password) {
  static const std::string dummy = hashPassword("zonepipe-no-such-user-password");
  (void)verifyPassword(dummy, password);
}

bool looksLikePasswordHash(std::string_view hash) {
  return hash.size() < crypto_pwhash_STRBYTES && hash.rfind("$argon2id$", 0) == 0;
}

Status checkUserName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '@');
  }
  if (ok) return std::nullopt;
  return Error::validation("user",
                           "a user name must be 1-64 characters of letters, digits, '-', '_', "
                           "'.', '@'");
}

}  // namespace zp::auth
