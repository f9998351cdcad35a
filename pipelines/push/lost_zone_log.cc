#include "pipelines/push/lost_zone_log.h"

namespace zp::push {

std::vector<std::string> LostZoneLog::lost(const std::string& domain, int64_t nowMs) {
  std::vector<std::string> lines;
  if (std::string summary = flush(nowMs); !summary.empty()) lines.push_back(std::move(summary));
  if (!open_) {
    open_ = true;
    since_ = nowMs;
    logged_ = unlisted_ = 0;
  }
  if (logged_ < listed_) {
    ++logged_;
    lines.push_back("drift: named does not serve " + domain + "; loading the store's version");
  } else {
    ++unlisted_;
  }
  return lines;
}

std::string LostZoneLog::flush(int64_t nowMs) {
  if (!open_ || nowMs - since_ < windowMs_) return {};
  open_ = false;
  if (unlisted_ == 0) return {};
  return "drift: named did not serve " + std::to_string(unlisted_) + " more zone" +
         (unlisted_ == 1 ? "" : "s") + " in " + std::to_string(windowMs_ / 1000) +
         " s (not listed one by one); the store's version of each is being loaded. Many at "
         "once mean named lost its state (a host reboot with ZONEPIPE_VOLATILE_DIR on tmpfs, "
         "or its directory reset); zonepipe_push_zones_out_of_sync shows the progress";
}

}  // namespace zp::push
