#include "pipelines/render/partition.h"

#include <stdexcept>

namespace zp::render {

uint64_t domainHash(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (const char raw : domain) {
    char c = raw;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ULL;  // FNV-1a 64 prime
  }
  return hash;
}

Partition::Partition(uint32_t instance, uint32_t instances)
    : instance_(instance), instances_(instances) {
  if (instances == 0 || instance >= instances) {
    throw std::invalid_argument("renderer instance " + std::to_string(instance) + " of " +
                                std::to_string(instances) + " does not exist");
  }
}

bool Partition::owns(std::string_view domain) const {
  return instances_ == 1 || domainHash(domain) % instances_ == instance_;
}

std::string Partition::cursorFileName() const {
  if (instances_ == 1) return "cursor";
  return "cursor-" + std::to_string(instance_) + "-of-" + std::to_string(instances_);
}

std::string Partition::describe() const {
  if (instances_ == 1) return "";
  return "instance " + std::to_string(instance_) + " of " + std::to_string(instances_);
}

}  // namespace zp::render
