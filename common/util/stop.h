#pragma once
// SIGINT/SIGTERM as a flag that worker loops poll (they wait with timeouts, so
// they notice it within one poll interval).

#include <atomic>

namespace zp {

// Installs the handlers once and returns the flag they set.
const std::atomic<bool>& stopOnSignal();

}  // namespace zp
