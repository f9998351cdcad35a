#pragma once
// Fields a log line carries besides its message (zone, serial, request id):
// a LogContext names them for the current thread while it lives, and every
// line logged meanwhile on that thread carries them. The JSON log format
// (log.format = json) writes them as fields of the line's object; the text
// format leaves them out (its messages name the zone already).
// Thread-safety: the fields are per thread; a LogContext must be destroyed on
// the thread that made it, in reverse order of creation (it is a scope guard).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zp::log {

using Field = std::pair<std::string, std::string>;  // name, value (any bytes; escaped when written)

class LogContext {
 public:
  LogContext(std::initializer_list<Field> fields);
  ~LogContext();
  LogContext(const LogContext&) = delete;
  LogContext& operator=(const LogContext&) = delete;

 private:
  size_t pushed_;
};

// The fields of the current thread, outermost first.
const std::vector<Field>& currentFields();

}  // namespace zp::log
