#pragma once
// Which renderer instance renders which zone. With `renderer.instances = N`,
// N renderers run side by side (`zonepipe-renderer --instance i`); each reads
// every event (to advance its own cursor) but renders only the zones whose
// domain hashes to its number, so each zone has exactly one renderer and its
// deploys stay in order. The hash is FNV-1a (64 bit) of the normalised domain
// (ASCII lower case, no trailing dot), so it is stable across restarts,
// machines and builds. A value type; thread-safe to share.

#include <cstdint>
#include <string>
#include <string_view>

namespace zp::render {

// FNV-1a 64 of `domain` lower-cased (ASCII) without a trailing dot.
uint64_t domainHash(std::string_view domain);

class Partition {
 public:
  // The whole log: one renderer renders every zone.
  Partition() = default;
  // Instance `instance` of `instances`. Throws std::invalid_argument unless
  // 0 <= instance < instances (callers check operator input first).
  Partition(uint32_t instance, uint32_t instances);

  uint32_t instance() const { return instance_; }
  uint32_t instances() const { return instances_; }
  // True when this instance renders `domain`.
  bool owns(std::string_view domain) const;
  // The name of this instance's cursor file: "cursor" for a lone renderer,
  // else "cursor-<i>-of-<N>". N is in the name because changing it moves
  // zones between instances: with a fresh cursor each instance renders all of
  // its zones once (idempotent), so no zone that changed owner is skipped.
  std::string cursorFileName() const;
  // "" for a lone renderer, else "instance i of N" (for log lines).
  std::string describe() const;

 private:
  uint32_t instance_ = 0;
  uint32_t instances_ = 1;
};

}  // namespace zp::render
