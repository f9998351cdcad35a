#include "common/log/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include "common/log/json_format.h"

namespace zp::log {

void init(const std::string& program, const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_color_mt(program);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %n %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace zp::log
