#include "pipelines/push/publisher.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

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

Publisher::Publisher(const std::string& zoneDir)
    : zoneDir_(std::filesystem::absolute(zoneDir).lexically_normal().string()) {
  while (zoneDir_.size() > 1 && zoneDir_.back() == '/') zoneDir_.pop_back();
  std::filesystem::create_directories(zoneDir_);
}

std::string Publisher::zonePath(const std::string& domain) const {
  return zoneDir_ + "/" + domain + ".zone";
}

uint64_t Publisher::deployedSerial(const std::string& domain) const {
  std::ifstream in(zoneDir_ + "/" + domain + ".serial", std::ios::binary);
  if (!in) return 0;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return value;
}

bool Publisher::deployed(const std::string& domain) const {
  return std::filesystem::exists(zoneDir_ + "/" + domain + ".serial");
}

void Publisher::writeZone(const std::string& domain, std::string_view zoneFile) {
  writeFileAtomically(zonePath(domain), zoneFile);
}

void Publisher::writeSerial(const std::string& domain, uint64_t serial) {
  writeFileAtomically(zoneDir_ + "/" + domain + ".serial", std::to_string(serial) + "\n");
}

void Publisher::remove(const std::string& domain) {
  // The serial first: if we crash in between, the zone counts as not deployed
  // and a later deploy adds it again.
  for (const std::string& path : {zoneDir_ + "/" + domain + ".serial", zonePath(domain)}) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      throw std::system_error(errno, std::generic_category(), "cannot delete " + path);
    }
  }
  syncDirectory(zoneDir_);
}

}  // namespace zp::push
