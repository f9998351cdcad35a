#include "pipelines/push/zone_file_parts.h"

#include <spdlog/spdlog.h>

namespace zp::push {

std::optional<std::string> ZoneFileParts::add(std::string_view sender, const std::string& domain,
                                              uint64_t serial, uint32_t index, bool last,
                                              std::string_view text) {
  const auto key = std::make_pair(std::string(sender), domain);
  if (index == 0) {
    pending_[key] = Gathering{serial, 0, {}};
  }
  auto it = pending_.find(key);
  if (it == pending_.end() || it->second.serial != serial || it->second.next != index) {
    spdlog::warn(
        "piece {} of {} serial {} does not follow the pieces received before; dropped "
        "the version (the renderer sends it again)",
        index, domain, serial);
    if (it != pending_.end()) pending_.erase(it);
    return std::nullopt;
  }
  Gathering& g = it->second;
  if (g.text.size() + text.size() > maxBytes_) {
    spdlog::error("{} serial {} is over {} bytes as a zone file; dropped it", domain, serial,
                  maxBytes_);
    pending_.erase(it);
    return std::nullopt;
  }
  g.text.append(text);
  ++g.next;
  if (!last) return std::nullopt;
  std::string whole = std::move(g.text);
  pending_.erase(it);
  return whole;
}

}  // namespace zp::push
