#pragma once
// Logging: spdlog to stderr with the program's name, one line per event.

#include <spdlog/spdlog.h>

#include <string>

namespace zp::log {

// Sets the default logger's pattern and level ("info", "debug", ...).
void init(const std::string& program, const std::string& level);

}  // namespace zp::log
