#include "pipelines/push/publisher.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include <openssl/sha.h>

#include "common/util/atomic_file.h"

namespace zp::push {

bool isSafeDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t label = 0;
  for (const char c : domain) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || ++label > 63) return false;
  }
  return label != 0;
}

namespace {

std::string absoluteDir(const std::string& dir) {
  std::string out = std::filesystem::absolute(dir).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  std::filesystem::create_directories(out);
  return out;
}

}  // namespace

Publisher::Publisher(const std::string& zoneDir, const std::string& journalDir)
    : zoneDir_(absoluteDir(zoneDir)),
      journalDir_(journalDir.empty() ? "" : absoluteDir(journalDir)) {}

namespace {

// `<serial> <domain>` -> both, or nullopt.
std::optional<std::pair<uint64_t, std::string>> readSerialFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const size_t space = text.find(' ');
  if (space == std::string::npos) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + space, value);
  if (ec != std::errc() || end != text.data() + space) return std::nullopt;
  return std::make_pair(value, text.substr(space + 1));
}

}  // namespace

std::string Publisher::stemPath(const std::string& domain) const {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(domain.data()), domain.size(), digest);
  static const char* const hex = "0123456789abcdef";
  std::string stem;
  for (size_t i = 0; i < 16; ++i) {
    stem.push_back(hex[digest[i] >> 4]);
    stem.push_back(hex[digest[i] & 15]);
  }
  return zoneDir_ + "/" + stem;
}

std::string Publisher::zonePath(const std::string& domain) const {
  return stemPath(domain) + ".zone";
}

std::string Publisher::journalPath(const std::string& domain) const {
  if (journalDir_.empty()) return zonePath(domain) + ".jnl";
  const std::string stem = stemPath(domain);
  return journalDir_ + stem.substr(stem.rfind('/')) + ".jnl";
}

uint64_t Publisher::deployedSerial(const std::string& domain) const {
  const auto entry = readSerialFile(stemPath(domain) + ".serial");
  // A damaged file, or another domain's (a hash collision): counts as not
  // deployed, so the next deploy repairs it.
  if (!entry || entry->second != domain) return 0;
  return entry->first;
}

bool Publisher::deployed(const std::string& domain) const {
  return std::filesystem::exists(stemPath(domain) + ".serial");
}

std::map<std::string, uint64_t> Publisher::deployedZones() const {
  std::map<std::string, uint64_t> out;
  for (const auto& entry : std::filesystem::directory_iterator(zoneDir_)) {
    if (entry.path().extension() != ".serial") continue;
    const auto parsed = readSerialFile(entry.path().string());
    if (parsed && isSafeDomain(parsed->second)) out[parsed->second] = parsed->first;
  }
  return out;
}

void Publisher::removeJournal(const std::string& domain) {
  const std::string path = journalPath(domain);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw std::system_error(errno, std::generic_category(), "cannot delete " + path);
  }
}

void Publisher::writeZone(const std::string& domain, std::string_view zoneFile) {
  writeFileAtomically(zonePath(domain), zoneFile, Durability::kLater);
  dirty_ = true;
}

void Publisher::sync() {
  if (!dirty_) return;
  syncFileSystem(zoneDir_);
  dirty_ = false;
}

void Publisher::writeSerial(const std::string& domain, uint64_t serial) {
  writeFileAtomically(stemPath(domain) + ".serial", std::to_string(serial) + " " + domain + "\n",
                      Durability::kLater);
  dirty_ = true;
}

void Publisher::remove(const std::string& domain) {
  // The serial first: if we crash in between, the zone counts as not deployed
  // and a later deploy adds it again.
  for (const std::string& path :
       {stemPath(domain) + ".serial", zonePath(domain), journalPath(domain)}) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      throw std::system_error(errno, std::generic_category(), "cannot delete " + path);
    }
  }
  dirty_ = true;
}

}  // namespace zp::push
