#pragma once
// log.format = json: one JSON object per line for log shippers, e.g.
//   {"time":"2026-11-29T15:04:05.123Z","program":"push","level":"warn",
//    "message":"...","zone":"example.com","serial":"42"}
// "time" is UTC with milliseconds; "level" is spdlog's name (trace, debug,
// info, warning, error, critical); the current thread's LogContext fields
// follow (common/log/context.h). Strings are escaped per RFC 8259 section 7;
// bytes that are not UTF-8 become U+FFFD, so every line parses.

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace zp::log {

class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Appends `text` as a JSON string (with the quotes) to `out`.
void appendJsonString(std::string_view text, std::string& out);

}  // namespace zp::log
