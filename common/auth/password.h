#pragma once
// Account passwords and user names (issue 9). Passwords are hashed with
// Argon2id through libsodium's crypto_pwhash_str (Debian's libsodium-dev):
// a self-describing string "$argon2id$v=19$m=65536,t=2,p=1$salt$hash" with a
// random salt, never a hand-rolled scheme. Cost: libsodium's INTERACTIVE
// limits (64 MiB, 2 passes), about 0.3 s per hash or check on this 2-core VM
// (measured, mean of 10 while other builds ran: hash 301 ms, check 267 ms,
// the dummy check 309 ms), so the API runs checks off its reactor threads.
// Thread-safe.

#include <string>
#include <string_view>

#include "common/util/result.h"

namespace zp::auth {

inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 1024;

// A password the service accepts: 10 to 1024 bytes, no control characters.
// A validation error on field "password" otherwise.
Status checkPassword(std::string_view password);

// The Argon2id string for `password` (random salt). Throws std::runtime_error
// when libsodium cannot run (out of memory).
std::string hashPassword(std::string_view password);

// True when `password` matches `hash` (a crypto_pwhash_str string). A
// malformed hash is a mismatch.
bool verifyPassword(std::string_view hash, std::string_view password);

// Spends the time of one verifyPassword against a throwaway hash: an unknown
// user costs what a wrong password costs, so timing does not tell them apart.
void verifyDummy(std::string_view password);

// A stored hash must look like one of ours: "$argon2id$..." (at most 128 bytes).
bool looksLikePasswordHash(std::string_view hash);

// A user name: 1 to 64 characters of letters, digits, '-', '_', '.', '@' (the
// same rule as `token create --user`). A validation error on field "user".
Status checkUserName(std::string_view name);

}  // namespace zp::auth
