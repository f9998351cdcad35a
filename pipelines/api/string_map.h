#pragma once
// An unordered map keyed by std::string that can be searched with a
// std::string_view (heterogeneous lookup, C++20), so lookups on the request
// path do not build a std::string. Not thread-safe (a std::unordered_map).

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zp::api {

struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, TransparentStringHash, std::equal_to<>>;

}  // namespace zp::api
