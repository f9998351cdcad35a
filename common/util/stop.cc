#include "common/util/stop.h"

#include <csignal>

namespace zp {
namespace {

std::atomic<bool> gStop{false};

extern "C" void onStopSignal(int) { gStop.store(true); }

}  // namespace

const std::atomic<bool>& stopOnSignal() {
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return gStop;
}

}  // namespace zp
