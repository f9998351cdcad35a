#include "common/auth/token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace zp::auth {
namespace {

constexpr std::string_view kNames[] = {"dns:list",   "dns:read",   "dns:create",
                                       "dns:update", "dns:delete", "tokens:manage"};

}  // namespace

std::string toHex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string randomHex(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    throw std::runtime_error("the OS random generator failed (OpenSSL RAND_bytes)");
  }
  return toHex(buf);
}

std::string_view toString(Permission p) { return kNames[static_cast<size_t>(p)]; }

Result<std::vector<std::string>> parsePermissions(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) {
      return Error::validation("permissions",
                               "empty permission in list; use e.g. dns:list,dns:read");
    }
    const bool known = item == "dns:*" ||
                       std::find(std::begin(kNames), std::end(kNames), item) != std::end(kNames);
    if (!known) {
      return Error::validation("permissions",
                               "unknown permission `" + std::string(item) +
                                   "`; use dns:list, dns:read, dns:create, dns:update, "
                                   "dns:delete, dns:* or tokens:manage");
    }
    if (std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
    start = comma + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool allows(std::span<const std::string> granted, Permission needed) {
  for (const auto& g : granted) {
    if (g == toString(needed)) return true;
    if (g == "dns:*" && needed != Permission::kTokensManage) return true;
  }
  return false;
}

std::string generateSecret() { return "vps_" + randomHex(20); }
std::string generateTokenId() { return "tok_" + randomHex(8); }

std::array<uint8_t, 32> hashSecret(std::string_view bearer) {
  std::array<uint8_t, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(bearer.data()), bearer.size(), out.data());
  return out;
}

Result<std::string> bearerFromHeader(std::string_view header) {
  auto fail = [](std::string detail) {
    return Error{ErrorKind::kAuthentication, "", std::move(detail)};
  };
  if (header.empty()) {
    return fail("missing Authorization header; send `Authorization: Bearer vps_...`");
  }
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() < kPrefix.size() ||
      !std::equal(kPrefix.begin(), kPrefix.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      })) {
    return fail("Authorization header must be `Bearer vps_...`");
  }
  std::string_view token = header.substr(kPrefix.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.rfind("vps_", 0) != 0) return fail("invalid API token: it must start with vps_");
  return std::string(token);
}

namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

Result<std::string> tokenFromBearerOrBasic(std::string_view header) {
  constexpr std::string_view kBasic = "Basic ";
  if (!startsWithNoCase(header, kBasic)) return bearerFromHeader(header);
  auto fail = [](std::string detail) {
    return Error{ErrorKind::kAuthentication, "", std::move(detail)};
  };
  std::string_view encoded = header.substr(kBasic.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  if (encoded.empty() || encoded.size() % 4 != 0 || encoded.size() > 1024) {
    return fail("Authorization: Basic needs base64 of `user:token`");
  }
  std::string decoded(encoded.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                     reinterpret_cast<const unsigned char*>(encoded.data()),
                                     static_cast<int>(encoded.size()));
  if (length < 0) return fail("Authorization: Basic needs base64 of `user:token`");
  size_t padding = 0;  // EVP_DecodeBlock counts the bytes '=' stands for
  for (size_t i = encoded.size(); i > 0 && encoded[i - 1] == '='; --i) ++padding;
  decoded.resize(static_cast<size_t>(length) - std::min<size_t>(padding, 2));
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return fail("Authorization: Basic needs `user:token` (the API token as the password)");
  }
  const std::string token = decoded.substr(colon + 1);
  if (token.rfind("vps_", 0) != 0) {
    return fail("the Basic password must be an API token (vps_...); the user name is ignored");
  }
  return token;
}

}  // namespace zp::auth
