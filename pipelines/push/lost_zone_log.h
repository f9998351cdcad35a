#pragma once
// The log lines for zones the primary named does not serve although this
// pusher deployed them ("drift: named does not serve Z"). After a host reboot
// with named's state on tmpfs (ZONEPIPE_VOLATILE_DIR) every zone is lost at
// once, and one warning per zone (10,000 of them in the bench) buried every
// other line. So within a window of `windowMs` the first `listed` zones get a
// line each, and the rest are counted and summed up in one line when the
// window is over. Pure: it returns the lines and the caller logs them (at
// warning). Not thread-safe: the pusher's loop owns it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace zp::push {

class LostZoneLog {
 public:
  // `nowMs` arguments are any monotonic millisecond clock.
  explicit LostZoneLog(size_t listed = 10, int64_t windowMs = 10000)
      : listed_(listed), windowMs_(windowMs) {}

  // named does not serve `domain`; the store's version is being loaded.
  // Returns the lines to log now: the summary of an earlier window that is
  // over, and this zone's own line unless `listed` were logged in this window.
  std::vector<std::string> lost(const std::string& domain, int64_t nowMs);
  // The summary line once the window is over and zones went unlisted in it
  // (empty otherwise). Call it now and then (the pusher: every second).
  std::string flush(int64_t nowMs);

 private:
  size_t listed_;
  int64_t windowMs_;
  bool open_ = false;  // a window started at `since_`
  int64_t since_ = 0;
  size_t logged_ = 0;    // zones listed in this window
  size_t unlisted_ = 0;  // zones counted only
};

}  // namespace zp::push
