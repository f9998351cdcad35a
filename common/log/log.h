#pragma once
// Logging: spdlog to stderr with the program's name, one line per event.

#include <spdlog/spdlog.h>

#include <string>

namespace zp::log {

// Sets the default logger's pattern and level ("info", "debug", ...);
// `format` "json" writes one JSON object per line (json_format.h), anything
// else the text pattern.
void init(const std::string& program, const std::string& level, const std::string& format = "text");

}  // namespace zp::log
