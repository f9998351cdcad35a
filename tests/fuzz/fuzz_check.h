#pragma once
// A property check inside a fuzz target: on failure prints what and aborts,
// which libFuzzer (and the replay runner) reports as a finding with the input.

#include <cstdio>
#include <cstdlib>
#include <string>

namespace zp::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
  std::abort();
}

inline void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

}  // namespace zp::fuzz
