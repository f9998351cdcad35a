#pragma once
// Force-included into every target (see zp_strict in CMakeLists.txt) so that
// RapidJSON is always configured the same way, before any of its headers:
// a failed RapidJSON assertion (GetString() on an int, a missing member) throws
// instead of being undefined behaviour under NDEBUG.

#include <stdexcept>

#define RAPIDJSON_HAS_STDSTRING 1
#define RAPIDJSON_ASSERT(x)                                       \
  do {                                                            \
    if (!(x)) throw std::logic_error("rapidjson assertion: " #x); \
  } while (false)
